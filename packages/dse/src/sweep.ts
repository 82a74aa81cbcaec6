import { PassLanes, defaultPassWorkers, runOnPool } from '@lut-llm/accelerator';
import { AXIS_NAMES, pointHash, type PointSpec } from './grid.js';
import { evaluatePoint, type PointResult } from './evaluate.js';
import { paretoFront } from './pareto.js';

/** A point's result with its place on the Pareto front. */
export interface SweepRow extends PointResult {
  /** On the front of (end-to-end latency, -tokens/J, on-chip memory bits) among the 'ok' points. */
  readonly pareto: boolean;
}

export interface SweepProgress {
  (done: number, total: number, last: PointResult): void;
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

/** Marks the Pareto front over the 'ok' points: minimise e2e latency and memory, maximise tokens/J. */
export function markPareto(results: readonly PointResult[]): SweepRow[] {
  const objectives = results.map((r) =>
    r.status === 'ok' && r.e2eMs !== null && r.onChip !== null ? [r.e2eMs, -(r.tokensPerJoule ?? 0), r.onChip.memoryBits] : undefined,
  );
  const front = paretoFront(objectives);
  return results.map((r, i) => ({ ...r, pareto: front[i]! }));
}

/**
 * Runs a sweep on this machine: every distinct point's passes on one set of pass lanes (`workers`
 * threads, the main thread included: `workers - 1` worker threads; 0 or 1: serially on this
 * thread). Several points are in flight at once, so their passes fill each other's gaps.
 */
export async function runSweepLocal(points: readonly PointSpec[], opts: { readonly workers?: number; readonly onProgress?: SweepProgress } = {}): Promise<SweepRow[]> {
  const todo = distinctPoints(points);
  const workers = opts.workers ?? defaultPassWorkers();
  const lanes = workers >= 2 ? new PassLanes({ lanes: workers }) : undefined;
  try {
    let done = 0;
    const results = await runOnPool(todo, lanes ? 2 * workers : 1, async ({ point }) => {
      const r = await evaluatePoint(point, lanes ? { pool: lanes } : {});
      opts.onProgress?.(++done, todo.length, r);
      return r;
    });
    return markPareto(results);
  } finally {
    await lanes?.close();
  }
}

const CSV_FIXED = ['hash', 'model', 'status', 'pareto', 'ttft_ms', 'decode_ms_per_token', 'e2e_ms', 'tokens_per_joule', 'bram18', 'uram', 'lutram_luts', 'dsp', 'memory_bits', 'max_fraction_of_v80', 'reasons'] as const;

function csvCell(x: unknown): string {
  const s = x === null || x === undefined ? '' : typeof x === 'object' ? JSON.stringify(x) : String(x);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV of a sweep: one row per point, the swept axes as columns first. */
export function sweepCsv(rows: readonly SweepRow[]): string {
  const axes = AXIS_NAMES.filter((a) => rows.some((r) => r.settings[a] !== undefined && a !== 'model'));
  const head = [...axes, ...CSV_FIXED];
  const lines = rows.map((r) =>
    [
      ...axes.map((a) => r.settings[a]),
      r.hash,
      r.model,
      r.status,
      r.pareto,
      r.ttftMs,
      r.decodeMsPerToken,
      r.e2eMs,
      r.tokensPerJoule,
      r.onChip?.bram18,
      r.onChip?.uram,
      r.onChip?.lutramLuts,
      r.onChip?.dsp,
      r.onChip?.memoryBits,
      r.onChip?.maxFraction,
      r.reasons.join(' | ').replace(/\s*\n\s*/g, ' '),
    ]
      .map(csvCell)
      .join(','),
  );
  return [head.join(','), ...lines].join('\n') + '\n';
}
