import { SLOT_TURNAROUND_CYCLES } from './fifo.js';
import type { Recording } from './recording.js';
import { retimeTokens, type TokenTimes } from './retime.js';

/** One FIFO's sized depth. */
export interface SizedFifo {
  readonly fifo: string;
  readonly widthBytes: number;
  /** Depth in the recorded run. */
  readonly depth: number;
  /** Least depth at which no write of the unbounded run would stall (its peak need). */
  readonly stallFreeDepth: number;
  /** Least depth keeping the run within the tolerance of unbounded FIFOs, every other FIFO unbounded. */
  readonly chosenDepth: number;
  /** Cycles the producer's pipeline was frozen on this FIFO at the recorded depth, and at the chosen one. */
  readonly stalledFullCyclesBefore: number;
  readonly stalledFullCyclesAfter: number;
}

export interface FifoSizing {
  /** Cycles with every FIFO unbounded (no write stalls), and the bound the tolerance allows. */
  readonly unboundedCycles: number;
  readonly boundCycles: number;
  /** Cycles with every FIFO at its chosen depth at once (they interact: it may exceed the bound; say so). */
  readonly chosenCycles: number;
  readonly recordedCycles: number;
  readonly fifos: readonly SizedFifo[];
  /** Re-timings run by the search. */
  readonly retimings: number;
  /**
   * Probes the recording could not decide (the depth reorders a shared resource's grants, or
   * deadlocks the graph): counted as over the bound, so the chosen depth errs on the deep side.
   */
  readonly undecidedProbes: number;
  readonly undecidedExample?: string;
}

/**
 * Per FIFO, the least depth whose run stays within `tolerance` (default 1%) of the run with
 * unbounded FIFOs, found by binary search over re-timings of one recording (every other FIFO
 * unbounded). A FIFO whose unbounded run never holds more tokens than a depth d needs no more
 * than d, so the search runs over [1, stallFreeDepth] only, and FIFOs that need 1 slot cost no
 * re-timing. Throws when the recording cannot be re-timed exactly (non-blocking tests, an
 * order-dependent resource): then sizing needs full runs.
 */
export function sizeFifos(rec: Recording, opts: { tolerance?: number } = {}): FifoSizing {
  const tol = opts.tolerance ?? 0.01;
  if (!(tol >= 0)) throw new RangeError(`sizeFifos: tolerance must be >= 0, got ${opts.tolerance}`);
  const fifos = rec.graph.fifos;
  const nF = fifos.length;
  let retimings = 0;
  let undecided = 0;
  let example: string | undefined;
  let limit = Infinity;
  const probe = (depthById: Int32Array): TokenTimes | string => {
    retimings++;
    return retimeTokens(rec, { depthById, stopAboveCycles: limit });
  };
  const run = (depthById: Int32Array, what: string): TokenTimes => {
    const t = probe(depthById);
    if (typeof t === 'string') throw new Error(`sizeFifos: the ${what} cannot be re-timed exactly (${t}); size with full runs instead`);
    return t;
  };
  const recorded = run(Int32Array.from(fifos, (f) => f.depth), 'recorded run');
  // Unbounded: a depth of the FIFO's token count (+1) never makes a write wait for a read.
  const unbounded = new Int32Array(nF);
  for (let f = 0; f < nF; f++) unbounded[f] = Math.max(fifos[f]!.depth, recorded.fifoBase[f + 1]! - recorded.fifoBase[f]! + 1);
  const free = run(unbounded, 'run with unbounded FIFOs');
  const bound = Math.floor(free.cycles * (1 + tol));
  limit = bound;
  const need = stallFreeDepths(rec, free);

  const chosen = new Int32Array(nF);
  const depths = unbounded.slice();
  for (let f = 0; f < nF; f++) {
    let lo = 1;
    let hi = need[f]!;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      depths[f] = mid;
      const t = probe(depths);
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
  limit = Infinity;
  const all = run(chosen, 'run at the chosen depths');

  return {
    unboundedCycles: free.cycles,
    boundCycles: bound,
    chosenCycles: all.cycles,
    recordedCycles: recorded.cycles,
    retimings,
    undecidedProbes: undecided,
    ...(example !== undefined ? { undecidedExample: example } : {}),
    fifos: fifos.map((f, i) => ({
      fifo: f.name,
      widthBytes: f.widthBytes,
      depth: f.depth,
      stallFreeDepth: need[i]!,
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
