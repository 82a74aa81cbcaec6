import type { Recording } from './recording.js';
import type { RecordingIndex } from './retime-index.js';
import type { SweepState } from './retime-state.js';

/**
 * The wait of an actor without a firing count after its last firing (engine: `tryFire` finds its
 * first input empty). The engine opens an empty stall at its next allowed cycle `na` if that input
 * is not yet closed; a freeze of its own pipeline beginning at c closes the stall as starved
 * [na, c) (`StallBook.closeEmpty`), while the input's close wakes it to retire and makes the wait
 * idle (`StallBook.retire`). So a trailing freeze at c after `na` charges `c - na` as starved
 * exactly when the input closes after c.
 */

/**
 * Per actor, the FIFO the engine's trailing wait blocks on, or -1 (limited actor, no input, a
 * self-loop or an unproduced input: the wait stays idle): the input the recorded run retired it on
 * (`Recording.retiredOn`). Which ports a firing reads does not depend on timing, so that holds under
 * every change; it is the first input of an actor without a `reads` selector, and for one with a
 * selector the selector's answer for the firing that never started, which no recorded firing shows.
 */
const blockedOn = new WeakMap<RecordingIndex, Int32Array>();

export function trailingInput(rec: Recording, ix: RecordingIndex): Int32Array {
  const hit = blockedOn.get(ix);
  if (hit) return hit;
  const out = Int32Array.from(rec.graph.actors, (_, a) => {
    if (!ix.unlimited[a]) return -1;
    const f = rec.retiredOn[a]!;
    if (f === -1) return -1;
    const p = ix.producer[f]!;
    return p === -1 || p === a ? -1 : f;
  });
  blockedOn.set(ix, out);
  return out;
}

/** Per-token write cycles, split at the sweep's resume cut as the sweep reads them. */
export interface WrittenTokens {
  readonly loTokW: Float64Array;
  readonly outTokW: Float64Array;
  readonly loW: Int32Array;
}

/**
 * The cycle actor p closes its outputs (engine: `retire`, then `close` once its pipeline drains):
 * the later of its retirement and its last write. A limited actor retires at its next allowed
 * cycle after its last firing (moved by its freezes); an unlimited one when its blocking input is
 * closed, if later. NaN while p (or an actor up its chain of unlimited producers) has steps left.
 */
export function closeCycle(rec: Recording, ix: RecordingIndex, st: SweepState, tw: WrittenTokens, input: Int32Array, p: number): number {
  let close = -Infinity;
  for (let hops = 0; hops <= input.length; hops++) {
    const end = ix.actorStart[p + 1]!;
    if (st.cur[p] !== end || st.ph[p] !== end || st.fp[p] !== end) return NaN;
    let t = st.na[p]!;
    // Its last write lands no earlier than any other (planned writes keep their order).
    for (let q = end - 1; q >= ix.actorStart[p]!; q--) {
      const i = ix.actorFirings[q]!;
      const o = rec.opStart[i]! + rec.nReads[i]!;
      if (o === rec.opStart[i + 1]) continue;
      const f = rec.ops[o]!;
      const k = ix.tok[o]!;
      const w = (k < tw.loW[f]! ? tw.loTokW : tw.outTokW)[ix.fifoBase[f]! + k]!;
      if (w > t) t = w;
      break;
    }
    if (t > close) close = t;
    if (!ix.unlimited[p]) return close;
    const f = input[p]!;
    if (f === -1) return close;
    p = ix.producer[f]!;
  }
  return close;
}

/** In a partial sweep: the first actor from p up its chain of unlimited producers (the actors whose ends decide p's close, as `closeCycle` walks them) that is not in M, or -1. */
export function followsBase(ix: RecordingIndex, input: Int32Array, active: Uint8Array, p: number): number {
  for (let hops = 0; hops <= input.length; hops++) {
    if (!active[p]) return p;
    const f = input[p]!;
    if (!ix.unlimited[p] || f === -1) return -1;
    p = ix.producer[f]!;
  }
  return -1;
}

/**
 * In a partial sweep, M's actor p has ended: its close may differ from the base's. The first base
 * actor (not in M) downstream along trailing inputs whose trailing wait read a close in the base
 * sweep (`closeReaders`), or -1: such an actor would not follow the base.
 */
export function baseCloseReader(ix: RecordingIndex, input: Int32Array, active: Uint8Array, closeReaders: Uint8Array | undefined, p: number): number {
  if (closeReaders === undefined) return -1;
  const todo = [p];
  const seen = new Set(todo);
  while (todo.length > 0) {
    const q = todo.pop()!;
    for (let k = ix.actorFifoStart[q]!; k < ix.actorFifoStart[q + 1]!; k++) {
      const f = ix.actorFifos[k]!;
      const c = ix.consumer[f]!;
      if (ix.producer[f] !== q || c === -1 || input[c] !== f || seen.has(c)) continue;
      if (!active[c] && closeReaders[c]) return c;
      // An unlimited consumer closes when its input does: the close travels on.
      seen.add(c);
      todo.push(c);
    }
  }
  return -1;
}

/** Per-firing values of a probe at a cut: below the resume cut in `lo`, above in `out` (retime-cut's `ProbeArrays`, with the written-token cut). */
export interface CutArrays {
  readonly lo: { readonly plan: Float64Array; readonly fzC: Float64Array; readonly fzD: Float64Array; readonly tokW: Float64Array };
  readonly out: { readonly plan: Float64Array; readonly fzC: Float64Array; readonly fzD: Float64Array; readonly tokW: Float64Array };
  readonly loCur: Int32Array;
  readonly loPh: Int32Array;
  readonly loW: Int32Array;
}

