import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { SIGNAL_SLOTS, SPIN_MS } from './kernel-message.js';
import { compiledModuleUrl } from './kernel-ref.js';

/** Longest wait in `close()` for sessions still running in workers. */
const CLOSE_GRACE_MS = 5_000;

let runIds = 0;

/**
 * A pool of worker threads that run stage kernels: `threads` lanes, each a one-thread piscina
 * pool, so that related kernels go to the same worker (a lane runs its messages in order and
 * keeps their results: a tile's running sum never crosses threads). A functional run opens a
 * session on every lane (see KernelOffload); a pool serves one run at a time and can be reused
 * run after run (its workers stay warm: kernels loaded and compiled).
 */
export class KernelPool {
  private readonly lanes: Piscina[];
  private closed = false;
  private busy = false;

  /**
   * How long a waiting side (an idle worker, the main thread waiting for a result) spins before
   * it sleeps: SPIN_MS when the workers and the main thread each have a core, else 0 (a spinning
   * thread would take the core of one that works).
   */
  readonly spinMs: number;

  constructor(readonly threads: number = availableParallelism()) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`KernelPool: threads must be an integer >= 1, got ${threads}`);
    this.spinMs = threads + 1 <= availableParallelism() ? SPIN_MS : 0;
    const filename = compiledModuleUrl(new URL('./lane-session.js', import.meta.url).href);
    this.lanes = Array.from({ length: threads }, () => new Piscina({ filename, minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 1, idleTimeout: 60_000 }));
  }

  /** A fresh run id: each run's results live in the workers under their own id. */
  newRun(): number {
    return ++runIds;
  }

  /** Claims the pool for one run (a second run at the same time would interleave its lanes). */
  acquire(): void {
    if (this.closed) throw new Error('KernelPool is closed');
    if (this.busy) throw new Error('KernelPool is serving another run; give each concurrent run its own pool');
    this.busy = true;
  }

  release(): void {
    this.busy = false;
  }

  /**
   * Starts a session on lane `lane` (see lane-session.ts): the lane's worker then serves only
   * this session's port until it is told to stop. `done` settles when the session ends (rejects
   * if the worker dies).
   */
  startSession(lane: number): { readonly port: MessagePort; readonly signal: Int32Array; readonly done: Promise<unknown> } {
    if (this.closed) throw new Error('KernelPool is closed');
    const pool = this.lanes[lane];
    if (!pool) throw new RangeError(`KernelPool: no lane ${lane} (threads: ${this.threads})`);
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
    const done = pool.run({ port: port2, signal, spinMs: this.spinMs }, { transferList: [port2] as never[] });
    this.sessions.add(done);
    const settle = () => this.sessions.delete(done);
    done.then(settle, settle);
    return { port: port1, signal, done };
  }

  /** Stops every worker (after the sessions still running end, or CLOSE_GRACE_MS). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sessions.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.sessions]), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
      clearTimeout(timer);
    }
    await Promise.all(this.lanes.map((p) => p.destroy()));
  }

  /** Sessions running in the workers. */
  private readonly sessions = new Set<Promise<unknown>>();
}
