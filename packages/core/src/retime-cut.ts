import { SLOT_TURNAROUND_CYCLES } from './fifo.js';
import type { Recording } from './recording.js';
import type { RecordingIndex } from './retime-index.js';
import type { SweepState } from './retime-state.js';
import type { SweepArrays, SweepConfig } from './retime-sweep.js';

/** Where a probe's per-firing and per-token values live: below the resume cut in `lo`, above in `out`. */
export interface ProbeArrays {
  readonly lo: SweepArrays;
  readonly out: SweepArrays;
  readonly loCur: Int32Array;
  readonly loPh: Int32Array;
  readonly loR: Int32Array;
}

/** Outcome of comparing a probe's cut with the base's cut at the same cycle H. */
export interface CutMatch {
  /** Every later time of the probe is the base's plus delta. */
  readonly deltaCycles: number;
  /**
   * Attribution the probe's future adds beyond the base's (undefined: none): an actor idle in
   * both runs starts its next empty stall from another cycle; an actor frozen in both runs from a
   * cycle before the cut thaws delta later in the probe but froze from another cycle.
   */
  readonly stalledEmptyFix: Float64Array | undefined;
  readonly stalledFullFix: Float64Array | undefined;
  readonly stalledFullByFifoFix: Float64Array | undefined;
}

/**
 * Whether the probe's state `s` at cut H equals the base's `b` at cut Hb = H - delta, shifted by delta (early
 * cut-off): then every later start, write and grant of the probe is the base's plus delta (the
 * rules are max-plus: shifting every input shifts every output), and the rest need not be
 * re-timed. Values below H that no later step can use are not compared (a later step's cycle is
 * at least H, so a committed token's write, an idle actor's next-allowed cycle, an idle
 * calendar, a slot freed before H - 2 never decide it). Valid only once the probe's changes are
 * spent (changed FIFOs written, changed actors started, changed resources granted); the caller
 * checks that.
 */
