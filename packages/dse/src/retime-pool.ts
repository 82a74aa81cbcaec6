import { Piscina } from 'piscina';
import { compiledSibling } from '@lut-llm/accelerator';
import type { RetimePassResult, RetimePassTask, RetimeRunner } from './retime-group.js';

/**
 * Worker threads that run the pass tasks of re-timing groups ({@link retimePass}: a pass recorded,
 * then re-timed for the group's other points), so a sweep whose points come in groups keeps every
 * core busy as one of single points does on the pass pool. A recording stays in the worker that made
 * it; only cycles come back.
 */
export class RetimePool implements RetimeRunner {
  readonly threads: number;
  private readonly piscina: Piscina;
  private closed = false;

  constructor(threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`RetimePool: threads must be an integer >= 1, got ${threads}`);
    this.threads = threads;
    this.piscina = new Piscina({ filename: compiledSibling(import.meta.url, './retime-worker.js'), minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 1, idleTimeout: 60_000 });
  }

  async run(task: RetimePassTask): Promise<RetimePassResult> {
    if (this.closed) throw new Error(`re-timing pool is closed; cannot run ${task.label}`);
    try {
      return (await this.piscina.run(task)) as RetimePassResult;
    } catch (e) {
      throw new Error(`${task.label} failed in a re-timing worker: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /** Stops the workers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}
