import { SLOT_TURNAROUND_CYCLES } from './fifo.js';
import type { Recording } from './recording.js';
import type { RetimeChanges } from './retime-changes.js';
import { matchCut, type CutMatch } from './retime-cut.js';
import { indexRecording, type RecordingIndex } from './retime-index.js';
import { SweepState } from './retime-state.js';
import { DEADLOCK, Sweep, SweepArrays, type SweepConfig } from './retime-sweep.js';

/** Rounds (checkpoints) a base sweep is cut into: a probe re-times from the cut before its first affected cycle. */
const ROUNDS = 256;

/** Cycles and per-actor attribution of one re-timing (arrays by actor / FIFO index; the summary's fields). */
export interface RetimedRun {
  readonly cycles: number;
  readonly busyCycles: Float64Array;
  readonly stalledEmptyCycles: Float64Array;
  readonly stalledFullCycles: Float64Array;
  readonly stalledContentionCycles: Float64Array;
  readonly resourceBoundCycles: Float64Array;
  readonly stalledFullByFifo: Float64Array;
  /** Firings whose start the re-timing resolved (the rest came from the base sweep). */
  readonly firingsRetimed: number;
}

/** Changes as arrays by id, for repeated probes without name look-ups (FIFO sizing). */
export interface ProbeOptions {
  /** Depth of every FIFO (replaces the base's and `fifoDepths`). */
  readonly depthById?: Int32Array;
  /** Stop once the run is known to exceed this many cycles (cycles then Infinity). */
  readonly stopAboveCycles?: number;
}

function configOf(rec: Recording, ix: RecordingIndex, over: RetimeChanges, base?: SweepConfig): SweepConfig {
  const g = rec.graph;
  const look = (m: ReadonlyMap<string, number>, n: string, what: string) => {
    const i = m.get(n);
    if (i === undefined) throw new RangeError(`retime: unknown ${what} '${n}'`);
    return i;
  };
  const depth = base ? base.depth.slice() : Int32Array.from(g.fifos, (f) => f.depth);
  const latencyCycles = base ? base.latencyCycles.slice() : new Float64Array(g.actors.length).fill(NaN);
  const iiCycles = base ? base.iiCycles.slice() : new Float64Array(g.actors.length).fill(NaN);
  const unitsPerCycle = base ? base.unitsPerCycle.slice() : Float64Array.from(g.resources, (r) => r.unitsPerCycle);
  for (const [n, v] of Object.entries(over.fifoDepths ?? {})) depth[look(ix.fifoIndex, n, 'FIFO')] = v;
  for (const [n, v] of Object.entries(over.latencyCycles ?? {})) latencyCycles[look(ix.actorIndex, n, 'actor')] = v;
  for (const [n, v] of Object.entries(over.iiCycles ?? {})) iiCycles[look(ix.actorIndex, n, 'actor')] = v;
  for (const [n, v] of Object.entries(over.resourceUnitsPerCycle ?? {})) unitsPerCycle[look(ix.resourceIndex, n, 'resource')] = v;
  return { depth, latencyCycles, iiCycles, unitsPerCycle };
}

const sameValue = (x: number, y: number) => x === y || (x !== x && y !== y);

/**
 * Re-timings of one recording relative to a base configuration (LightningSim-style: build once,
 * re-time many). The base is swept once, cut into rounds with a checkpoint of the sweep state
 * at each; a probe finds the first cycle its changes can affect (from the base's token and
 * start times), resumes from the checkpoint before it, and stops early at the first later cut
 * whose state equals the base's, shifted by one delta, once its changes are spent. Exact: the
 * same cycles and attribution as a sweep from the start (and a full re-run).
 */
export class Retimer {
  readonly ix: RecordingIndex;
  readonly config: SweepConfig;
  /** Why the base configuration cannot be re-timed exactly (then nothing can), or undefined. */
  readonly why: string | undefined;
  /** The base sweep's per-firing and per-token times. */
  readonly base: SweepArrays;
  readonly baseRun: RetimedRun | undefined;
  private readonly step: number;
  private readonly cuts: SweepState[] = [];
  /** Largest cycle the base sweep reached after each cut. */
  private readonly after: Float64Array;
  private final!: SweepState;
  private scratch: SweepArrays | undefined;
  /** Per FIFO, computed on first use: stall-free depth (0: not yet), first write that waited for its slot (NaN: not yet). */
  private readonly stallFree: Int32Array;
  private readonly slotWait: Float64Array;
  private work: SweepState | undefined;

