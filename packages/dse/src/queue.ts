import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { PassPool } from '@lut-llm/accelerator';
import { evaluatePoint, type PointResult } from './evaluate.js';
import type { PointSpec } from './grid.js';
import { distinctPoints, markPareto, type SweepProgress, type SweepRow } from './sweep.js';

/** BullMQ queue every sweep point goes on (one queue per Redis; a point's job id is its content hash). */
export const SWEEP_QUEUE_NAME = 'lut-llm-sweep';

export interface QueueConnection {
  /** redis://host:port */
  readonly url: string;
  /** Queue name (tests use their own). Default {@link SWEEP_QUEUE_NAME}. */
  readonly queueName?: string;
}

function checkUrl(url: string): void {
  if (!/^rediss?:\/\/[^/\s]+/.test(url)) throw new RangeError(`--queue must be redis://host:port, got '${url}'`);
}

/** Redis hash of a queue's results: field = content hash, value = the PointResult as JSON (written once: HSETNX). */
export const resultsKey = (c: QueueConnection): string => `${c.queueName ?? SWEEP_QUEUE_NAME}:results`;

/**
 * A sweep through a BullMQ queue: each distinct point is a job whose id is its content hash (adding
 * a job whose id exists is a no-op, and a point whose result is stored already is not queued), so
 * a point is stored once however often it is queued or retried. `lut-llm worker` processes on any
 * number of machines take the jobs; this waits for every result (polling the results hash).
 */
export async function runSweepOnQueue(
  points: readonly PointSpec[],
  conn: QueueConnection & { readonly onProgress?: SweepProgress; readonly pollMs?: number; readonly timeoutMs?: number },
): Promise<SweepRow[]> {
  checkUrl(conn.url);
  const todo = distinctPoints(points);
  const name = conn.queueName ?? SWEEP_QUEUE_NAME;
  const redis = new Redis(conn.url, { maxRetriesPerRequest: 3 });
  const queue = new Queue(name, { connection: { url: conn.url, maxRetriesPerRequest: null } });
  try {
    const stored = new Set<string>();
    for (const { hash, point } of todo) {
      if ((await redis.hexists(resultsKey(conn), hash)) === 1) stored.add(hash);
      else await queue.add('point', point, { jobId: hash, attempts: 3, removeOnComplete: true, removeOnFail: false });
    }
    const t0 = Date.now();
    const results = new Map<string, PointResult>();
    let reported = 0;
    for (;;) {
      const values = await redis.hmget(resultsKey(conn), ...todo.map((t) => t.hash));
      values.forEach((v, i) => {
        if (v !== null && !results.has(todo[i]!.hash)) results.set(todo[i]!.hash, JSON.parse(v) as PointResult);
      });
      for (const r of [...results.values()].slice(reported)) conn.onProgress?.(++reported, todo.length, r, { kind: 'emulated' });
      if (results.size === todo.length) break;
      const failed = await queue.getFailed();
      const ours = failed.filter((j) => todo.some((t) => t.hash === j.id));
      if (ours.length > 0) throw new Error(`queue: point ${ours[0]!.id} failed after ${ours[0]!.attemptsMade} attempt(s): ${ours[0]!.failedReason}`);
      if (conn.timeoutMs !== undefined && Date.now() - t0 > conn.timeoutMs) throw new Error(`queue: ${todo.length - results.size} point(s) not done after ${conn.timeoutMs} ms (are workers running? lut-llm worker --queue ${conn.url})`);
      await new Promise((r) => setTimeout(r, conn.pollMs ?? 500));
    }
    return markPareto(todo.map((t) => results.get(t.hash)!));
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

export interface QueueWorkerOptions extends QueueConnection {
  /** Pass-pool threads of this worker (>= 1: the point runs off the event loop, which keeps renewing the job's lock). */
  readonly passWorkers?: number;
  /** A job whose lock is not renewed for this long is stalled and goes back to the queue (a worker died). Default 30 000 ms. */
  readonly lockDurationMs?: number;
  /** Called when a point starts and when its result is stored. */
  readonly onEvent?: (event: 'start' | 'done', hash: string) => void;
}

/**
 * A sweep worker: takes points off the queue, emulates each (its passes on a local pass pool) and
 * stores the result under its content hash (HSETNX: a retried point is stored once). Returns a
 * function that stops it.
 */
export async function startQueueWorker(opts: QueueWorkerOptions): Promise<() => Promise<void>> {
  checkUrl(opts.url);
  const name = opts.queueName ?? SWEEP_QUEUE_NAME;
  const redis = new Redis(opts.url, { maxRetriesPerRequest: 3 });
  const threads = Math.max(1, opts.passWorkers ?? 1);
  // A failed pass closes its pool: the next point gets a fresh one (the failed point is retried by BullMQ).
  let pool = new PassPool({ threads });
  const lockDuration = opts.lockDurationMs ?? 30_000;
  const worker = new Worker(
    name,
    async (job: Job<PointSpec>) => {
      const hash = job.id!;
      opts.onEvent?.('start', hash);
      if ((await redis.hexists(resultsKey(opts), hash)) === 0) {
        let r: PointResult;
        try {
          r = await evaluatePoint(job.data, { pool });
        } catch (e) {
          await pool.close();
          pool = new PassPool({ threads });
          throw e;
        }
        if (r.hash !== hash) throw new Error(`job ${hash}: the point hashes to ${r.hash} here (a different version of lut-llm?)`);
        await redis.hsetnx(resultsKey(opts), hash, JSON.stringify(r));
      }
      opts.onEvent?.('done', hash);
      return hash;
    },
    { connection: { url: opts.url, maxRetriesPerRequest: null }, concurrency: 1, lockDuration, stalledInterval: Math.max(500, Math.floor(lockDuration / 2)), maxStalledCount: 2 },
  );
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
    await pool.close();
    redis.disconnect();
  };
}
