import type { Kernel } from './actor.js';
import { RunError } from './errors.js';
import type { KernelPool, PoolTask } from './kernel-pool.js';
import { PayloadHandle, type KernelTask } from './kernel-task.js';
import type { Token } from './token.js';

export interface KernelEvaluatorOptions {
  /** Called after each task completes, with the tasks done and the tasks known so far. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Which actors' worker kernels go to the pool (default: every one that declares a worker kernel). */
  readonly inWorker?: (actorName: string) => boolean;
}

/**
 * Evaluates recorded kernel tasks in dependency order while they are still being recorded: the
 * engine appends tasks to a shared array, `addRecorded` takes the new ones, `pump` runs what is
 * ready. A task waits for the producers of its input handles and, on the main thread, for the
 * previous main-thread task of its actor (such kernels may keep state between firings). Worker
 * tasks go to the pool in batches; every result is a pure function of its inputs, so the numbers
 * never depend on the pool size or on which worker answers first.
 */
export class KernelEvaluator {
  private readonly results: (Readonly<Record<string, unknown>> | undefined)[] = [];
  private readonly completed: boolean[] = [];
  private readonly waiting: number[] = [];
  private readonly inWorker: boolean[] = [];
  /** Dependents as linked lists: head edge per task, then (target, next) per edge. */
  private readonly firstEdge: number[] = [];
  private readonly edgeTo: number[] = [];
  private readonly edgeNext: number[] = [];
  private readonly lastMain = new Map<number, number>();
  private readonly readyMain: number[] = [];
  private readonly readyWorker: number[] = [];
  private added = 0;
  private done = 0;
  private inFlight = 0;
  private error: unknown;
  private wake: (() => void) | undefined;
  private readonly maxInFlight: number;

  constructor(
    private readonly tasks: readonly KernelTask[],
    private readonly pool: KernelPool | undefined,
    private readonly opts: KernelEvaluatorOptions = {},
  ) {
    this.maxInFlight = 2 * (pool?.threads ?? 1);
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
      this.inWorker[id] = worker;
      this.completed[id] = false;
      this.firstEdge[id] = -1;
      let waits = 0;
      for (const port in t.inputs) {
        const v = t.inputs[port];
        if (v instanceof PayloadHandle && !this.completed[v.task]) {
          this.edge(v.task, id);
          waits++;
        }
      }
      if (!worker) {
        const prev = this.lastMain.get(t.actor);
        if (prev !== undefined && !this.completed[prev]) {
          this.edge(prev, id);
          waits++;
        }
        this.lastMain.set(t.actor, id);
      }
      this.waiting[id] = waits;
      if (waits === 0) (worker ? this.readyWorker : this.readyMain).push(id);
    }
    this.added = tasks.length;
  }

  private edge(from: number, to: number): void {
    this.edgeTo.push(to);
    this.edgeNext.push(this.firstEdge[from]!);
    this.firstEdge[from] = this.edgeTo.length - 1;
  }

  /**
   * Runs every ready main-thread kernel and posts ready worker kernels (up to two batches per
   * worker in flight); never waits. Throws the first failure.
   */
  pump(): void {
    if (this.error) throw this.error;
    while (this.readyMain.length > 0) {
      // Newest first (a stack): it finishes a chain before starting the next, which frees results early.
      const id = this.readyMain.pop()!;
      const t = this.tasks[id]!;
      let out: Readonly<Record<string, unknown>>;
      try {
        out = (t.kernel as Kernel)(this.inputsOf(t), t.outputs, t.firing);
      } catch (e) {
        throw failure(t, e, '');
      }
      this.complete(id, out);
    }
    this.post();
  }

  private post(): void {
    const pool = this.pool;
    if (!pool) return;
    while (this.readyWorker.length > 0 && this.inFlight < this.maxInFlight && !this.error) {
      const size = Math.min(pool.maxBatch, Math.max(1, Math.ceil(this.readyWorker.length / pool.threads)));
      const ids = this.readyWorker.splice(0, size);
      const batch: PoolTask[] = ids.map((id) => ({ task: this.tasks[id]!, inputs: this.inputsOf(this.tasks[id]!) }));
      this.inFlight++;
      pool.runBatch(batch).then(
        (outs) => {
          this.inFlight--;
          outs.forEach((o, k) => {
            if (o instanceof Error) this.error ??= failure(this.tasks[ids[k]!]!, o, ' in a worker');
            else this.complete(ids[k]!, o);
          });
          // Keep the workers fed while the main thread is busy elsewhere (the engine's next slice).
          this.post();
          this.wake?.();
        },
        (e: unknown) => {
          this.inFlight--;
          this.error ??= failure(this.tasks[ids[0]!]!, e, ' in a worker');
          this.wake?.();
        },
      );
    }
  }

  /** Runs every task added so far to completion. */
  async finish(): Promise<void> {
    while (this.done < this.added) {
      this.pump();
      if (this.done >= this.added) break;
      if (this.readyMain.length === 0 && this.inFlight === 0) {
        if (this.error) throw this.error;
        throw new Error(`internal: ${this.added - this.done} kernel tasks can never run (dependency cycle)`);
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    if (this.error) throw this.error;
  }

  /** The sinks' tokens with real payloads in place of handles. */
  resolveSinks(sinks: Readonly<Record<string, readonly Token[]>>): Record<string, Token[]> {
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

  private complete(id: number, out: Readonly<Record<string, unknown>>): void {
    this.results[id] = out;
    this.completed[id] = true;
    this.done++;
    this.opts.onProgress?.(this.done, this.added);
    for (let e = this.firstEdge[id]!; e >= 0; e = this.edgeNext[e]!) {
      const d = this.edgeTo[e]!;
      if (--this.waiting[d]! === 0) (this.inWorker[d] ? this.readyWorker : this.readyMain).push(d);
    }
  }

  private inputsOf(t: KernelTask): Record<string, unknown> {
    const inputs: Record<string, unknown> = {};
    for (const port in t.inputs) {
      const v = t.inputs[port];
      inputs[port] = v instanceof PayloadHandle ? this.take(v) : v;
    }
    return inputs;
  }

  private take(h: PayloadHandle): unknown {
    const r = this.results[h.task];
    if (!r) throw new Error(`internal: result of task ${h.task} missing`);
    const v = r[h.port];
    // The last holder (no FIFO slot, reader or sink left) frees it.
    if (--this.tasks[h.task]!.refs === 0) this.results[h.task] = undefined;
    return v;
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
  ev.addRecorded();
  await ev.finish();
  return ev.resolveSinks(sinks);
}
