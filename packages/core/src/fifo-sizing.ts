import { runGraph } from './engine.js';
import { applyChanges } from './retime-changes.js';
import type { Recording } from './recording.js';
import { retimerOf } from './retime.js';
import { isDeadlock, Retimer, type RetimedRun } from './retimer.js';

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
  /** Depth chosen for the joint run: the independent one, doubled while it still froze its producer in a joint run over the bound. */
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
  /** Cycles with every FIFO at its independently chosen depth (they interact: it may exceed the bound, or deadlock: Infinity). */
  readonly independentCycles: number;
  /** Cycles of each joint run, from the independent depths to the chosen ones. */
  readonly jointRounds: readonly number[];
  readonly recordedCycles: number;
  readonly fifos: readonly SizedFifo[];
  /** Re-timings run by the search, and the firings they re-resolved in all (incremental re-timing). */
  readonly retimings: number;
  readonly firingsRetimed: number;
  /**
   * Probes the recording could not decide (the depth reorders a shared resource's grants):
   * counted as over the bound, so the chosen depth errs on the deep side.
   */
  readonly undecidedProbes: number;
  /** Probes whose depth deadlocks the graph (decided: too shallow). */
  readonly deadlockedProbes: number;
  /** Joint runs the recording could not decide, emulated in full and recorded instead. */
  readonly jointRunsEmulated: number;
  /** Joint runs whose depths deadlock the graph (decided; their cycles in `jointRounds` are Infinity). */
  readonly jointRunsDeadlocked: number;
  /** The unbounded run could not be re-timed from the recording (it reorders a shared resource's grants), so it was emulated in full once and recorded. */
  readonly unboundedRecorded: boolean;
  readonly undecidedExample?: string;
}

/**
 * Per FIFO, the least depth whose run stays within `tolerance` (default 1%) of the run with
 * unbounded FIFOs, found by incremental re-timings of one recording against the unbounded run
 * (every other FIFO unbounded). At its stall-free depth (its peak need in the unbounded run) no
 * write waits, so that depth fits without a probe and FIFOs that need 1 slot cost none; the
 * search gallops up from depth 1 (1, 2, 4, ...; most FIFOs fit at 1: one probe) and bisects
 * between the last depth over the bound and the first within. A depth that deadlocks the graph is
 * too shallow (decided); one whose order of grants at a shared resource the recording cannot
 * follow is counted as too shallow (undecided). The chosen depths interact, so they are then
 * checked together: while the joint run exceeds the bound, only the FIFOs still freezing their
 * producers in it are doubled (capped at their stall-free depth). Throws when the recording
 * cannot be re-timed exactly (non-blocking tests): then sizing needs full runs.
 */
export function sizeFifos(rec: Recording, opts: { tolerance?: number } = {}): FifoSizing {
  const plan = planSizing(rec, opts);
  return finishSizing(plan, [searchIndependent(plan.free, plan.unbounded, plan.need, plan.bound, plan.classes)]);
}

/**
 * What the search for independent depths stands on, the same wherever it runs: the run with
 * every FIFO unbounded (re-timed or, if its grants reorder, emulated and recorded: `free`), the
 * bound, each FIFO's stall-free depth, and the FIFOs alike in structure (`classes`).
 */
export interface SizingPlan {
  readonly rec: Recording;
  /** The recorded run re-timed (its frozen cycles per FIFO are the "before" column). */
  readonly recorded: RetimedRun;
  readonly free: Retimer;
  /** Per FIFO, the depth that never makes a write wait (its token count + 1, or its own if deeper). */
  readonly unbounded: Int32Array;
  readonly unboundedRecorded: boolean;
  readonly freeCycles: number;
  readonly bound: number;
  /** Per FIFO, its stall-free depth in the unbounded run. */
  readonly need: Int32Array;
  /**
   * FIFOs alike in structure (the same op in every layer: ports, tokens, width, recorded depth,
   * firings at both ends), each class in FIFO order; every FIFO is in one. A class's search
   * depends only on its own answers (`searchFrom`), so classes can be searched in any order or
   * on any thread with the same result.
   */
  readonly classes: readonly (readonly number[])[];
}