/**
 * With a probe's cut matching the base's shifted by delta (`matchCut`): whether the closes that
 * trailing waits still to come will read agree as well. `matchCut` skips actors that are done,
 * but a done producer's close (its last next-allowed cycle and last write) is read by a consumer
 * that has not finished its trailing freezes. It agrees if it is the base's plus delta, or if in
 * both runs it comes before every freeze the consumer has left (then it decides none).
 * Only consumers whose trailing wait read a close in the base sweep (`closeReaders`) can read one.
 */
export function closesAgree(rec: Recording, ix: RecordingIndex, input: Int32Array, closeReaders: Uint8Array, H: number, Hb: number, delta: number, s: SweepState, p: CutArrays, b: SweepState, base: CutArrays['lo']): boolean {
  const baseArrays: CutArrays = { lo: base, out: base, loCur: b.cur, loPh: b.ph, loW: b.wCount };
  const nA = input.length;
  for (let c = 0; c < nA; c++) {
    if (input[c] === -1 || !closeReaders[c] || finished(ix, s, c)) continue;
    // Firings started after the cut plan their writes at or after it.
    const minS = Math.min(H, firstFreezeLeft(rec, ix, s, p, c));
    const minB = Math.min(Hb, firstFreezeLeft(rec, ix, b, baseArrays, c));
    let shifted = true;
    let before = true;
    for (let q = ix.producer[input[c]!]!, hops = 0; hops < nA; hops++) {
      if (finished(ix, s, q)) {
        const vs = ownClose(rec, ix, s, p, q);
        const vb = ownClose(rec, ix, b, baseArrays, q);
        shifted &&= vs === vb + delta;
        before &&= vs < minS && vb < minB;
      } else {
        // Still running (in both runs: matchCut): its own close is still to come, the base's
        // plus delta; a done actor up its chain may still decide the close (not shifted).
        before = false;
      }
      if (!ix.unlimited[q] || input[q] === -1) break;
      q = ix.producer[input[q]!]!;
    }
    // After its last start with a write pending: `matchCut` takes a write frozen in both runs as
    // a thaw before a next start (starved from na to the freeze); after the last start that holds
    // only if the close comes after the freeze.
    if (s.cur[c] === ix.actorStart[c + 1] && s.ph[c]! < s.cur[c]!) return false;
    if (before) continue;
    // A close shifted by delta decides as in the base if the freezes it is compared with are too
    // (not so for a write frozen in both runs, whose freeze begins at its own planned cycle).
    if (!shifted || !freezesShifted(rec, ix, s, p, b, baseArrays, c, delta)) return false;
  }
  return true;
}

function freezesShifted(rec: Recording, ix: RecordingIndex, s: SweepState, p: CutArrays, b: SweepState, bp: CutArrays, c: number, delta: number): boolean {
  for (let q = s.fp[c]!; q < s.cur[c]!; q++) {
    const i = ix.actorFirings[q]!;
    if (q < s.ph[c]!) {
      const fz = q < p.loPh[c]! ? p.lo : p.out;
      if (fz.fzD[i] !== bp.lo.fzD[i] || (fz.fzD[i]! > 0 && fz.fzC[i] !== bp.lo.fzC[i]! + delta)) return false;
    } else if (rec.opStart[i + 1]! > rec.opStart[i]! + rec.nReads[i]!) {
      if ((q < p.loCur[c]! ? p.lo : p.out).plan[i]! + s.shift[c]! !== bp.lo.plan[i]! + b.shift[c]! + delta) return false;
    }
  }
  return true;
}

function finished(ix: RecordingIndex, s: SweepState, a: number): boolean {
  const end = ix.actorStart[a + 1]!;
  return s.cur[a] === end && s.ph[a] === end && s.fp[a] === end;
}

/** Latest of a done actor's next-allowed cycle and its last write (its close, upstream aside). */
function ownClose(rec: Recording, ix: RecordingIndex, s: SweepState, p: CutArrays, a: number): number {
  let t = s.na[a]!;
  for (let q = ix.actorStart[a + 1]! - 1; q >= ix.actorStart[a]!; q--) {
    const i = ix.actorFirings[q]!;
    const o = rec.opStart[i]! + rec.nReads[i]!;
    if (o === rec.opStart[i + 1]) continue;
    const f = rec.ops[o]!;
    const k = ix.tok[o]!;
    const w = (k < p.loW[f]! ? p.lo : p.out).tokW[ix.fifoBase[f]! + k]!;
    return Math.max(t, w);
  }
  return t;
}

/** The least cycle a freeze of actor c still to be applied can begin: its pending freezes, its pending planned writes; later writes are planned after the cut. */
function firstFreezeLeft(rec: Recording, ix: RecordingIndex, s: SweepState, p: CutArrays, c: number): number {
  let m = Infinity;
  for (let q = s.fp[c]!; q < s.cur[c]!; q++) {
    const i = ix.actorFirings[q]!;
    if (q < s.ph[c]!) {
      const fz = q < p.loPh[c]! ? p.lo : p.out;
      if (fz.fzD[i]! > 0 && fz.fzC[i]! < m) m = fz.fzC[i]!;
    } else if (rec.opStart[i + 1]! > rec.opStart[i]! + rec.nReads[i]!) {
      const w = (q < p.loCur[c]! ? p.lo : p.out).plan[i]! + s.shift[c]!;
      if (w < m) m = w;
    }
  }
  return m;
}
