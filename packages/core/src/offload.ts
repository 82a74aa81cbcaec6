import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ActorSpec, Firing, FiringOutputs } from './actor.js';
import { RunError } from './errors.js';
import type { Graph } from './graph.js';
import {
  bumpAndWake,
  KEEP,
  KernelMessageWriter,
  RET,
  SESSION_FAILED,
  SIGNAL_CURRENT,
  SIGNAL_EXIT,
  SIGNAL_MAIN_ASLEEP,
  SIGNAL_STARTED,
  SIGNAL_TO_MAIN,
  SIGNAL_TO_WORKER,
  SIGNAL_WORKER_ASLEEP,
  sleepUntilChanged,
  type KernelBatchReply,
} from './kernel-message.js';
import type { KernelPool } from './kernel-pool.js';
import { PayloadHandle } from './payload-handle.js';

/** Tasks buffered for a lane before they are posted (a message is worth about this many tile kernels). */
const FLUSH_TASKS = 128;
/** Longest wait for the sessions to start (worker threads starting, modules loading), ms. */
const START_TIMEOUT_MS = 60_000;
/** Longest wait in `close()` for a session to stop, ms. */
const CLOSE_GRACE_MS = 5_000;
/** laneOf of a task run in every lane (ActorSpec.workerAffinity 'every'). */
const EVERY_LANE = -1;
/** Longest single wait for a worker's reply before checking that it is still alive, ms. */
const WAIT_SLICE_MS = 200;

interface Lane {
  readonly port: MessagePort;
  readonly signal: Int32Array;
  readonly done: Promise<unknown>;
  writer: KernelMessageWriter;
  /** Task ids in the writer, in order. */
  sources: number[];
  fetch: number[];
  free: number[];
  /** Posted messages not answered yet: their task ids (for replies and error messages). */
  readonly inFlight: number[][];
  replies: number;
}

/**
 * Runs the kernels of worker-placed actors in a pool's lanes *while the engine fires actors
 * inline*: a placed firing's kernel is posted to its lane and its outputs become handles that
 * travel through the FIFOs like payloads. A placed consumer on the same lane reads a handle in
 * the worker (its value never comes back); a main-thread kernel that reads one waits for it
 * synchronously (the lane answers on its own port, see lane-session.ts). Values held by nothing
 * (no FIFO slot, no sink) are freed in the worker. Kernels are pure, so where they run changes
 * no number.
 */
export class KernelOffload {
  /** Per actor index: its kernel runs in a lane. */
  readonly placed: Uint8Array;
  /** Per actor index, per output port: the consumer runs its kernel on the main thread. */
  private readonly mainConsumer: ReadonlyMap<string, boolean>[];
  private readonly lanes: Lane[];
  private readonly run: number;
  private nextId = 0;
  private readonly laneOf: number[] = [];
  private readonly holds: number[] = [];
  private readonly taskActor: number[] = [];
  private readonly taskFiring: number[] = [];
  private readonly fetching = new Set<number>();
  private readonly values = new Map<number, Readonly<Record<string, unknown>>>();
  private error: Error | undefined;
  private submits = 0;
  private readonly pool: KernelPool;
  private readonly spinMs: number;

  /** Placement keys k with k % inlineEvery === 0 run on the main thread (0: none); see FunctionalRunOptions. */
  private readonly inlineEvery: number;

