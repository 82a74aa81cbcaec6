import { SLOT_TURNAROUND_CYCLES } from './fifo.js';
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
  /** Actors whose next start is input-driven in both runs but whose own next-allowed cycle differs: their next empty stall differs by this much. */
  readonly stalledEmptyFix: Float64Array | undefined;
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
export function matchCut(ix: RecordingIndex, cfg: SweepConfig, H: number, Hb: number, delta: number, s: SweepState, p: ProbeArrays, b: SweepState, base: SweepArrays): CutMatch | undefined {
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
    for (let q = ph; q < cur; q++) {
      const j = actorFirings[q]!;
      if (!same((q < p.loCur[a]! ? p.lo : p.out).plan[j]! + s.shift[a]!, base.plan[j]! + b.shift[a]!)) return undefined;
    }
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
  const d = delta;
  let fix: Float64Array | undefined;
  if (dominated) {
    fix = new Float64Array(nA);
    // Their next empty stall runs from na to a start that is the base's plus delta.
    for (const a of dominated) fix[a] = b.na[a]! + d - s.na[a]!;
  }
  return { deltaCycles: d, stalledEmptyFix: fix };
}