/** The independent depths of some classes of FIFOs, and what the search cost. */
export interface IndependentSearch {
  /** Per FIFO: its independent depth if its class was searched, else 0. */
  readonly independent: Int32Array;
  readonly retimings: number;
  readonly firingsRetimed: number;
  readonly undecided: number;
  readonly deadlocked: number;
  /** The first undecided probe of the FIFO with the least index that had one. */
  readonly example?: { readonly fifo: number; readonly text: string };
}

/** The recording re-timed, the unbounded run, the bound and the classes of FIFOs (`sizeFifos`' first step). */
export function planSizing(rec: Recording, opts: { tolerance?: number } = {}): SizingPlan {
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
  const need = Int32Array.from(fifos, (_, f) => free.stallFreeDepth(f));
  // The ports it connects name its role (the same in every layer).
  const portOf = new Array<string>(nF).fill('');
  for (const ga of rec.graph.actors) {
    for (const [port, f] of ga.outputs) portOf[f] += `${port}>`;
    for (const [port, f] of ga.inputs) portOf[f] += `>${port}`;
  }
  const firingsOf = (a: number) => (a === -1 ? -1 : ix.actorStart[a + 1]! - ix.actorStart[a]!);
  const twinKey = (f: number) => [portOf[f], ix.fifoBase[f + 1]! - ix.fifoBase[f]!, fifos[f]!.widthBytes, fifos[f]!.depth, firingsOf(ix.producer[f]!), firingsOf(ix.consumer[f]!)].join(' ');
  const byKey = new Map<string, number[]>();
  for (let f = 0; f < nF; f++) {
    const key = twinKey(f);
    const c = byKey.get(key);
    if (c) c.push(f);
    else byKey.set(key, [f]);
  }
  return { rec, recorded, free, unbounded, unboundedRecorded, freeCycles, bound, need, classes: [...byKey.values()] };
}

/**
 * The independent depth of every FIFO of `classes`: the least depth within `bound` with every
 * other FIFO unbounded, by probes re-timed on `free` (`sizeFifos`' second step; `free`,
 * `unbounded`, `need` and `bound` as in the plan, on this thread or a copy on another).
 */
export function searchIndependent(free: Retimer, unbounded: Int32Array, need: Int32Array, bound: number, classes: readonly (readonly number[])[]): IndependentSearch {
  const fifos = free.rec.graph.fifos;
  const nF = fifos.length;
  let retimings = 0;
  let firingsRetimed = 0;
  let undecided = 0;
  let deadlocked = 0;
  let example: { fifo: number; text: string } | undefined;
  const probe = (depthById: Int32Array, stopAboveCycles: number): RetimedRun | string => {
    retimings++;
    const r = free.retime({}, { depthById, stopAboveCycles });
    if (typeof r !== 'string') firingsRetimed += r.firingsRetimed;
    return r;
  };
  const depths = unbounded.slice();
  /** FIFO f at depth d, every other unbounded: within the bound? A deadlock is decided (too shallow); a reordered resource is not, and counts as too shallow. */
  let lastDeadlocked = false;
  const fits = (f: number, d: number): boolean => {
    depths[f] = d;
    const t = probe(depths, bound);
    depths[f] = unbounded[f]!;
    lastDeadlocked = false;
    if (typeof t !== 'string') return t.cycles <= bound;
    if (isDeadlock(t)) {
      deadlocked++;
      lastDeadlocked = true;
    } else {
      undecided++;
      if (example === undefined || f < example.fifo) example = { fifo: f, text: `FIFO '${fifos[f]!.name}' at depth ${d}: ${t}` };
    }
    return false;
  };
  const independent = new Int32Array(nF);
  for (const members of classes) {
    // FIFOs alike in structure need depths that change little, or linearly, from one to the next
    // (each layer's share of the bound's slack): the last two answers extrapolated are the first
    // guess (`searchFrom`), which two probes confirm instead of a gallop and a bisection.
    const seen: number[] = [];
    for (const f of members) {
      if (need[f]! <= 1) {
        independent[f] = need[f]!;
        continue;
      }
      if (seen.length > 0) {
        const last = seen[seen.length - 1]!;
        const guess = seen.length > 1 ? 2 * last - seen[seen.length - 2]! : last;
        independent[f] = searchFrom(Math.max(1, Math.min(need[f]!, guess)), need[f]!, (d) => fits(f, d));
        seen.push(independent[f]!);
        continue;
      }
      // Its stall-free depth fits (the run is then the unbounded one). Gallop up from 1 (most FIFOs
      // fit at 1: one probe), then bisect between the last depth over the bound and the first within.
      // A depth that deadlocks the graph points at a structural need (an accumulator that writes its
      // whole buffer before its first read needs all of it): the next probe is then one slot below
      // the stall-free depth, which settles such a FIFO in two probes instead of a gallop and a
      // bisection of deadlocks (each depth between over and within is decided the same way: fewer
      // slots never stall less).
      let over = 0;
      let within = need[f]!;
      for (let d = 1; d < within; d = Math.min(within, 2 * d)) {
        if (fits(f, d)) within = d;
        else {
          over = d;
          if (lastDeadlocked && within - 1 > 2 * d) {
            if (fits(f, within - 1)) within--;
            else {
              over = within - 1;
              break;
            }
          }
        }
      }
      while (over + 1 < within) {
        const mid = (over + within) >> 1;
        if (fits(f, mid)) within = mid;
        else over = mid;
      }
      independent[f] = within;
      seen.push(within);
    }
  }
  return { independent, retimings, firingsRetimed, undecided, deadlocked, ...(example !== undefined ? { example } : {}) };
}