  constructor(
    private readonly graph: Graph,
    pool: KernelPool,
    inWorker: (actorName: string) => boolean = () => true,
    inlineEvery = 0,
  ) {
    if (!Number.isInteger(inlineEvery) || inlineEvery < 0 || inlineEvery === 1) {
      throw new RangeError(`inlineEvery must be 0 (no kernel of a worker-placed actor on the main thread) or an integer >= 2, got ${inlineEvery}`);
    }
    this.inlineEvery = inlineEvery;
    const specs = graph.actors.map((a) => a.spec);
    this.placed = Uint8Array.from(specs, (s) => (s.kernel !== undefined && s.workerKernel !== undefined && !s.eagerKernel && inWorker(s.name) ? 1 : 0));
    const consumerOf = new Map<number, number>();
    graph.actors.forEach((a, i) => a.inputs.forEach((f) => consumerOf.set(f, i)));
    this.mainConsumer = graph.actors.map((a) => {
      const m = new Map<string, boolean>();
      a.outputs.forEach((f, port) => {
        const c = consumerOf.get(f);
        const spec = c === undefined ? undefined : specs[c];
        m.set(port, spec !== undefined && spec.kernel !== undefined && !spec.eagerKernel && !this.placed[c!]);
      });
      return m;
    });
    pool.acquire();
    this.pool = pool;
    this.spinMs = pool.spinMs;
    this.run = pool.newRun();
    const lanes: Lane[] = [];
    try {
      for (let lane = 0; lane < pool.threads; lane++) {
        const s = pool.startSession(lane);
        lanes.push({ port: s.port, signal: s.signal, done: s.done, writer: new KernelMessageWriter(), sources: [], fetch: [], free: [], inFlight: [], replies: 0 });
      }
    } catch (e) {
      for (const L of lanes) stopSession(L);
      pool.release();
      throw e;
    }
    this.lanes = lanes;
  }

