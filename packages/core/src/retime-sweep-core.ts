import type { Recording } from './recording.js';
import type { RecordingIndex } from './retime-index.js';
import type { GrantOut } from './retime-calendar.js';
import type { SweepState } from './retime-state.js';
import type { GrantBook, PartialGuard } from './retime-partial.js';
import type { SweepArrays, SweepConfig } from './retime-sweep.js';

export interface SweepOptions {
  readonly active?: Uint8Array;
  readonly guard?: PartialGuard;
  readonly actorMax?: Float64Array;
  /** Filled with every grant (a base sweep, for partial re-timings). */
  readonly grants?: GrantBook;
  /**
   * Whether to look for a deadlock at the end of every round (default true). Whether a graph of
   * blocking reads and writes deadlocks depends on its FIFO depths, not on its cycles: a sweep with
   * no FIFO shallower than a run that completed cannot deadlock, and skips the look.
   */
  readonly mayDeadlock?: boolean;
  /** Per firing, a lower bound of the cycles from its start to the run's end (`tailBounds`), for the early stop of a probe over its limit. */
  readonly tail?: Float64Array;
}

/** How a request's cycle stands in its resource's recorded grant order (`SweepCore.inOrder`). */
export const IN_ORDER = 0;
export const REORDERED = 1;
const UNRECORDED_TIE = 2;

/**
 * The state of a sweep (`Sweep`) and the rules its steps share: the worklist of actors, the
 * makespan books, the freeze thaw, a start's charges and the recorded grant order.
 */
export abstract class SweepCore {
  why: string | undefined = undefined;
  /** Largest cycle bumped in the current round (a base sweep keeps it per round). */
  roundMax = -Infinity;
  protected readonly queue: Int32Array;
  protected readonly queued: Uint8Array;
  protected qh = 0;
  protected qn = 0;
  protected readonly parked: Int32Array;
  protected readonly isParked: Uint8Array;
  /** Earliest cycle a parked actor waits for: it is woken by the first round whose horizon passes it, not by every round. */
  protected readonly parkAt: Float64Array;
  /**
   * What a blocked actor waits for, so that only the commit it needs wakes it: the read of token
   * slotK of FIFO slotF (a write's slot), the write of token inK of FIFO inF (a start's input).
   */
  protected readonly slotF: Int32Array;
  protected readonly slotK: Int32Array;
  protected readonly inF: Int32Array;
  protected readonly inK: Int32Array;
  protected np = 0;
  /** Only these actors are re-timed (the rest follow the base; see `PartialGuard`), or all. */
  protected readonly active: Uint8Array | undefined;
  protected readonly guard: PartialGuard | undefined;
  protected readonly grants: GrantBook | undefined;
  protected readonly mayDeadlock: boolean;
  protected readonly tail: Float64Array | undefined;
  /** Latest cycle each actor reached (a base sweep keeps it for partial re-timings). */
  protected readonly actorMax: Float64Array | undefined;
  protected readonly grantOut: GrantOut = { start: 0, heldBy: -1 };

  constructor(
    protected readonly rec: Recording,
    protected readonly ix: RecordingIndex,
    protected readonly cfg: SweepConfig,
    readonly st: SweepState,
    readonly out: SweepArrays,
    protected readonly lo: SweepArrays,
    /** Resume cut: positions / token counts below these read `lo`. */
    protected readonly loCur: Int32Array,
    protected readonly loPh: Int32Array,
    protected readonly loW: Int32Array,
    protected readonly loR: Int32Array,
    opts: SweepOptions = {},
  ) {
    this.active = opts.active;
    this.guard = opts.guard;
    this.actorMax = opts.actorMax;
    this.grants = opts.grants;
    this.mayDeadlock = opts.mayDeadlock ?? true;
    this.tail = opts.tail;
    const nA = rec.graph.actors.length;
    this.queue = new Int32Array(nA);
    this.queued = new Uint8Array(nA);
    this.parked = new Int32Array(nA);
    this.isParked = new Uint8Array(nA);
    this.parkAt = new Float64Array(nA);
    this.slotF = new Int32Array(nA).fill(-1);
    this.slotK = new Int32Array(nA);
    this.inF = new Int32Array(nA).fill(-1);
    this.inK = new Int32Array(nA);
  }

