import type { Recording } from './recording.js';
import type { RetimeChanges } from './retime-changes.js';
import { smallEnough, matchCut, partialSet, type CutMatch } from './retime-cut.js';
import { tailBounds } from './retime-bound.js';
import { FifoEffect } from './retime-fifo-effect.js';
import { grow, seedOf, type GrantBook } from './retime-partial.js';
import { indexRecording, type RecordingIndex } from './retime-index.js';
import { SweepState } from './retime-state.js';
import { closesAgree, trailingInput } from './retime-trailing.js';
import { DEADLOCK } from './retime-deadlock.js';
import { Sweep, SweepArrays, type SweepConfig } from './retime-sweep.js';

/**
 * Cuts at which a probe tries a partial re-timing, and tries at each (each failed try costs the
 * rounds it ran). A depth-1 centroids FIFO of the decode graph needs up to five growths of M (its
 * op's chain, then every loader on the shared centroid channel, see `grow`); a change that shifts
 * the critical path fails every try, and a second cut then only repeats them. FIFO sizing of the
 * decode graph (loaded machine): 2 cuts x 3 tries re-resolved 19.3 M firings in 11.0 s CPU,
 * 2 x 6 9.6 M in 9.9 s, 1 x 5 the same 9.6 M in 8.8 s.
 */
