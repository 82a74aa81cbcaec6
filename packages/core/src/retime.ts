import { runGraph } from './engine.js';
import type { Recording } from './recording.js';
import { applyChanges, checkChanges, type RetimeChanges } from './retime-changes.js';
import { Retimer, type ProbeOptions, type RetimedRun } from './retimer.js';

export { applyChanges, type RetimeChanges } from './retime-changes.js';

interface RetimeCommon {
  readonly cycles: number;
  /** cycles / clockMhz, when a clock was given. */
  readonly timeUs?: number;
}

/**
 * An exact re-timing: the cycles and the per-actor attribution (by actor index, the summary's
 * busy / stalled / idle fields) a full re-run gives.
 */
export interface ExactRetime extends RetimeCommon {
  readonly exact: true;
  readonly busyCycles: Float64Array;
  /** Cycles each actor waited for input (summary's stalledEmptyCycles, starved). */
  readonly stalledEmptyCycles: Float64Array;
  /** Cycles each actor's pipeline was frozen on a full FIFO (summary's stalledFullCycles). */
  readonly stalledFullCycles: Float64Array;
  readonly stalledContentionCycles: Float64Array;
  readonly resourceBoundCycles: Float64Array;
  readonly idleCycles: Float64Array;
  /** Firings whose start was re-resolved (incremental re-timing leaves the others to the base sweep). */
  readonly firingsRetimed: number;
}

/** The recording could not decide the outcome: the cycles come from a full re-run of the changed graph. */
export interface FallbackRetime extends RetimeCommon {
  readonly exact: false;
  readonly fallback: 'rerun';
  readonly reason: string;
}

export type RetimeResult = ExactRetime | FallbackRetime;

const retimers = new WeakMap<Recording, Retimer>();

/** The re-timer of `rec` against its own recorded configuration (swept once, on first use, then cached). */
export function retimerOf(rec: Recording): Retimer {
  let r = retimers.get(rec);
  if (!r) retimers.set(rec, (r = new Retimer(rec)));
  return r;
}

function fallback(rec: Recording, changes: RetimeChanges, reason: string): FallbackRetime {
  const cycles = runGraph(applyChanges(rec.graph, changes), { collectSinks: false }).cycles;
  return { exact: false, fallback: 'rerun', reason, cycles, ...(changes.clockMhz ? { timeUs: cycles / changes.clockMhz } : {}) };
}

/**
 * The cycles and per-actor attribution of the recorded run under `changes`, without calling
 * behaviours or kernels (see README, "Re-timing"). The first call sweeps the recording once
 * (cached); each call then re-times only from the first cycle its changes can affect, and stops
 * where the run rejoins the recorded one. Exact, except where the firing order itself could
 * change: a run that tested a port without blocking, or a resource whose grants would be
 * reordered (or tied in a way the recording did not show): then the changed graph is re-run and
 * the result says why.
 */
export function retime(rec: Recording, changes: RetimeChanges = {}): RetimeResult {
  checkChanges(rec.graph, changes);
  if (rec.nonBlocking) return fallback(rec, changes, 'the run tests ports without blocking (ports.empty()/full()): their outcome depends on the firing order');
  const out = retimerOf(rec).retime(changes);
  if (typeof out === 'string') return fallback(rec, changes, out);
  const idle = out.busyCycles.map((b, a) => out.cycles - b - out.stalledEmptyCycles[a]! - out.stalledFullCycles[a]! - out.stalledContentionCycles[a]!);
  const { stalledFullByFifo: _byFifo, ...attribution } = out;
  return { exact: true, ...attribution, idleCycles: idle, ...(changes.clockMhz ? { timeUs: out.cycles / changes.clockMhz } : {}) };
}

/** Token write and read cycles of a re-timing, by FIFO (see `retimeTokens`). */
export interface TokenTimes {
  readonly cycles: number;
  /** FIFO f's tokens are [fifoBase[f], fifoBase[f + 1]) (initial tokens first). */
  readonly fifoBase: Int32Array;
  readonly written: Float64Array;
  readonly read: Float64Array;
  /** Cycles producers were frozen on each FIFO (charged to the FIFO whose slot came free last). */
  readonly stalledFullByFifo: Float64Array;
}

/** The token times of a re-timer's base sweep. */
export function tokenTimesOf(r: Retimer): TokenTimes {
  const run: RetimedRun = r.baseRun!;
  return { cycles: run.cycles, fifoBase: r.ix.fifoBase, written: r.base.tokW, read: r.base.tokR, stalledFullByFifo: run.stalledFullByFifo };
}

/**
 * The cycles and every token's write and read cycle under `changes` (a full sweep), or the
 * reason re-timing is not exact.
 */
export function retimeTokens(rec: Recording, changes: RetimeChanges & Pick<ProbeOptions, 'depthById'> = {}): TokenTimes | string {
  if (rec.nonBlocking) return 'the run tests ports without blocking';
  const r = new Retimer(rec, changes, changes.depthById ? { depthById: changes.depthById } : {});
  return r.why ?? tokenTimesOf(r);
}
