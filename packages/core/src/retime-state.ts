import type { RecordingIndex } from './retime-index.js';

/**
 * The scalar state of a re-timing sweep (per actor, FIFO and resource; typed arrays), which is
 * all a sweep needs besides the per-firing and per-token arrays to resume from a cut: a
 * checkpoint is a copy of it.
 */
export class SweepState {
  // Per actor: next firing (cur), oldest unwritten firing (ph), oldest freeze not yet applied to
  // the II (fp), request of a pending start served so far (grantK), all as positions in the
  // actor's firing list.
  readonly cur: Int32Array;
  readonly ph: Int32Array;
  readonly fp: Int32Array;
  readonly grantK: Int32Array;
  /** Next start allowed by the actor itself (its II, its grants, freezes applied so far). */
  readonly na: Float64Array;
  /** Newest planned write (effective), freeze shift, freezes not yet applied to the II. */
  readonly tail: Float64Array;
  readonly shift: Float64Array;
  readonly unapplied: Float64Array;
  /** A start waiting for its turn at a resource (NaN: none), its grants' end and wait so far. */
  readonly startAt: Float64Array;
  readonly grantEnd: Float64Array;
  readonly grantWait: Float64Array;
  // Attribution per actor (the summary's fields) and frozen cycles per FIFO.
  readonly stalledFull: Float64Array;
  readonly busy: Float64Array;
  readonly stalledEmpty: Float64Array;
  readonly stalledContention: Float64Array;
  readonly resourceBound: Float64Array;
  readonly byFifo: Float64Array;
  /** Tokens written (initial ones included) and read so far, per FIFO. */
  readonly wCount: Int32Array;
  readonly rCount: Int32Array;
  // Per resource: the calendar (SharedResource: cursor, units used in it, last owner), the next
  // request in grant order, and the previous grant's new and recorded request cycles (order check).
  readonly cursor: Float64Array;
  readonly used: Float64Array;
  readonly owner: Int32Array;
  readonly rp: Int32Array;
  readonly prevNew: Float64Array;
  readonly prevRec: Float64Array;
  readonly prevFiring: Int32Array;
  readonly groupOk: Uint8Array;
  makespan = 0;
  /** All of the above arrays are views of this one buffer: a checkpoint is one allocation, a copy one `set`. */
  private readonly bytes: Uint8Array;

  constructor(nA: number, nF: number, nR: number) {
    const f64 = 12 * nA + nF + 4 * nR;
    const i32 = 4 * nA + 2 * nF + 3 * nR;
    const buf = new ArrayBuffer(8 * f64 + 4 * i32 + nR);
    this.bytes = new Uint8Array(buf);
    let at = 0;
    const f = (n: number) => {
      const v = new Float64Array(buf, at, n);
      at += 8 * n;
      return v;
    };
    const i = (n: number) => {
      const v = new Int32Array(buf, at, n);
      at += 4 * n;
      return v;
    };
    this.na = f(nA);
    this.tail = f(nA);
    this.shift = f(nA);
    this.unapplied = f(nA);
    this.startAt = f(nA);
    this.grantEnd = f(nA);
    this.grantWait = f(nA);
    this.stalledFull = f(nA);
    this.busy = f(nA);
    this.stalledEmpty = f(nA);
    this.stalledContention = f(nA);
    this.resourceBound = f(nA);
    this.byFifo = f(nF);
    this.cursor = f(nR);
    this.used = f(nR);
    this.prevNew = f(nR);
    this.prevRec = f(nR);
    this.cur = i(nA);
    this.ph = i(nA);
    this.fp = i(nA);
    this.grantK = i(nA);
    this.wCount = i(nF);
    this.rCount = i(nF);
    this.owner = i(nR);
    this.rp = i(nR);
    this.prevFiring = i(nR);
    this.groupOk = new Uint8Array(buf, at, nR);
  }

  /** The state before the first firing. */
  static initial(ix: RecordingIndex, nA: number, nF: number, nR: number): SweepState {
    const s = new SweepState(nA, nF, nR);
    s.cur.set(ix.actorStart.subarray(0, nA));
    s.ph.set(s.cur);
    s.fp.set(s.cur);
    s.tail.fill(-Infinity);
    s.startAt.fill(NaN);
    s.wCount.set(ix.initial);
    s.owner.fill(-1);
    s.rp.set(ix.resStart.subarray(0, nR));
    s.prevNew.fill(NaN);
    s.prevFiring.fill(-1);
    return s;
  }

  copyFrom(o: SweepState): void {
    this.bytes.set(o.bytes);
    this.makespan = o.makespan;
  }

  clone(): SweepState {
    const s = new SweepState(this.cur.length, this.wCount.length, this.cursor.length);
    s.copyFrom(this);
    return s;
  }
}
