import type { BpcsuParams } from './params.js';

/**
 * The BPCSU cycle model (pure functions of the parameters and the token shape).
 *
 * One firing searches one block: each of the `lanes` BPCSUs takes the T sub-vectors of its
 * position, one per cycle (II = 1 per sub-vector per BPCSU), all lanes in parallel.
 *
 *   chains      = ceil(c_a / l)
 *   treeDepth   = ceil(log2(chains))                      (0 for one chain)
 *   latency     = fanoutStages(chains) + l * dPE + treeDepth * comparator
 *   reload      = l       (each chain shifts its l centroids in, one per cycle, chains in parallel)
 *   blockCycles = max(T, reload)  with double-buffered centroid registers, else T + reload
 *
 * A naive single chain of 64 (l = 64) has a 64 * dPE fill latency and a 64-cycle reload per
 * block; a full 64-input tree (l = 1) is short but needs a 64-way input broadcast and 63
 * comparators per BPCSU. Four chains of 16 cut the latency and the reload by 4 with 3 comparators,
 * and the reload (16 cycles) hides under the HBM time of one (block, group) of tables (20 cycles
 * at 1024 B/cycle): the "bandwidth-aware" choice of DESIGN.md 1.2.
 */

/** Shape of the dPE array of one BPCSU. */
export interface BpcsuTopology {
  readonly chains: number;
  readonly chainLength: number;
  /** Depth of the argmin tree over the chains. */
  readonly treeDepth: number;
  /** Comparators of the argmin tree (chains - 1). */
  readonly comparators: number;
  /** dPEs (= centroids). */
  readonly dpes: number;
  /** Loads the input sub-vector drives: one per chain head. */
  readonly inputFanout: number;
}

export function bpcsuTopology(p: BpcsuParams): BpcsuTopology {
  const chains = Math.ceil(p.centroids / p.chainLength);
  return {
    chains,
    chainLength: p.chainLength,
    treeDepth: ceilLog2(chains),
    comparators: chains - 1,
    dpes: p.centroids,
    inputFanout: chains,
  };
}

/** ceil(log2(n)) for n >= 1, with integer arithmetic. */
export function ceilLog2(n: number): number {
  let d = 0;
  while (1 << d < n) d++;
  return d;
}

/**
 * Register replication stages needed to drive `loads` loads when one register drives at most
 * `maxFanout` within a cycle: 0 up to maxFanout, 1 up to maxFanout^2, and so on.
 */
export function fanoutStages(loads: number, maxFanout: number): number {
  let stages = 0;
  for (let reach = maxFanout; reach < loads; reach *= maxFanout) stages++;
  return stages;
}

/** Cycles from a sub-vector entering a BPCSU to its index leaving the argmin tree. */
export function bpcsuLatencyCycles(p: BpcsuParams): number {
  const t = bpcsuTopology(p);
  return fanoutStages(t.inputFanout, p.maxFanoutPerStage) + p.chainLength * p.dpeLatencyCycles + t.treeDepth * p.comparatorLatencyCycles;
}

/** Cycles to shift one block's centroids into the dPE registers (chains load in parallel). */
export function bpcsuReloadCycles(p: BpcsuParams): number {
  return p.chainLength;
}

/** Initiation interval of one block firing (T sub-vectors per lane, plus the centroid reload). */
export function bpcsuBlockCycles(p: BpcsuParams, tokens: number): number {
  const reload = bpcsuReloadCycles(p);
  return p.centroidDoubleBuffer ? Math.max(tokens, reload) : tokens + reload;
}

/** Resources of the whole stage (all lanes), for reports and design-space comparisons. */
export interface BpcsuResources {
  readonly dpes: number;
  readonly comparators: number;
  /** Centroid registers (2 with double buffering) x dPEs x v x 32 bits. */
  readonly centroidRegisterBits: number;
  /** Largest broadcast of the input bus inside one BPCSU. */
  readonly inputFanout: number;
}

export function bpcsuResources(p: BpcsuParams): BpcsuResources {
  const t = bpcsuTopology(p);
  return {
    dpes: p.lanes * t.dpes,
    comparators: p.lanes * t.comparators,
    centroidRegisterBits: p.lanes * t.dpes * p.subvectorLength * 32 * (p.centroidDoubleBuffer ? 2 : 1),
    inputFanout: t.inputFanout,
  };
}