export function matchCut(rec: Recording, ix: RecordingIndex, cfg: SweepConfig, H: number, Hb: number, delta: number, s: SweepState, p: ProbeArrays, b: SweepState, base: SweepArrays): CutMatch | undefined {
  const same = (x: number, y: number): boolean => {
    if (x !== x || y !== y) return x !== x && y !== y;
    if (x === Infinity || x === -Infinity || y === Infinity || y === -Infinity) return x === y;
    return x === y + delta;
  };
  const nF = s.wCount.length;
  for (let f = 0; f < nF; f++) if (s.wCount[f] !== b.wCount[f] || s.rCount[f] !== b.rCount[f]) return undefined;
  const nR = s.cursor.length;
  for (let r = 0; r < nR; r++) {
    if (s.rp[r] !== b.rp[r] || s.prevFiring[r] !== b.prevFiring[r] || s.groupOk[r] !== b.groupOk[r]) return undefined;
    const idle = s.cursor[r]! < H && b.cursor[r]! < Hb && !(s.prevNew[r]! >= H) && !(b.prevNew[r]! >= Hb);
    if (idle) continue;
    if (s.used[r] !== b.used[r] || s.owner[r] !== b.owner[r] || !same(s.cursor[r]!, b.cursor[r]!) || !same(s.prevNew[r]!, b.prevNew[r]!)) return undefined;
  }
  const { actorStart, actorFirings } = ix;
  const nA = s.cur.length;
  let dominated: number[] | undefined;
  let fixEmpty: Float64Array | undefined;
  let fixFull: Float64Array | undefined;
  let fixByFifo: Float64Array | undefined;
  for (let a = 0; a < nA; a++) {
    const cur = s.cur[a]!;
    const ph = s.ph[a]!;
    const fp = s.fp[a]!;
    if (cur !== b.cur[a] || ph !== b.ph[a] || fp !== b.fp[a] || s.grantK[a] !== b.grantK[a]) return undefined;
    const end = actorStart[a + 1]!;
    if (cur === end && ph === end && fp === end) continue;
    if (s.unapplied[a] !== b.unapplied[a]) return undefined;
    if (!same(s.startAt[a]!, b.startAt[a]!)) return undefined;
    if (s.startAt[a] === s.startAt[a] && (!same(s.grantEnd[a]!, b.grantEnd[a]!) || !same(s.grantWait[a]!, b.grantWait[a]!))) return undefined;
    let freezesPending = false;
    for (let q = fp; q < ph; q++) {
      const j = actorFirings[q]!;
      const fz = q < p.loPh[a]! ? p.lo : p.out;
      if (fz.fzD[j] !== base.fzD[j]) return undefined;
      if (fz.fzD[j]! > 0) {
        freezesPending = true;
        if (!same(fz.fzC[j]!, base.fzC[j]!)) return undefined;
      }
    }
    const planS = (q: number) => (q < p.loCur[a]! ? p.lo : p.out).plan[actorFirings[q]!]! + s.shift[a]!;
    const planB = (q: number) => base.plan[actorFirings[q]!]! + b.shift[a]!;
    if (ph < cur && !freezesPending && s.startAt[a] !== s.startAt[a] && b.startAt[a] !== b.startAt[a] && planS(ph) < H && planB(ph) < Hb) {
      // Frozen in both runs: the oldest planned write c is due before the cut but its slot comes
      // free after it, so it lands at the slot's read + 2, which is the base's plus delta; the
      // freeze [c, landing) then moves every later planned write, the tail and (at the next
      // start) na by its length. So those count relative to c, and the freeze is longer by
      // delta - (c_probe - c_base): stalled-full cycles of the actor and of the FIFO whose slot
      // comes last (the base's, whose reads the probe's future repeats shifted).
      const cS = planS(ph);
      const cB = planB(ph);
      for (let q = ph + 1; q < cur; q++) if (planS(q) - cS !== planB(q) - cB) return undefined;
      if (s.tail[a]! - cS !== b.tail[a]! - cB) return undefined;
      const naS = s.na[a]!;
      const naB = b.na[a]!;
      if (naS >= cS && naB >= cB) {
        // Thaw: na += the freeze.
        if (naS - cS !== naB - cB) return undefined;
      } else if (naS < cS && naB < cB) {
        // Thaw: na = the landing; starved from na to c (at a next start: after the last one the
        // wait is idle, or for an actor without a firing count as its input's close decides,
        // which closesAgree checks).
        if (cur < end) (fixEmpty ??= new Float64Array(nA))[a] += cS - naS - (cB - naB);
      } else return undefined;
      const longer = delta - (cS - cB);
      if (longer !== 0) {
        (fixFull ??= new Float64Array(nA))[a] += longer;
        (fixByFifo ??= new Float64Array(nF))[blockingFifo(rec, ix, cfg, actorFirings[ph]!, base)] += longer;
      }
      continue;
    }
    for (let q = ph; q < cur; q++) if (!same(planS(q), planB(q))) return undefined;
    const idle = cur < end && ph === cur && !freezesPending && s.startAt[a] !== s.startAt[a] && s.na[a]! < H && b.na[a]! < Hb && s.tail[a]! < H && b.tail[a]! < Hb;
    if (idle) {
      (dominated ??= []).push(a);
      continue;
    }
    if (!same(s.na[a]!, b.na[a]!) || !same(s.tail[a]!, b.tail[a]!)) return undefined;
  }
  // Slots the next writes wait for: reads of the last `depth` tokens, unless freed before H - 2.
  const { fifoBase, selfLoop } = ix;
  for (let f = 0; f < nF; f++) {
    const n = fifoBase[f + 1]! - fifoBase[f]!;
    const w = s.wCount[f]!;
    if (w === n) continue;
    const turn = selfLoop[f] ? 0 : SLOT_TURNAROUND_CYCLES;
    const first = Math.max(0, w - cfg.depth[f]!);
    for (let k = s.rCount[f]! - 1; k >= first; k--) {
      const x = (k < p.loR[f]! ? p.lo : p.out).tokR[fifoBase[f]! + k]!;
      const y = base.tokR[fifoBase[f]! + k]!;
      if (x + turn < H && y + turn < Hb) break;
      if (!same(x, y)) return undefined;
    }
  }
  if (dominated) {
    fixEmpty ??= new Float64Array(nA);
    // Their next empty stall runs from na to a start that is the base's plus delta.
    for (const a of dominated) fixEmpty[a] += b.na[a]! + delta - s.na[a]!;
  }
  return { deltaCycles: delta, stalledEmptyFix: fixEmpty, stalledFullFix: fixFull, stalledFullByFifoFix: fixByFifo };
}

