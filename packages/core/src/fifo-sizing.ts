import { runGraph } from './engine.js';
import { SLOT_TURNAROUND_CYCLES } from './fifo.js';
import { applyChanges } from './retime-changes.js';
import type { Recording } from './recording.js';
import { retimerOf, tokenTimesOf, type TokenTimes } from './retime.js';
import { Retimer, type RetimedRun } from './retimer.js';

/** One FIFO's sized depth. */
export interface SizedFifo {
  readonly fifo: string;
  readonly widthBytes: number;
  /** Depth in the recorded run. */
  readonly depth: number;
  /** Least depth at which no write of the unbounded run would stall (its peak need). */
  readonly stallFreeDepth: number;
  /** Least depth keeping the run within the tolerance of unbounded FIFOs, every other FIFO unbounded. */
  readonly independentDepth: number;
  /** Depth chosen for the joint run: the independent one, raised where the FIFOs together exceeded the bound. */
  readonly chosenDepth: number;
  /** Cycles the producer's pipeline was frozen on this FIFO at the recorded depth, and at the chosen one. */
  readonly stalledFullCyclesBefore: number;
  readonly stalledFullCyclesAfter: number;
}

export interface FifoSizing {
  /** Cycles with every FIFO unbounded (no write stalls), and the bound the tolerance allows. */
  readonly unboundedCycles: number;
  readonly boundCycles: number;
  /** Cycles with every FIFO at its chosen depth at once (within the bound unless a probe was undecidable). */
  readonly chosenCycles: number;
  /** Cycles with every FIFO at its independently chosen depth (they interact: it may exceed the bound). */
  readonly independentCycles: number;
  /** Cycles of each joint run, from the independent depths to the chosen ones. */
  readonly jointRounds: readonly number[];
  readonly recordedCycles: number;
  readonly fifos: readonly SizedFifo[];
  /** Re-timings run by the search, and the firings they re-resolved in all (incremental re-timing). */
  readonly retimings: number;
  readonly firingsRetimed: number;
  /**
   * Probes the recording could not decide (the depth reorders a shared resource's grants, or
   * deadlocks the graph): counted as over the bound, so the chosen depth errs on the deep side.
   */
  readonly undecidedProbes: number;
  /** The unbounded run could not be re-timed from the recording (it reorders a shared resource's grants), so it was emulated in full once and recorded. */
  readonly unboundedRecorded: boolean;
  readonly undecidedExample?: string;
}

/**
 * Per FIFO, the least depth whose run stays within `tolerance` (default 1%) of the run with
 * unbounded FIFOs, found by binary search over incremental re-timings of one recording against
 * the unbounded run (every other FIFO unbounded). A FIFO whose unbounded run never holds more
 * tokens than a depth d needs no more than d, so the search runs over [1, stallFreeDepth] only,
 * and FIFOs that need 1 slot cost no re-timing. The chosen depths interact, so they are then
 * checked together: while the joint run exceeds the bound, the FIFOs that froze their producers
 * in it are raised together, geometrically from their independent towards their stall-free
 * depth, by the least common factor that brings the joint run within the bound (see below). Throws when the recording cannot be re-timed exactly (non-blocking
 * tests, an order-dependent resource): then sizing needs full runs.
 */
