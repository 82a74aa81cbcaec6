import { expect } from 'vitest';
import { runGraph, type RunResult } from '../src/engine.js';
import type { Graph } from '../src/graph.js';
import { applyChanges, type ExactRetime, type RetimeChanges } from '../src/retime.js';
import { Retimer, type RetimedRun } from '../src/retimer.js';

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

/**
 * Re-times the recording of `graph` under `changes` with a fresh Retimer and expects the result to
 * equal a full engine run of the changed graph: cycles, per actor busy, starved, frozen,
 * contention and resource-bound cycles, frozen cycles per FIFO. Returns the re-timing.
 */
export function againstRerun(graph: Graph, changes: RetimeChanges): RetimedRun {
  const rec = runGraph(graph, { record: true }).recording!;
  const got = new Retimer(rec).retime(changes);
  if (typeof got === 'string') throw new Error(got);
  const want = runGraph(applyChanges(graph, changes));
  expect(got.cycles).toBe(want.cycles);
  const rows = (r: RetimedRun) => [...r.busyCycles].map((b, a) => [b, r.stalledEmptyCycles[a], r.stalledFullCycles[a], r.stalledContentionCycles[a], r.resourceBoundCycles[a]]);
  // A probe's run has no idle column (the engine's is the rest of the cycles): the other five.
  expect(rows(got)).toEqual(summaryRows(want).map((r) => r.slice(0, 5)));
  expect([...got.stalledFullByFifo]).toEqual(want.summary.fifos.map((f) => f.fullStallCycles));
  return got;
}