const PARTIAL_CUTS = 1;
const PARTIAL_TRIES = 5;

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
  /** When a FIFO's new depth can first change a write (the base's slot waits, per FIFO on first use). */
  private readonly fifoEffect: FifoEffect;
  /** Every grant of the base sweep (partial re-timings replay base actors' requests against it). */
  private readonly grants: GrantBook;
  /** Latest cycle each actor reaches in the base sweep (its part of the makespan). */
  private readonly actorMax: Float64Array;
  private work: SweepState | undefined;
  private saved: SweepState | undefined;
  /** Per actor: no write of it froze in the base sweep (computed on first partial re-timing). */
  private neverFrozen: Uint8Array | undefined;
  /** Per firing, the least cycles from its start to the run's end under the base configuration (`tailBounds`, on first use). */
  private tail: Float64Array | undefined;
  /** Per actor, 1 if its trailing wait read a close in the base sweep (retime-trailing.ts). */
  private closeReaders!: Uint8Array;

  constructor(
    readonly rec: Recording,
    changes: RetimeChanges = {},
    opts: {
      readonly depthById?: Int32Array;
      /** false: keep no checkpoints (a one-shot sweep for `baseRun`; a later `retime` then re-times from the start). Default true. */
      readonly checkpoints?: boolean;
    } = {},
  ) {
    this.ix = indexRecording(rec);
    const cfg = configOf(rec, this.ix, changes);
    if (opts.depthById) cfg.depth.set(opts.depthById);
    this.config = cfg;
    const g = rec.graph;
    this.step = Math.max(1, Math.ceil(rec.cycles / ROUNDS));
    this.base = new SweepArrays(rec.firings, this.ix.totalTokens);
    this.fifoEffect = new FifoEffect(this.ix, this.base, g.fifos.length);
    const st = SweepState.initial(this.ix, g.actors.length, g.fifos.length, g.resources.length);
    const zA = new Int32Array(g.actors.length);
    const zF = new Int32Array(g.fifos.length);
    this.actorMax = new Float64Array(g.actors.length).fill(-Infinity);
    const nq = rec.reqResource.length;
    this.grants = { end: new Float64Array(nq), start: new Float64Array(nq), heldBy: new Int32Array(nq), cursorAfter: new Float64Array(nq), usedAfter: new Float64Array(nq), ownerAfter: new Int32Array(nq), groupOkAfter: new Uint8Array(nq) };
    // A depth below the recorded run's (which completed) may deadlock.
    const mayDeadlock = g.fifos.some((f, i) => cfg.depth[i]! < f.depth);
    const sweep = new Sweep(rec, this.ix, cfg, st, this.base, this.base, zA, zA, zF, zF, { actorMax: this.actorMax, grants: this.grants, mayDeadlock });
    sweep.closeReaders = this.closeReaders = new Uint8Array(g.actors.length);
    this.cuts.push(st.clone());
    const roundMax: number[] = [-Infinity];
    const keep = opts.checkpoints ?? true;
    const end = sweep.run(this.step, Infinity, (H) => {
      if (keep) this.cuts.push(st.clone());
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
      t0 = Math.min(t0, this.fifoEffect.firstFifoEffect(f, c0.depth[f]!, cfg.depth[f]!));
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
    // Only a FIFO shallower than the base's (whose sweep completed) can deadlock the graph.
    const mayDeadlock = changedF.some((f) => cfg.depth[f]! < c0.depth[f]!);
    // A probe with a limit stops once a lower bound of its cycles passes it; the per-firing tail
    // bounds hold at any depth, so a depth-only probe reuses the base configuration's.
    const tail = stopAbove < Infinity && changedA.length === 0 && changedR.length === 0 ? (this.tail ??= tailBounds(rec, ix, c0)) : undefined;
    let match: { k: number; m: CutMatch } | undefined;
    const spent = (): boolean => {
      for (const f of changedF) if (st.wCount[f] !== ix.fifoBase[f + 1]! - ix.fifoBase[f]!) return false;
      for (const a of changedA) if (st.cur[a] !== ix.actorStart[a + 1]) return false;
      for (const r of changedR) if (st.rp[r] !== ix.resStart[r + 1]) return false;
      return true;
    };
    // Once the changes are spent, each round ends where a base cut would fall if the rest of the
    // probe were the base shifted by delta (delta guessed from the newest write), and is compared
    // with it. Before that (at the first PARTIAL_CUTS cuts), the actors whose state differs from
    // the base's there, with those the changes touch (M), may be re-timed alone under the changes
    // while the others follow the base (`partialSet`); if what M passes them would move them, the
    // probe goes on from that cut with every actor.
    let aligned: { j: number; delta: number } | undefined;
    let partialTried = -1;
    let partialCuts = 0;
    const step = this.step;
    let partial: { H: number; inM: Uint8Array } | undefined;
    let end: ReturnType<Sweep['run']>;
    let horizon = (k0 + 1) * step;
    for (;;) {
      const sweep = new Sweep(rec, ix, cfg, st, this.scratch, base, from.cur, from.ph, from.wCount, from.rCount, { mayDeadlock, ...(tail ? { tail } : {}) });
      end = sweep.run(horizon, stopAbove, (H) => {
        if (aligned) {
          const { j, delta } = aligned;
          const m = matchCut(rec, ix, cfg, H, j * step, delta, st, arrays, this.cuts[j]!, base);
          if (m && closesAgree(rec, ix, trailingInput(rec, ix), this.closeReaders, H, j * step, delta, st, { ...arrays, loW: from.wCount }, this.cuts[j]!, base)) {
            match = { k: j, m };
            return NaN;
          }
          aligned = undefined;
        }
        if (!spent()) {
          const k = H / step;
          if (partialCuts < PARTIAL_CUTS && k > partialTried && Number.isInteger(k) && k < this.cuts.length) {
            partialTried = k;
            const inM = partialSet(ix, cfg, H, st, arrays, this.cuts[k]!, base, seedOf(ix, this.actorMax.length, changedF, changedA, changedR));
            if (inM) {
              partial = { H, inM };
              return NaN;
            }
          }
          return H + step;
        }
        const delta = this.activeDelta(st, from.wCount, H - step);
        const j = Math.floor((H - delta) / step) + 1;
        if (delta !== delta || j >= this.cuts.length) return H + step;
        aligned = { j, delta };
        return j * step + delta;
      });
      if (end !== 'cut' || !partial) break;
      // A base actor that what M passes would move joins M with its neighbours up to a distance
      // that doubles with each try (1, 2, 4, ... FIFOs away: a delay travels down a chain), and M is
      // re-timed again from the same cut.
      let inM: Uint8Array | undefined = partial.inM;
      for (let tries = 0; inM && tries < PARTIAL_TRIES; tries++) {
        const done = this.runPartial(cfg, st, from, partial.H, inM, stopAbove);
        if (typeof done === 'object') return done;
        if (done === -1) break;
        grow(ix, inM, done, 1 << tries);
        inM = smallEnough(ix, st, inM);
      }
      partialCuts++;
      horizon = partial.H + step;
      partial = undefined;
    }
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
   * Re-times only the actors of `inM` from the cut at H (the others follow the base there on, see
   * `PartialGuard`): the run, or (state restored) the base actor what M passes would move, -1 if M
   * is stuck.
   */
  private runPartial(cfg: SweepConfig, st: SweepState, from: SweepState, H: number, inM: Uint8Array, stopAbove: number): RetimedRun | number {
    const { ix, rec, base } = this;
    const g = rec.graph;
    const saved = (this.saved ??= new SweepState(g.actors.length, g.fifos.length, g.resources.length));
    saved.copyFrom(st);
    const loW = from.wCount.slice();
    const loR = from.rCount.slice();
    for (let f = 0; f < loW.length; f++) {
      const n = ix.fifoBase[f + 1]! - ix.fifoBase[f]!;
      const p = ix.producer[f]!;
      const c = ix.consumer[f]!;
      // What a base actor writes or reads from H on is the base's: M finds it known.
      if (p === -1 || !inM[p]) loW[f] = st.wCount[f] = n;
      if (c === -1 || !inM[c]) loR[f] = st.rCount[f] = n;
    }
    if (!this.neverFrozen) {
      this.neverFrozen = new Uint8Array(g.actors.length).fill(1);
      for (let i = 0; i < rec.firings; i++) if (base.fzD[i]! > 0) this.neverFrozen[rec.actor[i]!] = 0;
    }
    const at = this.cuts[H / this.step]!;
    const replay = replayed(ix, inM, st, at);
    const sweep = new Sweep(rec, ix, cfg, st, this.scratch!, base, from.cur, from.ph, loW, loR, { active: inM, guard: { inM, neverFrozen: this.neverFrozen, grants: this.grants, replay } });
    sweep.baseCloseReaders = this.closeReaders;
    const end = sweep.run(H + this.step, stopAbove, (h) => h + this.step);
    if (end !== 'done' && end !== 'above') {
      // A crossing that would move a base actor (PARTIAL_ABORT), or M stuck: the full sweep from the cut decides.
      st.copyFrom(saved);
      return sweep.violator;
    }
    const fin = this.final;
    let cycles = st.makespan;
    for (let a = 0; a < inM.length; a++) if (!inM[a] && this.actorMax[a]! > cycles) cycles = this.actorMax[a]!;
    // Base actors: the probe's books to H plus the base's from H on.
    const books = (x: Float64Array, y: Float64Array, z: Float64Array, owner: (i: number) => number) => x.map((v, i) => (inM[owner(i)] ? v : v + y[i]! - z[i]!));
    const self = (a: number) => a;
    const writer = (f: number) => ix.producer[f]!;
    return {
      cycles: end === 'above' || cycles > stopAbove ? Infinity : cycles,
      busyCycles: books(st.busy, fin.busy, at.busy, self),
      stalledEmptyCycles: books(st.stalledEmpty, fin.stalledEmpty, at.stalledEmpty, self),
      stalledFullCycles: books(st.stalledFull, fin.stalledFull, at.stalledFull, self),
      stalledContentionCycles: books(st.stalledContention, fin.stalledContention, at.stalledContention, self),
      resourceBoundCycles: books(st.resourceBound, fin.resourceBound, at.resourceBound, self),
      stalledFullByFifo: books(st.byFifo, fin.byFifo, at.byFifo, writer),
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

  /** The least depth of FIFO f at which no write of the base run waits for a read (its peak need; `FifoEffect.stallFreeDepth`). */
  stallFreeDepth(f: number): number {
    return this.fifoEffect.stallFreeDepth(f);
  }
}

/** Per resource, 1 if a partial sweep from cut `s` (base cut `b`) must replay its base requests (`PartialGuard.replay`). */
function replayed(ix: RecordingIndex, inM: Uint8Array, s: SweepState, b: SweepState): Uint8Array {
  const nR = s.cursor.length;
  const out = new Uint8Array(nR);
  for (let r = 0; r < nR; r++) {
    let used = s.rp[r] !== b.rp[r] || s.cursor[r] !== b.cursor[r] || s.used[r] !== b.used[r] || s.owner[r] !== b.owner[r] || s.prevFiring[r] !== b.prevFiring[r];
    used ||= s.groupOk[r] !== b.groupOk[r] || !Object.is(s.prevNew[r], b.prevNew[r]) || !Object.is(s.prevRec[r], b.prevRec[r]);
    for (let k = ix.resActorStart[r]!; !used && k < ix.resActorStart[r + 1]!; k++) used = inM[ix.resActors[k]!] === 1;
    out[r] = used ? 1 : 0;
  }
  return out;
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