export function sizeFifos(rec: Recording, opts: { tolerance?: number } = {}): FifoSizing {
  const tol = opts.tolerance ?? 0.01;
  if (!(tol >= 0)) throw new RangeError(`sizeFifos: tolerance must be >= 0, got ${opts.tolerance}`);
  if (rec.nonBlocking) throw new Error('sizeFifos: the run tests ports without blocking, so it cannot be re-timed exactly; size with full runs instead');
  const fifos = rec.graph.fifos;
  const nF = fifos.length;
  const exact = (why: string | undefined, what: string) => {
    if (why !== undefined) throw new Error(`sizeFifos: the ${what} cannot be re-timed exactly (${why}); size with full runs instead`);
  };
  const recordedRetimer = retimerOf(rec);
  exact(recordedRetimer.why, 'recorded run');
  const recorded = recordedRetimer.baseRun!;
  // Unbounded: a depth of the FIFO's token count (+1) never makes a write wait for a read.
  const ix = recordedRetimer.ix;
  const unbounded = new Int32Array(nF);
  for (let f = 0; f < nF; f++) unbounded[f] = Math.max(fifos[f]!.depth, ix.fifoBase[f + 1]! - ix.fifoBase[f]! + 1);
  let free = new Retimer(rec, {}, { depthById: unbounded });
  let unboundedRecorded = false;
  if (free.why !== undefined) {
    // Unbounded FIFOs can reorder a shared resource's grants (e.g. a prefetcher running ahead onto
    // channels the writers share): re-timing cannot follow that, so the unbounded run is emulated
    // once in full and recorded, and the probes re-time against it.
    const fifoDepths = Object.fromEntries(fifos.map((f, i) => [f.name, unbounded[i]!]));
    const rerun = runGraph(applyChanges(rec.graph, { fifoDepths }), { record: true, collectSinks: false }).recording!;
    free = new Retimer(rerun, {}, {});
    unboundedRecorded = true;
  }
  exact(free.why, 'run with unbounded FIFOs');
  const freeCycles = free.baseRun!.cycles;
  const bound = Math.floor(freeCycles * (1 + tol));
  const need = stallFreeDepths(rec, tokenTimesOf(free));

  let retimings = 0;
  let firingsRetimed = 0;
  let undecided = 0;
  let example: string | undefined;
  const probe = (depthById: Int32Array, stopAboveCycles: number): RetimedRun | string => {
    retimings++;
    const r = free.retime({}, { depthById, stopAboveCycles });
    if (typeof r !== 'string') firingsRetimed += r.firingsRetimed;
    return r;
  };
  const chosen = new Int32Array(nF);
  const depths = unbounded.slice();
  for (let f = 0; f < nF; f++) {
    let lo = 1;
    let hi = need[f]!;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      depths[f] = mid;
      const t = probe(depths, bound);
      if (typeof t !== 'string' && t.cycles <= bound) hi = mid;
      else {
        if (typeof t === 'string') {
          undecided++;
          example ??= `FIFO '${fifos[f]!.name}' at depth ${mid}: ${t}`;
        }
        lo = mid + 1;
      }
    }
    depths[f] = unbounded[f]!;
    chosen[f] = lo;
  }
  const independent = chosen.slice();
  // Joint check. FIFOs that freeze their producers in the joint run are raised together along
  // d(f, x) = indep^(1 - x) * need^x (geometric, so a FIFO asking 2 slots and one asking 2,000
  // grow by the same factor), with the least x in [0, 1] that keeps the joint run within the
  // bound, found by bisection (cycles fall as x grows). At x = 1 they stall nowhere; if the joint
  // run still exceeds the bound, FIFOs that froze in it join the raised set and the search repeats.
  const rounds: number[] = [];
  const raised = new Uint8Array(nF);
  const at = (x: number): Int32Array => {
    const d = independent.slice();
    for (let f = 0; f < nF; f++) if (raised[f]) d[f] = Math.min(need[f]!, Math.ceil(independent[f]! ** (1 - x) * need[f]! ** x - 1e-9));
    return d;
  };
  const jointRun = (d: Int32Array): RetimedRun | string => {
    const r = probe(d, Infinity);
    rounds.push(typeof r === 'string' ? NaN : r.cycles);
    return r;
  };
  const within = (r: RetimedRun | string) => typeof r !== 'string' && r.cycles <= bound;
  let joint = jointRun(chosen);
  for (let pass = 0; !within(joint) && pass < 8; pass++) {
    let added = 0;
    for (let f = 0; f < nF; f++) {
      if (!raised[f] && independent[f]! < need[f]! && (typeof joint === 'string' || joint.stalledFullByFifo[f]! > 0)) {
        raised[f] = 1;
        added++;
      }
    }
    if (added === 0) break;
    const top = jointRun(at(1));
    if (!within(top)) {
      joint = top;
      chosen.set(at(1));
      continue;
    }
    let lo = 0;
    let hi = 1;
    let best = top;
    let bestDepths = at(1);
    for (let k = 0; k < 12; k++) {
      const mid = (lo + hi) / 2;
      const d = at(mid);
      const r = jointRun(d);
      if (within(r)) {
        hi = mid;
        best = r;
        bestDepths = d;
      } else lo = mid;
    }
    joint = best;
    chosen.set(bestDepths);
  }
  exact(typeof joint === 'string' ? joint : undefined, 'run at the chosen depths');
  const all = joint as RetimedRun;

  return {
    unboundedCycles: freeCycles,
    boundCycles: bound,
    chosenCycles: all.cycles,
    independentCycles: rounds[0]!,
    jointRounds: rounds,
    recordedCycles: recorded.cycles,
    retimings,
    firingsRetimed,
    undecidedProbes: undecided,
    unboundedRecorded,
    ...(example !== undefined ? { undecidedExample: example } : {}),
    fifos: fifos.map((f, i) => ({
      fifo: f.name,
      widthBytes: f.widthBytes,
      depth: f.depth,
      stallFreeDepth: need[i]!,
      independentDepth: independent[i]!,
      chosenDepth: chosen[i]!,
      stalledFullCyclesBefore: recorded.stalledFullByFifo[i]!,
      stalledFullCyclesAfter: all.stalledFullByFifo[i]!,
    })),
  };
}

function selfLoops(rec: Recording): Uint8Array {
  const s = new Uint8Array(rec.graph.fifos.length);
  for (const ga of rec.graph.actors) for (const f of ga.outputs.values()) if ([...ga.inputs.values()].includes(f)) s[f] = 1;
  return s;
}

/**
 * Per FIFO, the least depth at which none of the run's writes waits for a read: at the write of
 * token j (cycle W), the earlier tokens read after W - 2 (self-loop: after W) still hold or block
 * their slot. Reads and writes are in token order, so one sweep per FIFO.
 */
function stallFreeDepths(rec: Recording, t: TokenTimes): Int32Array {
  const self = selfLoops(rec);
  const nF = rec.graph.fifos.length;
  const need = new Int32Array(nF).fill(1);
  for (let f = 0; f < nF; f++) {
    const b = t.fifoBase[f]!;
    const n = t.fifoBase[f + 1]! - b;
    const turn = self[f] ? 0 : SLOT_TURNAROUND_CYCLES;
    let p = 0;
    for (let j = 0; j < n; j++) {
      const w = t.written[b + j]!;
      while (p < j && t.read[b + p]! + turn <= w) p++;
      if (j - p + 1 > need[f]!) need[f] = j - p + 1;
    }
  }
  return need;
}
