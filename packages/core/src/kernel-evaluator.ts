import type { ActorSpec, Kernel } from './actor.js';
import { RunError } from './errors.js';
import { KEEP, KernelMessageWriter, RET, type KernelBatchReply } from './kernel-message.js';
import type { KernelPool } from './kernel-pool.js';
import { PayloadHandle, type KernelTask } from './kernel-task.js';
import type { Token } from './token.js';

export interface KernelEvaluatorOptions {
  /** Called after each task completes, with the tasks done and the tasks known so far. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Which actors' worker kernels go to the pool (default: every one that declares a worker kernel). */
  readonly inWorker?: (actorName: string) => boolean;
  /**
   * The graph's actors (by index), to send a worker's result back with its reply when the actor
   * reading it runs on the main thread, instead of fetching it later (a round trip).
   */
  readonly actors?: readonly ActorSpec[];
}

/** Edge kinds: the dependent needs the value on the main thread, or only its task posted to its lane. */
const NEEDS_MAIN = 0;
const NEEDS_POSTED = 1;

/** Ready tasks that make it worth posting to an idle lane before the main thread's ready work is done. */
const EARLY_POST_TASKS = 64;

/** Messages a lane may have queued or running at once (one running, one waiting behind it). */
const LANE_DEPTH = 2;

/**
 * Evaluates recorded kernel tasks in dependency order while they are still being recorded: the
 * engine appends tasks to a shared array, `addRecorded` takes the new ones, `pump` runs what is
 * ready.
 *
 * Main-thread tasks run in each actor's firing order (such kernels may keep state). Worker tasks
 * go to a lane of the pool chosen by the actor's `workerAffinity` (or the lane of an input, or
 * the firing index): a lane runs its messages in order and keeps results, so a task whose
 * producer is on its lane is posted as soon as the producer is posted, with a reference instead
 * of the payload, and a chain (a tile's partial sums and running sum) never leaves its worker.
 * Results come back to the main thread only when a main-thread task, another lane or a sink needs
 * them. Every result is a pure function of its inputs, so the numbers never depend on the pool
 * size or on which worker answers first.
 */
export class KernelEvaluator {
  private readonly results: (Readonly<Record<string, unknown>> | undefined)[] = [];
  private readonly laneOf: number[] = [];
  private readonly onMain: boolean[] = [];
  private readonly posted: boolean[] = [];
  private readonly computed: boolean[] = [];
  private readonly wantedOnMain: boolean[] = [];
  private readonly returning: boolean[] = [];
  private readonly waiting: number[] = [];
  /** Dependents as linked lists: head edge per task, then (target, kind, next) per edge. */
  private readonly firstEdge: number[] = [];
  private readonly edgeTo: number[] = [];
  private readonly edgeKind: number[] = [];
  private readonly edgeNext: number[] = [];
  private readonly lastMain = new Map<number, number>();
  private readonly readyMain: number[] = [];
  private readonly readyLane: number[][];
  private readonly readyLaneHead: number[];
  private readonly fetchQueue: number[][];
  private readonly freeQueue: number[][];
  private readonly inFlight: number[];
  private readonly lanes: number;
  private readonly run: number;
  private added = 0;
  private done = 0;
  /** Tasks wanted on the main thread that are not there yet. */
  private missingOnMain = 0;
  private error: unknown;
  private wake: (() => void) | undefined;

  constructor(
    private readonly tasks: readonly KernelTask[],
    private readonly pool: KernelPool | undefined,
    private readonly opts: KernelEvaluatorOptions = {},
  ) {
    this.lanes = pool?.threads ?? 0;
    this.run = pool?.newRun() ?? 0;
    this.readyLane = Array.from({ length: this.lanes }, () => []);
    this.readyLaneHead = new Array<number>(this.lanes).fill(0);
    this.fetchQueue = Array.from({ length: this.lanes }, () => []);
    this.freeQueue = Array.from({ length: this.lanes }, () => []);
    this.inFlight = new Array<number>(this.lanes).fill(0);
  }