/**
 * The sizing from the plan and the independent depths of every class (`sizeFifos`' last step:
 * the searches' results merged, then the joint check).
 */
export function finishSizing(plan: SizingPlan, found: readonly IndependentSearch[]): FifoSizing {
  const { rec, recorded, free, need, bound, freeCycles, unboundedRecorded } = plan;
  const fifos = rec.graph.fifos;
  const nF = fifos.length;
  const independent = new Int32Array(nF);
  let retimings = 0;
  let firingsRetimed = 0;
  let undecided = 0;
  let deadlocked = 0;
  let first: { fifo: number; text: string } | undefined;
  for (const s of found) {
    if (s.independent.length !== nF) throw new RangeError(`sizeFifos: a search's depths cover ${s.independent.length} FIFOs, the graph has ${nF}`);
    for (let f = 0; f < nF; f++) if (s.independent[f]! > 0) independent[f] = s.independent[f]!;
    retimings += s.retimings;
    firingsRetimed += s.firingsRetimed;
    undecided += s.undecided;
    deadlocked += s.deadlocked;
    if (s.example && (first === undefined || s.example.fifo < first.fifo)) first = s.example;
  }
  const missing = independent.findIndex((d) => d === 0);
  if (missing !== -1) throw new RangeError(`sizeFifos: no search gave FIFO '${fifos[missing]!.name}' a depth (its class was searched nowhere)`);
  const example = first?.text;

  // Joint check. Depths chosen one at a time interact, so the run with every FIFO at its depth is
  // checked; while it exceeds the bound, only the FIFOs that still froze their producers in it
  // (and are below their stall-free depth) are doubled, capped at the stall-free depth. If none
  // is left below it, every FIFO goes to its stall-free depth, where the run is the unbounded one.
  // A joint run the recording cannot decide is emulated in full (its cycles and frozen cycles per
  // FIFO are the engine's) and recorded; the next joint run (a few FIFOs deeper) is one sweep of
  // that recording.
  const rounds: number[] = [];
  let jointEmulated = 0;
  let jointDeadlocked = 0;
  let emulated: Recording | undefined;
  const jointRun = (d: Int32Array): Pick<RetimedRun, 'cycles' | 'stalledFullByFifo'> => {
    retimings++;
    // From the unbounded run's checkpoints; after an emulated joint run, one sweep of its
    // recording under the new depths (they change from the first cycles on: no checkpoint helps).
    let r: RetimedRun | string;
    if (emulated) {
      const sweep = new Retimer(emulated, {}, { depthById: d, checkpoints: false });
      r = sweep.why ?? sweep.baseRun!;
    } else r = free.retime({}, { depthById: d });
    if (typeof r !== 'string') {
      firingsRetimed += r.firingsRetimed;
      rounds.push(r.cycles);
      return r;
    }
    if (isDeadlock(r)) {
      // Depths sized one at a time, each with the others unbounded, can deadlock together: FIFOs in
      // series that must hold a structural need between them. Decided (the engine deadlocks too):
      // over the bound, every producer frozen for good, so every FIFO below its stall-free depth is doubled.
      jointDeadlocked++;
      rounds.push(Infinity);
      return { cycles: Infinity, stalledFullByFifo: new Float64Array(nF).fill(Infinity) };
    }
    // The engine's own run (its summary: cycles, frozen cycles per FIFO), recorded for the next joint runs.
    jointEmulated++;
    const fifoDepths = Object.fromEntries(fifos.map((f, i) => [f.name, d[i]!]));
    const run = runGraph(applyChanges(free.rec.graph, { fifoDepths }), { record: true, collectSinks: false });
    emulated = run.recording!;
    rounds.push(run.cycles);
    return { cycles: run.cycles, stalledFullByFifo: Float64Array.from(run.summary.fifos, (f) => f.fullStallCycles) };
  };
  const chosen = independent.slice();
  let joint = jointRun(chosen);
  while (joint.cycles > bound) {
    let raised = 0;
    for (let f = 0; f < nF; f++) {
      if (chosen[f]! < need[f]! && joint.stalledFullByFifo[f]! > 0) {
        chosen[f] = Math.min(need[f]!, 2 * chosen[f]!);
        raised++;
      }
    }
    if (raised === 0) {
      for (let f = 0; f < nF; f++) if (chosen[f]! < need[f]!) (chosen[f] = need[f]!), raised++;
      if (raised === 0) break;
    }
    joint = jointRun(chosen);
  }
  const all = joint;

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
    deadlockedProbes: deadlocked,
    jointRunsEmulated: jointEmulated,
    jointRunsDeadlocked: jointDeadlocked,
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

/**
 * The least depth in [1, need] that fits (`need` fits), searched from a guess g: g - 1 first, then g
 * (both as guessed: two probes); a guess too low gallops up from g (g + 1, g + 2, g + 4, ...), one
 * too high gallops up from 1 below g - 1, and a bisection ends either. Fewer slots never stall
 * less, so it finds the depth the gallop from 1 finds. A depth over the bound is a cheap probe
 * (stopped by the lower bound, or undecidable early: ~5 ms on the default preset's decode step),
 * one within re-times to the end (~50 ms): the gallops probe from below and the bisection
 * splits a quarter of the way up.
 */
export function searchFrom(guess: number, need: number, fits: (d: number) => boolean): number {
  let over = 0;
  let within = need;
  const g = Math.max(1, Math.min(need, guess));
  if (g > 1 && !fits(g - 1)) {
    over = g - 1;
    if (g === need) return need;
    if (fits(g)) return g;
    over = g;
    for (let step = 1; over + 1 < within; step *= 2) {
      const d = Math.min(within - 1, over + step);
      if (fits(d)) {
        within = d;
        break;
      }
      over = d;
    }
  } else {
    if (g > 1) {
      // Guessed one too high (extrapolation rounds): g - 2 over settles it.
      within = g - 1;
      if (within === 1) return 1;
      if (!fits(within - 1)) return within;
      within--;
    }
    for (let d = 1; d < within; d = Math.min(within, 2 * d)) {
      if (fits(d)) within = d;
      else over = d;
    }
  }
  // Split a quarter up: a probe over the bound costs a tenth of one within (see above).
  while (over + 1 < within) {
    const mid = over + Math.max(1, (within - over) >> 2);
    if (fits(mid)) within = mid;
    else over = mid;
  }
  return within;
}