  constructor(
    readonly rec: Recording,
    changes: RetimeChanges = {},
    opts: { readonly depthById?: Int32Array } = {},
  ) {
    this.ix = indexRecording(rec);
    const cfg = configOf(rec, this.ix, changes);
    if (opts.depthById) cfg.depth.set(opts.depthById);
    this.config = cfg;
    const g = rec.graph;
    this.stallFree = new Int32Array(g.fifos.length);
    this.slotWait = new Float64Array(g.fifos.length).fill(NaN);
    this.step = Math.max(1, Math.ceil(rec.cycles / ROUNDS));
    this.base = new SweepArrays(rec.firings, this.ix.totalTokens);
    const st = SweepState.initial(this.ix, g.actors.length, g.fifos.length, g.resources.length);
    const zA = new Int32Array(g.actors.length);
    const zF = new Int32Array(g.fifos.length);
    const sweep = new Sweep(rec, this.ix, cfg, st, this.base, this.base, zA, zA, zF, zF);
    this.cuts.push(st.clone());
    const roundMax: number[] = [-Infinity];
    const end = sweep.run(this.step, Infinity, (H) => {
      this.cuts.push(st.clone());
      roundMax.push(sweep.roundMax);
      return H + this.step;
    });
    this.after = new Float64Array(roundMax.length);
    let m = -Infinity;
    for (let k = roundMax.length - 1; k >= 0; k--) {
      this.after[k] = m;
      m = Math.max(m, roundMax[k]!);
    }
    this.why = typeof end === 'object' ? end.why : undefined;
    this.final = st;
    this.baseRun = this.why === undefined ? runOf(st, st.makespan, firingsOf(this.ix, st, this.ix.actorStart.subarray(0, g.actors.length))) : undefined;
  }

  /**
   * The run under the base configuration plus `changes` (or `opts.depthById`), or the reason it
   * cannot be re-timed exactly (a reordered resource, a deadlock).
   */
  retime(changes: RetimeChanges = {}, opts: ProbeOptions = {}): RetimedRun | string {
    if (this.why !== undefined) return this.why;
    const cfg = configOf(this.rec, this.ix, changes, this.config);
    if (opts.depthById) cfg.depth.set(opts.depthById);
    return this.probe(cfg, opts.stopAboveCycles ?? Infinity);
  }