  /** Whether every firing of `a` is started and written and its freezes applied. */
  protected done(a: number): boolean {
    const end = this.ix.actorStart[a + 1]!;
    return this.st.cur[a] === end && this.st.ph[a] === end && this.st.fp[a] === end;
  }

  /**
   * Whether firing i's request at cycle t comes in r's recorded grant order after the previous
   * grant (then noted as the previous one): its cycle must not be earlier, and a tie must have
   * been a tie in the recording with the same grants before it (the arbitration policy then
   * orders them as recorded).
   */
  protected inOrder(r: number, i: number, t: number): number {
    const { st, rec } = this;
    const pf = st.prevFiring[r]!;
    if (pf !== -1 && pf !== i) {
      const pn = st.prevNew[r]!;
      if (t < pn) return REORDERED;
      if (t === pn) {
        if (!(rec.startCycle[i] === st.prevRec[r] && st.groupOk[r])) return UNRECORDED_TIE;
      } else st.groupOk[r] = st.prevRec[r]! < rec.startCycle[i]! ? 1 : 0;
    } else if (pf === -1) st.groupOk[r] = 1;
    st.prevNew[r] = t;
    st.prevRec[r] = rec.startCycle[i]!;
    st.prevFiring[r] = i;
    return IN_ORDER;
  }

  protected enqueue(a: number): void {
    if (a < 0 || this.queued[a]) return;
    this.queued[a] = 1;
    const n = this.queue.length;
    let p = this.qh + this.qn++;
    if (p >= n) p -= n;
    this.queue[p] = a;
  }

  /** Parks a until a round whose horizon passes cycle `at` (a step due then). */
  protected park(a: number, at: number): void {
    if (this.isParked[a]) {
      if (at < this.parkAt[a]!) this.parkAt[a] = at;
      return;
    }
    this.isParked[a] = 1;
    this.parkAt[a] = at;
    this.parked[this.np++] = a;
  }

  protected bump(a: number, x: number): void {
    if (x > this.st.makespan) this.st.makespan = x;
    if (x > this.roundMax) this.roundMax = x;
    const m = this.actorMax;
    if (m !== undefined && x > m[a]!) m[a] = x;
  }

  /**
   * A freeze [c, c + d) of a's pipeline reaches its II (engine: thaw): an interrupted II ends d
   * later; an actor that was waiting for input from na may start at the thaw (starved from na to
   * c: the engine closes the empty stall when the pipeline freezes).
   */
  protected thaw(a: number, c: number, d: number, countStarved: boolean): void {
    const st = this.st;
    if (st.na[a]! >= c) {
      st.na[a] += d;
      this.bump(a, st.na[a]!);
    } else {
      if (countStarved) st.stalledEmpty[a] += c - st.na[a]!;
      st.na[a] = c + d;
    }
  }

  protected iiOf(a: number, i: number): number {
    const v = this.cfg.iiCycles[a]!;
    return v === v ? v : this.rec.iiCycles[i]!;
  }

  protected latOf(a: number, i: number): number {
    const v = this.cfg.latencyCycles[a]!;
    return v === v ? v : this.rec.latencyCycles[i]!;
  }

  /** The start of firing i of a at t is served: plans its write, charges its cycles (StallBook.fired). */
  protected finishStart(a: number, i: number, t: number, next: number, ready: number, wait: number, ii: number): void {
    const st = this.st;
    this.bump(a, next);
    this.bump(a, ready);
    st.na[a] = next;
    if (this.rec.opStart[i + 1]! > this.rec.opStart[i]! + this.rec.nReads[i]!) {
      const w = Math.max(ready + st.unapplied[a]!, st.tail[a]!);
      st.tail[a] = w;
      this.out.plan[i] = w - st.shift[a]!;
    }
    st.cur[a]!++;
    st.startAt[a] = NaN;
    const b = next - t - wait;
    st.busy[a] += b;
    st.stalledContention[a] += wait;
    if (b > ii) st.resourceBound[a] += b - ii;
  }
}