  /** Tasks known so far and tasks completed. */
  get progress(): { readonly done: number; readonly total: number } {
    return { done: this.done, total: this.added };
  }

  /** Takes the tasks appended to the array since the last call. */
  addRecorded(): void {
    const { tasks, pool } = this;
    for (let id = this.added; id < tasks.length; id++) {
      const t = tasks[id]!;
      const worker = pool !== undefined && t.workerKernel !== undefined && (this.opts.inWorker?.(t.actorName) ?? true);
      const lane = worker ? this.laneFor(t) : -1;
      this.laneOf[id] = lane;
      this.onMain[id] = false;
      this.posted[id] = false;
      this.computed[id] = false;
      this.wantedOnMain[id] = false;
      this.returning[id] = false;
      this.firstEdge[id] = -1;
      let waits = 0;
      for (const port in t.inputs) {
        const v = t.inputs[port];
        if (!(v instanceof PayloadHandle)) continue;
        const p = v.task;
        if (lane >= 0 && this.laneOf[p] === lane) {
          if (!this.posted[p]) {
            this.edge(p, id, NEEDS_POSTED);
            waits++;
          }
        } else if (!this.onMain[p]) {
          this.edge(p, id, NEEDS_MAIN);
          waits++;
          this.wantOnMain(p);
        }
      }
      if (lane < 0) {
        const prev = this.lastMain.get(t.actor);
        if (prev !== undefined && !this.computed[prev]) {
          this.edge(prev, id, NEEDS_MAIN);
          waits++;
        }
        this.lastMain.set(t.actor, id);
      }
      this.waiting[id] = waits;
      if (waits === 0) this.ready(id);
    }
    this.added = tasks.length;
  }

  /** Whether a consumer of what `t` writes runs its kernel on the main thread. */
  private readOnMain(t: KernelTask): boolean {
    const actors = this.opts.actors;
    if (!actors || !t.writesTo) return false;
    for (const c of t.writesTo) {
      let m = this.mainActor[c];
      if (m === undefined) {
        const spec = actors[c]!;
        m = this.mainActor[c] = spec.kernel !== undefined && !spec.eagerKernel && !(spec.workerKernel !== undefined && (this.opts.inWorker?.(spec.name) ?? true));
      }
      if (m) return true;
    }
    return false;
  }
  private readonly mainActor: boolean[] = [];

  /** The declared affinity, else the lane of a producer, else the firing index (spreads firings). */
  private laneFor(t: KernelTask): number {
    if (t.affinity !== undefined) return t.affinity % this.lanes;
    for (const port in t.inputs) {
      const v = t.inputs[port];
      if (v instanceof PayloadHandle && this.laneOf[v.task]! >= 0) return this.laneOf[v.task]!;
    }
    return t.firing.index % this.lanes;
  }

  private edge(from: number, to: number, kind: number): void {
    this.edgeTo.push(to);
    this.edgeKind.push(kind);
    this.edgeNext.push(this.firstEdge[from]!);
    this.firstEdge[from] = this.edgeTo.length - 1;
  }

  private ready(id: number): void {
    const lane = this.laneOf[id]!;
    if (lane >= 0) this.readyLane[lane]!.push(id);
    else this.readyMain.push(id);
  }

  private notify(id: number, kind: number): void {
    for (let e = this.firstEdge[id]!; e >= 0; e = this.edgeNext[e]!) {
      if (this.edgeKind[e] !== kind) continue;
      const d = this.edgeTo[e]!;
      if (--this.waiting[d]! === 0) this.ready(d);
    }
  }

  /** A lane task's result is needed on the main thread: have it returned or fetched. */
  private wantOnMain(p: number): void {
    if (this.wantedOnMain[p] || this.onMain[p]) return;
    this.wantedOnMain[p] = true;
    this.missingOnMain++;
    if (this.computed[p] && !this.returning[p]) {
      this.returning[p] = true;
      this.fetchQueue[this.laneOf[p]!]!.push(p);
    }
  }