  private probe(cfg: SweepConfig, stopAbove: number): RetimedRun | string {
    const { ix, rec, config: c0, base } = this;
    const changedF: number[] = [];
    const changedA: number[] = [];
    const changedR: number[] = [];
    let t0 = Infinity;
    for (let f = 0; f < cfg.depth.length; f++) {
      if (cfg.depth[f] === c0.depth[f]) continue;
      changedF.push(f);
      t0 = Math.min(t0, this.firstFifoEffect(f, c0.depth[f]!, cfg.depth[f]!));
    }
    for (let a = 0; a < cfg.latencyCycles.length; a++) {
      if (sameValue(cfg.latencyCycles[a]!, c0.latencyCycles[a]!) && sameValue(cfg.iiCycles[a]!, c0.iiCycles[a]!)) continue;
      changedA.push(a);
      for (let p = ix.actorStart[a]!; p < ix.actorStart[a + 1]!; p++) {
        const i = ix.actorFirings[p]!;
        const lat = (v: number) => (v === v ? v : rec.latencyCycles[i]!);
        const ii = (v: number) => (v === v ? v : rec.iiCycles[i]!);
        if (lat(cfg.latencyCycles[a]!) !== lat(c0.latencyCycles[a]!) || ii(cfg.iiCycles[a]!) !== ii(c0.iiCycles[a]!)) {
          t0 = Math.min(t0, base.startT[i]!);
          break;
        }
      }
    }
    for (let r = 0; r < cfg.unitsPerCycle.length; r++) {
      if (cfg.unitsPerCycle[r] === c0.unitsPerCycle[r]) continue;
      changedR.push(r);
      if (ix.resStart[r + 1]! > ix.resStart[r]!) t0 = Math.min(t0, base.startT[ix.reqFiring[ix.resSeq[ix.resStart[r]!]!]!]!);
    }
    const fin = this.final;
    if (t0 === Infinity) return { ...this.baseRun!, cycles: fin.makespan > stopAbove ? Infinity : fin.makespan, firingsRetimed: 0 };
    const k0 = Math.min(Math.floor(t0 / this.step), this.cuts.length - 1);
    const from = this.cuts[k0]!;
    const g = rec.graph;
    this.scratch ??= new SweepArrays(rec.firings, ix.totalTokens);
    this.work ??= new SweepState(g.actors.length, g.fifos.length, g.resources.length);
    const st = this.work;
    st.copyFrom(from);
    const arrays = { lo: base, out: this.scratch, loCur: from.cur, loPh: from.ph, loR: from.rCount };
    const sweep = new Sweep(rec, ix, cfg, st, this.scratch, base, from.cur, from.ph, from.wCount, from.rCount);
    let match: { k: number; m: CutMatch } | undefined;
    const spent = (): boolean => {
      for (const f of changedF) if (st.wCount[f] !== ix.fifoBase[f + 1]! - ix.fifoBase[f]!) return false;
      for (const a of changedA) if (st.cur[a] !== ix.actorStart[a + 1]) return false;
      for (const r of changedR) if (st.rp[r] !== ix.resStart[r + 1]) return false;
      return true;
    };
    // Once the changes are spent, each round ends where a base cut would fall if the rest of the
    // probe were the base shifted by delta (delta guessed from the newest write), and is compared with it.
    let aligned: { j: number; delta: number } | undefined;
    const step = this.step;
    const end = sweep.run((k0 + 1) * step, stopAbove, (H) => {
      if (aligned) {
        const { j, delta } = aligned;
        const m = matchCut(rec, ix, cfg, H, j * step, delta, st, arrays, this.cuts[j]!, base);
        if (m) {
          match = { k: j, m };
          return NaN;
        }
        aligned = undefined;
      }
      if (!spent()) return H + step;
      const delta = this.activeDelta(st, from.wCount, H - step);
      const j = Math.floor((H - delta) / step) + 1;
      if (delta !== delta || j >= this.cuts.length) return H + step;
      aligned = { j, delta };
      return j * step + delta;
    });
    if (typeof end === 'object') return end.why;
    if (end === 'above') return { ...runOf(st, Infinity, firingsOf(ix, st, from.cur)) };
    if (end === 'done') return runOf(st, st.makespan, firingsOf(ix, st, from.cur));
    // Cut off at match.k: the rest is the base's, shifted by delta.
    const { k, m } = match!;
    const at = this.cuts[k]!;
    const d = m.deltaCycles;
    const plus = (x: Float64Array, y: Float64Array, z: Float64Array) => x.map((v, i) => v + y[i]! - z[i]!);
    const cycles = Math.max(st.makespan, this.after[k]! + d);
    const fixed = (x: Float64Array, fix: Float64Array | undefined) => {
      if (fix) for (let i = 0; i < x.length; i++) x[i] += fix[i]!;
      return x;
    };
    return {
      cycles: cycles > stopAbove ? Infinity : cycles,
      busyCycles: plus(st.busy, fin.busy, at.busy),
      stalledEmptyCycles: fixed(plus(st.stalledEmpty, fin.stalledEmpty, at.stalledEmpty), m.stalledEmptyFix),
      stalledFullCycles: fixed(plus(st.stalledFull, fin.stalledFull, at.stalledFull), m.stalledFullFix),
      stalledContentionCycles: plus(st.stalledContention, fin.stalledContention, at.stalledContention),
      resourceBoundCycles: plus(st.resourceBound, fin.resourceBound, at.resourceBound),
      stalledFullByFifo: fixed(plus(st.byFifo, fin.byFifo, at.byFifo), m.stalledFullByFifoFix),
      firingsRetimed: firingsOf(ix, st, from.cur),
    };
  }

  /**
   * The delay of the probe against the base where it is active: per FIFO written in the last
   * round, its newest token's probe minus base write cycle; the most frequent (NaN: none).
   * Actors that run ahead of the change (prefetchers) keep a smaller delay, so the newest write
   * alone can mislead.
   */
  private activeDelta(st: SweepState, loW: Int32Array, since: number): number {
    const { ix, base } = this;
    const count = new Map<number, number>();
    for (let f = 0; f < loW.length; f++) {
      const w = st.wCount[f]! - 1;
      if (w < ix.initial[f]!) continue;
      const x = ix.fifoBase[f]! + w;
      const t = (w < loW[f]! ? base : this.scratch!).tokW[x]!;
      if (t < since) continue;
      const d = t - base.tokW[x]!;
      count.set(d, (count.get(d) ?? 0) + 1);
    }
    let best = NaN;
    let n = 0;
    for (const [d, c] of count) {
      if (c > n || (c === n && d > best)) {
        best = d;
        n = c;
      }
    }
    return best;
  }

