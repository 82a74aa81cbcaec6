import { PassLanes, defaultPassWorkers, runOnPool } from '@lut-llm/accelerator';
import { pointHash, type PointSpec } from './grid.js';
import { evaluatePrepared, isMachineryFailure, preparePoint, type PointResult, type ReadyPoint } from './evaluate.js';
import { evaluateTimingGroup, retimeKey, timingGroups, type PointTiming } from './retime-group.js';
import { RetimePool } from './retime-pool.js';
import { paretoFront } from './pareto.js';

/** A point's result with its place on the Pareto front. */
export interface SweepRow extends PointResult {
  /** On the front of (end-to-end latency, -tokens/J, on-chip memory bits, -SQNR) among the 'ok' points. */
  readonly pareto: boolean;
}

export interface SweepProgress {
  /** `timing`: how `last`'s cycles were obtained (a queue sweep's points are all emulated). */
  (done: number, total: number, last: PointResult, timing: PointTiming): void;
}

/**
 * Points whose content hash repeats are emulated once (the same hardware and request: the same
 * result); returns the distinct points in grid order.
 */
export function distinctPoints(points: readonly PointSpec[]): { hash: string; point: PointSpec }[] {
  const seen = new Set<string>();
  const out: { hash: string; point: PointSpec }[] = [];
  for (const point of points) {
    const hash = pointHash(point);
    if (!seen.has(hash)) {
      seen.add(hash);
      out.push({ hash, point });
    }
  }
  return out;
}

/**
 * Marks the Pareto front over the 'ok' points: minimise e2e latency and memory, maximise tokens/J
 * and the accuracy proxy's SQNR (without it, the smallest codebooks would always win: fewer dPEs,
 * smaller tables, and their error would not count).
 */
export function markPareto(results: readonly PointResult[]): SweepRow[] {
  const objectives = results.map((r) =>
    r.status === 'ok' && r.e2eMs !== null && r.onChip !== null ? [r.e2eMs, -(r.tokensPerJoule ?? 0), r.onChip.memoryBits, -(r.accuracy?.sqnrDb ?? -Infinity)] : undefined,
  );
  const front = paretoFront(objectives);
  return results.map((r, i) => ({ ...r, pareto: front[i]! }));
}

/**
 * Runs a sweep on this machine: every distinct point's passes on one set of pass lanes (`workers`
 * threads, the main thread included: `workers - 1` worker threads; 0 or 1: serially on this
 * thread), several points in flight at once so their passes fill each other's gaps. Points equal
 * but for their clock and FIFO depths are emulated once with their passes recorded and re-timed for
 * the others (`retime: false` emulates every point); `onProgress` says which. Such a group's passes
 * run on a pool of their own (`workers` threads; a recording stays in its worker): in a grid mixing
 * groups and single points both can be busy at once.
 */
export async function runSweepLocal(points: readonly PointSpec[], opts: { readonly workers?: number; readonly onProgress?: SweepProgress; readonly retime?: boolean } = {}): Promise<SweepRow[]> {
  const todo = distinctPoints(points);
  const prepared = todo.map(({ point }) => preparePoint(point));
  const groups = timingGroups(prepared, (p) => (opts.retime === false || p.done ? undefined : retimeKey(p)));
  const workers = opts.workers ?? defaultPassWorkers();
  // Single points run on the pass lanes, groups their pass tasks on a pool of their own (a recording
  // stays in its worker); each is started only when there is work for it.
  const pool = workers >= 2 && groups.some((g) => g.length === 1 && !prepared[g[0]!]!.done) ? new PassLanes({ lanes: workers }) : undefined;
  const retimePool = workers >= 2 && groups.some((g) => g.length > 1) ? new RetimePool(workers) : undefined;
  const results = new Array<PointResult>(todo.length);
  let done = 0;
  const report = (i: number, r: PointResult, timing: PointTiming) => {
    results[i] = r;
    opts.onProgress?.(++done, todo.length, r, timing);
  };
  const emulate = async (i: number) => report(i, await evaluatePrepared(prepared[i]!, pool ? { pool } : {}), { kind: 'emulated' });
  try {
    await runOnPool(groups, workers >= 2 ? 2 * workers : 1, async (g) => {
      if (g.length === 1) return emulate(g[0]!);
      let out;
      try {
        out = await evaluateTimingGroup(g.map((i) => prepared[i] as ReadyPoint), retimePool);
      } catch (e) {
        if (isMachineryFailure(e)) throw e;
        // A run that throws is the point's problem: each point then gets its own result (or error),
        // serially when no single point started the pass pool.
        for (const i of g) await emulate(i);
        return;
      }
      out.forEach(({ result, timing }, k) => report(g[k]!, result, timing));
    });
    return markPareto(results);
  } finally {
    await pool?.close();
    await retimePool?.close();
  }
}