/** The FIFO a frozen write of firing i waits for in the base run: the first of its tokens whose slot comes free last (as the sweep charges it). */
function blockingFifo(rec: Recording, ix: RecordingIndex, cfg: SweepConfig, i: number, base: SweepArrays): number {
  const { ops, opStart, nReads } = rec;
  let at = -Infinity;
  let blocking = -1;
  for (let o = opStart[i]! + nReads[i]!; o < opStart[i + 1]!; o++) {
    const f = ops[o]!;
    const k = ix.tok[o]! - cfg.depth[f]!;
    if (k < 0) continue;
    const free = base.tokR[ix.fifoBase[f]! + k]! + (ix.selfLoop[f] ? 0 : SLOT_TURNAROUND_CYCLES);
    if (free > at) {
      at = free;
      blocking = f;
    }
  }
  return blocking;
}

/**
 * The actors whose state at cut H differs from the base's at the same cut (no shift), with the
 * producers and consumers of FIFOs whose counts or pending slot reads differ. The others can
 * follow the base from H on while what M passes them (tokens, slots, a resource's calendar) keeps
 * their inputs and grants (`PartialGuard`). `seed` marks actors that must be in M
 * (the changed ones). Undefined when M would re-time more than half the firings left.
 */
export function partialSet(ix: RecordingIndex, cfg: SweepConfig, H: number, s: SweepState, p: ProbeArrays, b: SweepState, base: SweepArrays, seed: Uint8Array): Uint8Array | undefined {
  const nA = s.cur.length;
  const nF = s.wCount.length;
  const inM = seed.slice();
  const { actorFirings, fifoBase, selfLoop, producer, consumer } = ix;
  const put = (a: number) => {
    if (a !== -1) inM[a] = 1;
  };
  for (let a = 0; a < nA; a++) {
    if (inM[a]) continue;
    const cur = s.cur[a]!;
    const ph = s.ph[a]!;
    const fp = s.fp[a]!;
    let differs = cur !== b.cur[a] || ph !== b.ph[a] || fp !== b.fp[a] || s.grantK[a] !== b.grantK[a] || s.unapplied[a] !== b.unapplied[a];
    differs ||= s.na[a] !== b.na[a] || s.tail[a] !== b.tail[a] || !Object.is(s.startAt[a], b.startAt[a]) || s.grantEnd[a] !== b.grantEnd[a] || s.grantWait[a] !== b.grantWait[a];
    for (let q = fp; !differs && q < ph; q++) {
      const j = actorFirings[q]!;
      const fz = q < p.loPh[a]! ? p.lo : p.out;
      differs = fz.fzD[j] !== base.fzD[j] || (fz.fzD[j]! > 0 && fz.fzC[j] !== base.fzC[j]);
    }
    for (let q = ph; !differs && q < cur; q++) {
      const j = actorFirings[q]!;
      differs = (q < p.loCur[a]! ? p.lo : p.out).plan[j]! + s.shift[a]! !== base.plan[j]! + b.shift[a]!;
    }
    if (differs) inM[a] = 1;
  }
  for (let f = 0; f < nF; f++) {
    if (s.wCount[f] !== b.wCount[f] || s.rCount[f] !== b.rCount[f]) {
      put(producer[f]!);
      put(consumer[f]!);
      continue;
    }
    const w = s.wCount[f]!;
    if (w === fifoBase[f + 1]! - fifoBase[f]!) continue;
    const turn = selfLoop[f] ? 0 : SLOT_TURNAROUND_CYCLES;
    for (let k = s.rCount[f]! - 1; k >= Math.max(0, w - cfg.depth[f]!); k--) {
      const x = (k < p.loR[f]! ? p.lo : p.out).tokR[fifoBase[f]! + k]!;
      const y = base.tokR[fifoBase[f]! + k]!;
      if (x + turn < H && y + turn < H) break;
      if (x !== y) {
        put(producer[f]!);
        break;
      }
    }
  }
  return smallEnough(ix, s, inM);
}

/** M, or undefined when it would re-time more than half the firings left (then the full sweep goes on). */
export function smallEnough(ix: RecordingIndex, s: SweepState, inM: Uint8Array): Uint8Array | undefined {
  const nA = inM.length;
  let left = 0;
  let leftM = 0;
  for (let a = 0; a < nA; a++) {
    const n = ix.actorStart[a + 1]! - s.cur[a]!;
    left += n;
    if (inM[a]) leftM += n;
  }
  return 2 * leftM > left ? undefined : inM;
}