  /**
   * The first cycle at which FIFO f's depth going from d0 (the base's) to d1 can change a write
   * (in the base sweep): a shallower FIFO where a slot is needed before the base's write, a
   * deeper one where the base's write waited for f's slot. Infinity: the change moves nothing.
   * LightningSim's incremental case costs O(1) after a first look at the FIFO: a deeper FIFO
   * whose writes never waited for its slot, or any depth at or above its peak need (a write
   * never waits at it), changes nothing.
   */
  private firstFifoEffect(f: number, d0: number, d1: number): number {
    if (d1 > d0) return this.firstSlotWait(f, d0);
    if (d1 >= this.stallFreeDepth(f)) return Infinity;
    const { ix, base } = this;
    const b = ix.fifoBase[f]!;
    const n = ix.fifoBase[f + 1]! - b;
    const turn = ix.selfLoop[f] ? 0 : SLOT_TURNAROUND_CYCLES;
    for (let j = Math.max(ix.initial[f]!, d1); j < n; j++) {
      const at = base.tokW[b + j]!;
      if (base.tokR[b + j - d1]! + turn > at) {
        const i = ix.tokenWriter[b + j]!;
        return base.fzD[i]! > 0 ? base.fzC[i]! : at;
      }
    }
    return Infinity;
  }

  /** The first cycle a base write froze waiting for FIFO f's slot at its base depth d0 (Infinity: never); once per FIFO. */
  private firstSlotWait(f: number, d0: number): number {
    const known = this.slotWait[f]!;
    if (known === known) return known;
    const { ix, base } = this;
    const b = ix.fifoBase[f]!;
    const n = ix.fifoBase[f + 1]! - b;
    const turn = ix.selfLoop[f] ? 0 : SLOT_TURNAROUND_CYCLES;
    let first = Infinity;
    for (let j = Math.max(ix.initial[f]!, d0); j < n; j++) {
      const i = ix.tokenWriter[b + j]!;
      const at = base.tokW[b + j]!;
      const c = base.fzD[i]! > 0 ? base.fzC[i]! : at;
      if (at > c && base.tokR[b + j - d0]! + turn >= at) {
        first = c;
        break;
      }
    }
    this.slotWait[f] = first;
    return first;
  }

  /**
   * The least depth of FIFO f at which no write of the base run waits for a read (its peak need):
   * at the write of token j (cycle W), the earlier tokens read after W - 2 (self-loop: after W)
   * still hold or block their slot. Reads and writes are in token order, so one pass over the
   * FIFO's tokens, once.
   */
  stallFreeDepth(f: number): number {
    const known = this.stallFree[f]!;
    if (known > 0) return known;
    const { ix, base } = this;
    const b = ix.fifoBase[f]!;
    const n = ix.fifoBase[f + 1]! - b;
    const turn = ix.selfLoop[f] ? 0 : SLOT_TURNAROUND_CYCLES;
    let need = 1;
    let p = 0;
    for (let j = 0; j < n; j++) {
      const w = base.tokW[b + j]!;
      while (p < j && base.tokR[b + p]! + turn <= w) p++;
      if (j - p + 1 > need) need = j - p + 1;
    }
    this.stallFree[f] = need;
    return need;
  }
}

function firingsOf(_ix: RecordingIndex, st: SweepState, from: Int32Array): number {
  let n = 0;
  for (let a = 0; a < from.length; a++) n += st.cur[a]! - from[a]!;
  return n;
}

function runOf(st: SweepState, cycles: number, firingsRetimed: number): RetimedRun {
  return {
    cycles,
    busyCycles: st.busy.slice(),
    stalledEmptyCycles: st.stalledEmpty.slice(),
    stalledFullCycles: st.stalledFull.slice(),
    stalledContentionCycles: st.stalledContention.slice(),
    resourceBoundCycles: st.resourceBound.slice(),
    stalledFullByFifo: st.byFifo.slice(),
    firingsRetimed,
  };
}

/** Whether a re-timing's reason is a deadlock of the changed graph (decided: the engine deadlocks as well), not an order it cannot follow. */
export function isDeadlock(why: string): boolean {
  return why.startsWith(DEADLOCK);
}