  private setOnMain(id: number, out: Readonly<Record<string, unknown>>): void {
    this.results[id] = out;
    if (this.onMain[id]) return;
    this.onMain[id] = true;
    if (this.wantedOnMain[id]) this.missingOnMain--;
    this.notify(id, NEEDS_MAIN);
  }

  private completed(id: number): void {
    this.computed[id] = true;
    this.done++;
    this.opts.onProgress?.(this.done, this.added);
  }

  /**
   * Runs every ready main-thread kernel and posts ready worker kernels (up to two messages per
   * lane in flight); never waits. Throws the first failure.
   */
  pump(): void {
    if (this.error) throw this.error;
    while (this.readyMain.length > 0) {
      // Newest first (a stack): it finishes a chain before starting the next, which frees results early.
      const id = this.readyMain.pop()!;
      const t = this.tasks[id]!;
      const inputs: Record<string, unknown> = {};
      for (const port in t.inputs) {
        const v = t.inputs[port];
        inputs[port] = v instanceof PayloadHandle ? this.take(v) : v;
      }
      let out: Readonly<Record<string, unknown>>;
      try {
        out = (t.kernel as Kernel)(inputs, t.outputs, t.firing);
      } catch (e) {
        throw failure(t, e, '');
      }
      this.completed(id);
      this.setOnMain(id, out);
      // Hand an idle worker what this made ready now (a busy one gets it with its next message).
      for (let lane = 0; lane < this.lanes; lane++) if (this.inFlight[lane] === 0 && this.readyLane[lane]!.length - this.readyLaneHead[lane]! >= EARLY_POST_TASKS) this.postLane(lane);
    }
    for (let lane = 0; lane < this.lanes; lane++) this.postLane(lane);
  }

  private postLane(lane: number): void {
    const pool = this.pool!;
    const ready = this.readyLane[lane]!;
    while (this.inFlight[lane]! < LANE_DEPTH && !this.error && (this.readyLaneHead[lane]! < ready.length || this.fetchQueue[lane]!.length > 0)) {
      const w = new KernelMessageWriter();
      const sources: KernelTask[] = [];
      // Posting a task makes its same-lane dependents ready: they join this message behind it.
      while (this.readyLaneHead[lane]! < ready.length && w.tasks < pool.maxBatch) {
        const id = ready[this.readyLaneHead[lane]!++]!;
        const t = this.tasks[id]!;
        const ret = this.wantedOnMain[id]! || this.readOnMain(t);
        if (ret) this.returning[id] = true;
        w.begin(id, t.workerKernel!, t.firing, t.outputs, ret ? KEEP | RET : KEEP, t.workerMetadata);
        for (const port in t.inputs) {
          const v = t.inputs[port];
          if (!(v instanceof PayloadHandle)) w.value(port, v);
          else if (this.laneOf[v.task] === lane) {
            w.laneRef(port, v.task, v.port);
            this.release(v.task);
          } else w.value(port, this.take(v));
        }
        sources.push(t);
        this.posted[id] = true;
        this.notify(id, NEEDS_POSTED);
      }
      if (this.readyLaneHead[lane] === ready.length) {
        ready.length = 0;
        this.readyLaneHead[lane] = 0;
      }
      const fetch = this.fetchQueue[lane]!.splice(0);
      const free = this.freeQueue[lane]!.splice(0);
      this.inFlight[lane]!++;
      pool.post(lane, w.build(this.run, { ...(fetch.length ? { fetch } : {}), ...(free.length ? { free } : {}) }), sources).then(
        (reply) => this.onReply(lane, sources, reply),
        (e: unknown) => {
          this.inFlight[lane]!--;
          this.error ??= failure(sources[0] ?? this.tasks[fetch[0]!]!, e, ' in a worker');
          this.wake?.();
        },
      );
    }
  }