  /**
   * Resolves once every lane's session runs. The engine then waits for workers synchronously,
   * so a session must not still be queued in piscina (a worker that replaces a dead one becomes
   * ready only through the event loop).
   */
  async ready(): Promise<void> {
    const t0 = performance.now();
    const failed: unknown[] = [];
    this.lanes.forEach((L) => L.done.catch((e: unknown) => failed.push(e)));
    while (!this.lanes.every((L) => Atomics.load(L.signal, SIGNAL_STARTED) === 1)) {
      if (failed.length > 0) throw new Error(`a worker session could not start: ${String(failed[0])}`, { cause: failed[0] });
      if (performance.now() - t0 > START_TIMEOUT_MS) throw new Error(`worker sessions did not start within ${START_TIMEOUT_MS} ms`);
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
  }

  /**
   * Ends the run in the workers: posts what is buffered, waits for every answer and throws the
   * first failure. A kernel whose result nobody on the main thread reads fails the run here.
   */
  finish(): void {
    for (const L of this.lanes) this.flush(L, true);
    for (const L of this.lanes) {
      while (L.inFlight.length > 0 && !this.error) if (!this.poll(L)) this.wait(L);
    }
    this.check();
  }

  /**
   * Posts firing `firing` of placed actor `a`; returns handles for the ports it writes (`written`).
   * A firing whose placement key falls to the main thread (inlineEvery) runs here at once and
   * returns its values.
   */
  submit(a: number, spec: ActorSpec, firing: Firing, inputs: Record<string, unknown>, outputs: FiringOutputs, written: readonly string[]): Readonly<Record<string, unknown>> {
    this.check();
    let lane = -2;
    const affinity = spec.workerAffinity;
    let key: number | undefined;
    if (affinity === 'every') lane = EVERY_LANE;
    else if (affinity) {
      key = affinity(firing);
      if (!Number.isInteger(key) || key < 0) throw new RunError(`actor '${spec.name}': workerAffinity of firing ${firing.index} must be an integer >= 0, got ${key}`, spec.name, firing.index);
    } else {
      key = firing.index;
      for (const port in inputs) {
        const v = inputs[port];
        if (v instanceof PayloadHandle && this.laneOf[v.task] !== EVERY_LANE) {
          lane = this.laneOf[v.task]!;
          key = undefined;
          break;
        }
      }
    }
    if (key !== undefined) {
      const n = this.inlineEvery;
      if (n > 0 && key % n === 0) {
        // The main thread's share: computed now, from values (kernels are pure: same numbers).
        this.resolveInputs(inputs);
        return spec.kernel!(inputs, outputs, firing);
      }
      // The other keys, numbered without the main thread's, spread evenly over the lanes.
      lane = (n > 0 ? key - Math.floor(key / n) - 1 : key) % this.lanes.length;
    }
    // Inputs computed in another lane come through the main thread first (before this task's
    // record is begun: waiting flushes every lane's buffer).
    for (const port in inputs) {
      const v = inputs[port];
      if (v instanceof PayloadHandle && this.laneOf[v.task] !== lane && this.laneOf[v.task] !== EVERY_LANE) inputs[port] = this.resolve(v);
    }
    const id = this.nextId++;
    let ret = false;
    const main = this.mainConsumer[a]!;
    for (const port of written) if (main.get(port)) ret = true;
    // An 'every' task runs in each lane (lane 0 answers for it).
    const first = lane === EVERY_LANE ? 0 : lane;
    const last = lane === EVERY_LANE ? this.lanes.length - 1 : lane;
    for (let l = first; l <= last; l++) {
      const L = this.lanes[l]!;
      L.writer.begin(id, spec.workerKernel!, firing, outputs, ret && l === first ? KEEP | RET : KEEP, spec.workerMetadata);
      for (const port in inputs) {
        const v = inputs[port];
        if (v instanceof PayloadHandle) L.writer.laneRef(port, v.task, v.port);
        else L.writer.value(port, v);
      }
      L.sources.push(id);
    }
    this.laneOf[id] = lane;
    this.holds[id] = 0;
    this.taskActor[id] = a;
    this.taskFiring[id] = firing.index;
    if (ret) this.fetching.add(id);
    const handles: Record<string, PayloadHandle> = {};
    for (const port of written) handles[port] = new PayloadHandle(id, port);
    for (let l = first; l <= last; l++) if (this.lanes[l]!.sources.length >= FLUSH_TASKS) this.flush(this.lanes[l]!);
    if (++this.submits % 1024 === 0) for (const l of this.lanes) this.poll(l);
    return handles;
  }

  /** A FIFO slot (or a sink) holds the handle's task. */
  hold(task: number): void {
    this.holds[task]!++;
  }

  /** A FIFO slot let it go (its reader has taken it in the firing in progress). */
  drop(task: number): void {
    this.holds[task]!--;
  }

  /** After a firing: a task nothing holds any more is freed (here and in its worker). */
  releaseIfUnheld(task: number): void {
    if (this.holds[task] !== 0) return;
    this.holds[task] = -1;
    this.values.delete(task);
    const lane = this.laneOf[task]!;
    if (lane === EVERY_LANE) for (const L of this.lanes) L.free.push(task);
    else this.lanes[lane]!.free.push(task);
  }

  /** Replaces handles in `inputs` by their values (waiting for the workers if needed). */
  resolveInputs(inputs: Record<string, unknown>): void {
    for (const port in inputs) {
      const v = inputs[port];
      if (v instanceof PayloadHandle) inputs[port] = this.resolve(v);
    }
  }

  /** The value of a handle, waiting (synchronously) for its worker if it is not here yet. */
  resolve(h: PayloadHandle): unknown {
    let r = this.values.get(h.task);
    if (!r) {
      const L = this.lanes[Math.max(0, this.laneOf[h.task]!)]!; // an 'every' task: lane 0's copy
      if (!this.fetching.has(h.task)) {
        this.fetching.add(h.task);
        L.fetch.push(h.task);
      }
      // Every lane gets its buffered work before the main thread waits.
      for (const l of this.lanes) this.flush(l);
      while (!(r = this.values.get(h.task))) {
        this.check();
        if (!this.poll(L)) this.wait(L);
      }
    }
    this.check();
    return r[h.port];
  }

  /** Takes every reply that has arrived from lane L; false if there was none. */
  private poll(L: Lane): boolean {
    let any = false;
    let m: { message: KernelBatchReply } | undefined;
    while ((m = receiveMessageOnPort(L.port) as { message: KernelBatchReply } | undefined) !== undefined) {
      any = true;
      L.replies++;
      const tasks = L.inFlight.shift() ?? [];
      const reply = m.message;
      for (const [k, message, inputs] of reply.errors) {
        const t = k >= 0 ? tasks[k] : tasks[0];
        this.error ??= t === undefined ? new Error(message) : this.failure(t, message, inputs);
      }
      for (const [id, out] of reply.returned) this.values.set(id, out);
      for (const [id, out] of reply.fetched) {
        if (out === null) this.error ??= new Error(`internal: result of task ${id} was not in its worker`);
        else this.values.set(id, out);
      }
    }
    return any;
  }

  /** Sleeps until lane L answers; fails if its worker died meanwhile. */
  private wait(L: Lane): void {
    for (;;) {
      const exit = Atomics.load(L.signal, SIGNAL_EXIT);
      if (exit === SESSION_FAILED) {
        // Its last reply says why; if that could not be sent either, say what we know.
        this.poll(L);
        this.error ??= new Error('a worker session ended without a reply');
        return;
      }
      if (exit !== 0) {
        const tasks = L.inFlight.flat();
        const names = tasks.map((t) => `${this.graph.actors[this.taskActor[t]!]!.spec.name}#${this.taskFiring[t]}`);
        // The task whose kernel was running when the worker died, else the oldest unanswered one.
        const running = Atomics.load(L.signal, SIGNAL_CURRENT);
        const culprit = tasks.includes(running) ? running : tasks[0];
        const why = `worker exited with code: ${exit - 100} (while running a batch of ${tasks.length} task(s): ${names.join(', ')})`;
        this.error ??= culprit === undefined ? new Error(why) : this.failure(culprit, why, '');
        return;
      }
      if (Atomics.load(L.signal, SIGNAL_TO_MAIN) !== L.replies) return;
      if (L.inFlight.length === 0) throw new Error('internal: waiting for a lane with nothing in flight');
      sleepUntilChanged(L.signal, SIGNAL_TO_MAIN, L.replies, SIGNAL_MAIN_ASLEEP, WAIT_SLICE_MS, this.spinMs);
    }
  }

  private failure(task: number, message: string, inputs: string): RunError {
    const name = this.graph.actors[this.taskActor[task]!]!.spec.name;
    const i = this.taskFiring[task]!;
    return new RunError(`actor '${name}': kernel failed in a worker on firing ${i}${inputs ? ` (inputs ${inputs})` : ''}: ${message}`, name, i);
  }

  private check(): void {
    if (this.error) throw this.error;
  }

  /** Posts lane L's buffered tasks (with its fetch and free lists). */
  private flush(L: Lane, end = false): void {
    if (L.sources.length === 0 && L.fetch.length === 0 && !end) return;
    const sources = L.sources;
    try {
      const { message, transfer } = L.writer.build(this.run, { ...(L.fetch.length ? { fetch: L.fetch } : {}), ...(L.free.length ? { free: L.free } : {}), ...(end ? { end } : {}) });
      L.port.postMessage(message, transfer);
    } catch (e) {
      // A payload that cannot be cloned: the tasks are lost, so the run fails naming the first.
      const t = sources[0];
      this.error ??= t === undefined ? (e as Error) : this.failure(t, `its inputs cannot be sent to a worker: ${e instanceof Error ? e.message : String(e)}`, '');
      throw this.error;
    } finally {
      L.writer = new KernelMessageWriter();
      L.sources = [];
      L.fetch = [];
      L.free = [];
    }
    bumpAndWake(L.signal, SIGNAL_TO_WORKER, SIGNAL_WORKER_ASLEEP);
    L.inFlight.push(sources);
  }

  /**
   * Drops the run's results in every lane and stops the sessions (on success and on failure);
   * waits at most CLOSE_GRACE_MS for a session that does not stop (a kernel stuck in a loop).
   */
  async close(): Promise<void> {
    try {
      for (const L of this.lanes) {
        if (Atomics.load(L.signal, SIGNAL_EXIT) !== 0) continue;
        try {
          this.flush(L, true);
        } catch {
          // the run has failed already; stopping matters more
        }
        stopSession(L);
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled(this.lanes.map((L) => L.done)), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
      clearTimeout(timer);
      for (const L of this.lanes) L.port.close();
    } finally {
      this.pool.release();
    }
  }
}

/** Tells a session to stop (after the messages already posted). */
function stopSession(L: Lane): void {
  try {
    L.port.postMessage({ stop: true });
    bumpAndWake(L.signal, SIGNAL_TO_WORKER, SIGNAL_WORKER_ASLEEP);
  } catch {
    // the port is closed: the worker is gone
  }
}
