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

  constructor(nA: number, nF: number, nR: number) {
    this.cur = new Int32Array(nA);
    this.ph = new Int32Array(nA);
    this.fp = new Int32Array(nA);
    this.grantK = new Int32Array(nA);
    this.na = new Float64Array(nA);
    this.tail = new Float64Array(nA);
    this.shift = new Float64Array(nA);
    this.unapplied = new Float64Array(nA);
    this.startAt = new Float64Array(nA);
    this.grantEnd = new Float64Array(nA);
    this.grantWait = new Float64Array(nA);
    this.stalledFull = new Float64Array(nA);
    this.busy = new Float64Array(nA);
    this.stalledEmpty = new Float64Array(nA);
    this.stalledContention = new Float64Array(nA);
    this.resourceBound = new Float64Array(nA);
    this.byFifo = new Float64Array(nF);
    this.wCount = new Int32Array(nF);
    this.rCount = new Int32Array(nF);
    this.cursor = new Float64Array(nR);
    this.used = new Float64Array(nR);
    this.owner = new Int32Array(nR);
    this.rp = new Int32Array(nR);
    this.prevNew = new Float64Array(nR);
    this.prevRec = new Float64Array(nR);
    this.prevFiring = new Int32Array(nR);
    this.groupOk = new Uint8Array(nR);
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

  private arrays(): (Int32Array | Float64Array | Uint8Array)[] {
    return [
      this.cur, this.ph, this.fp, this.grantK, this.na, this.tail, this.shift, this.unapplied, this.startAt, this.grantEnd, this.grantWait,
      this.stalledFull, this.busy, this.stalledEmpty, this.stalledContention, this.resourceBound, this.byFifo, this.wCount, this.rCount,
      this.cursor, this.used, this.owner, this.rp, this.prevNew, this.prevRec, this.prevFiring, this.groupOk,
    ];
  }

  copyFrom(o: SweepState): void {
    const mine = this.arrays();
    const theirs = o.arrays();
    for (let k = 0; k < mine.length; k++) (mine[k] as Float64Array).set(theirs[k] as Float64Array);
    this.makespan = o.makespan;
  }

  clone(): SweepState {
    const s = new SweepState(this.cur.length, this.wCount.length, this.cursor.length);
    s.copyFrom(this);
    return s;
  }
}
