import { SLOT_TURNAROUND_CYCLES } from './fifo.js';
import type { RecordingIndex } from './retime-index.js';
import type { SweepArrays } from './retime-sweep.js';

/**
 * Where a change of a FIFO's depth can first move the base sweep (`Retimer`'s probes), from the
 * base's token times; per FIFO, the looks that scan its tokens run once and are kept.
 */
export class FifoEffect {
  /**
   * Per FIFO, computed on first use: stall-free depth (0: not yet); the least depth at which no
   * frozen write lands exactly when its slot comes free either (a tie that can move the freeze's
   * blame, never a cycle); first write that waited for its slot (NaN: not yet).
   */
  private readonly stallFree: Int32Array;
  private readonly tieFree: Int32Array;
  private readonly slotWait: Float64Array;

  constructor(
    private readonly ix: RecordingIndex,
    /** The base sweep's per-firing and per-token times. */
    private readonly base: SweepArrays,
    nF: number,
  ) {
    this.stallFree = new Int32Array(nF);
    this.tieFree = new Int32Array(nF);
    this.slotWait = new Float64Array(nF).fill(NaN);
  }

  /**
   * The first cycle at which FIFO f's depth going from d0 (the base's) to d1 can change a write
   * (in the base sweep): a shallower FIFO where a slot is needed before the base's write (or
   * exactly when a frozen write lands: a tie that can move the freeze's blame), a deeper one
   * where the base's write waited for f's slot. Infinity: the change moves nothing.
   * LightningSim's incremental case costs O(1) after a first look at the FIFO: a deeper FIFO
   * whose writes never waited for its slot, or any depth at or above its peak need (a write
   * never waits at it) where no frozen write ties with a slot, changes nothing.
   */
  firstFifoEffect(f: number, d0: number, d1: number): number {
    if (d1 > d0) return this.firstSlotWait(f, d0);
    this.stallFreeDepth(f);
    if (d1 >= this.tieFree[f]!) return Infinity;
    const { ix, base } = this;
    const b = ix.fifoBase[f]!;
    const n = ix.fifoBase[f + 1]! - b;
    const turn = ix.selfLoop[f] ? 0 : SLOT_TURNAROUND_CYCLES;
    for (let j = Math.max(ix.initial[f]!, d1); j < n; j++) {
      const at = base.tokW[b + j]!;
      const free = base.tokR[b + j - d1]! + turn;
      if (free < at) continue;
      const i = ix.tokenWriter[b + j]!;
      // A slot free exactly when a frozen write lands moves no cycle, but the freeze may now be
      // charged to f (the engine blames the first of the FIFOs whose slots come free last).
      if (free > at) return base.fzD[i]! > 0 ? base.fzC[i]! : at;
      if (base.fzD[i]! > 0) return base.fzC[i]!;
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
    let tie = 1;
    let p = 0;
    let q = 0;
    for (let j = 0; j < n; j++) {
      const w = base.tokW[b + j]!;
      while (p < j && base.tokR[b + p]! + turn <= w) p++;
      if (j - p + 1 > need) need = j - p + 1;
      if (base.fzD[ix.tokenWriter[b + j]!]! > 0) {
        // A frozen write also ties with a slot that comes free exactly at w.
        while (q < j && base.tokR[b + q]! + turn < w) q++;
        if (j - q + 1 > tie) tie = j - q + 1;
      }
    }
    this.stallFree[f] = need;
    this.tieFree[f] = Math.max(need, tie);
    return need;
  }
}