  private onReply(lane: number, sources: readonly KernelTask[], reply: KernelBatchReply): void {
    this.inFlight[lane]!--;
    for (const [k, message] of reply.errors) this.error ??= failure(sources[k]!, new Error(message), ' in a worker');
    if (!this.error) {
      for (const t of sources) {
        this.completed(t.id);
        if (this.wantedOnMain[t.id] && !this.returning[t.id]) {
          this.returning[t.id] = true;
          this.fetchQueue[lane]!.push(t.id);
        }
      }
    }
    for (const [id, out] of reply.returned) this.setOnMain(id, out);
    for (const [id, out] of reply.fetched) {
      if (out === null) this.error ??= new Error(`internal: result of task ${id} was not in its worker`);
      else this.setOnMain(id, out);
    }
    // Keep the workers fed while the main thread is busy elsewhere (the engine's next slice).
    if (!this.error) for (let l = 0; l < this.lanes; l++) this.postLane(l);
    this.wake?.();
  }

  /** A reader on the main thread takes handle `h`'s value. */
  private take(h: PayloadHandle): unknown {
    const r = this.results[h.task];
    if (!r) throw new Error(`internal: result of task ${h.task} missing`);
    const v = r[h.port];
    this.release(h.task);
    return v;
  }

  /** One holder of task `p`'s outputs is done; the last one (no FIFO slot, reader or sink left) frees them. */
  private release(p: number): void {
    if (--this.tasks[p]!.refs === 0) {
      this.results[p] = undefined;
      const home = this.laneOf[p]!;
      if (home >= 0) this.freeQueue[home]!.push(p);
    }
  }

  /** Runs every added task to completion and returns the sinks' tokens with real payloads. */
  async finish(sinks: Readonly<Record<string, readonly Token[]>>): Promise<Record<string, Token[]>> {
    for (const tokens of Object.values(sinks)) for (const tok of tokens) if (tok.payload instanceof PayloadHandle) this.wantOnMain(tok.payload.task);
    while (this.done < this.added || this.missingOnMain > 0) {
      this.pump();
      if (this.done >= this.added && this.missingOnMain === 0) break;
      if (this.readyMain.length === 0 && this.inFlight.every((n) => n === 0)) {
        if (this.error) throw this.error;
        throw new Error(`internal: ${this.added - this.done} kernel tasks can never run (dependency cycle)`);
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    if (this.error) throw this.error;
    const out: Record<string, Token[]> = {};
    for (const [name, tokens] of Object.entries(sinks)) {
      out[name] = tokens.map((tok) => {
        const h = tok.payload;
        if (!(h instanceof PayloadHandle)) return tok;
        const r = this.results[h.task];
        if (!r) throw new Error(`internal: result of task ${h.task} missing for sink '${name}'`);
        return { meta: tok.meta, readyCycle: tok.readyCycle, payload: r[h.port] };
      });
    }
    return out;
  }

  /** Drops this run's results from every worker (call once, after `finish` or a failure). */
  async dispose(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    await Promise.allSettled(Array.from({ length: this.lanes }, (_, lane) => pool.post(lane, new KernelMessageWriter().build(this.run, { end: true }), [])));
  }
}

function failure(t: KernelTask, e: unknown, where: string): RunError {
  return new RunError(
    `actor '${t.actorName}': kernel failed${where} on firing ${t.firing.index} (inputs ${JSON.stringify(t.firing.inputs)}): ${e instanceof Error ? e.message : String(e)}`,
    t.actorName,
    t.firing.index,
    { cause: e },
  );
}

/**
 * Evaluates a finished recorded run's kernel tasks (see `KernelEvaluator`) and returns the sinks'
 * tokens with real payloads. The first failure rejects with an error naming the stage and token.
 */
export async function evaluateKernelTasks(
  tasks: readonly KernelTask[],
  sinks: Readonly<Record<string, readonly Token[]>>,
  pool?: KernelPool,
  onProgress?: (done: number, total: number) => void,
  inWorker?: (actorName: string) => boolean,
): Promise<Record<string, Token[]>> {
  const ev = new KernelEvaluator(tasks, pool, { ...(onProgress ? { onProgress } : {}), ...(inWorker ? { inWorker } : {}) });
  try {
    ev.addRecorded();
    return await ev.finish(sinks);
  } finally {
    await ev.dispose();
  }
}
