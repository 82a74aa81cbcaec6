import type { RunResult } from '../src/engine.js';
import type { ExactRetime } from '../src/retime.js';

// Spec helpers live outside src/: the build (tsconfig include src/**) does not compile them into
// dist and mutation runs (scripts/mutate.mjs mutates src/**) do not mutate them; specs import them
// by relative path and `npm run typecheck:specs` checks them through those imports.

/**
 * What the re-timing specs compare with full runs: per actor busy, starved, frozen, contention,
 * resource-bound and idle cycles, from a re-timing and from an engine run's summary.
 */
export function attributionRows(x: ExactRetime): number[][] {
  return [...x.busyCycles].map((b, a) => [b, x.stalledEmptyCycles[a]!, x.stalledFullCycles[a]!, x.stalledContentionCycles[a]!, x.resourceBoundCycles[a]!, x.idleCycles[a]!]);
}

export function summaryRows(r: RunResult): number[][] {
  return r.summary.actors.map((s) => [s.busyCycles, s.stalledEmptyCycles, s.stalledFullCycles, s.stalledContentionCycles, s.resourceBoundCycles, s.idleCycles]);
}

/** Whether `run` throws the engine's deadlock (any other error is rethrown). */
export function deadlocks(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch (e) {
    if (/deadlock/i.test(String(e))) return true;
    throw e;
  }
}
