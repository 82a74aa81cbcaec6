import { SLOT_TURNAROUND_CYCLES } from './fifo.js';
import type { RecordingIndex } from './retime-index.js';
import { DEADLOCK, DeadlockLook } from './retime-deadlock.js';
import { grantOn } from './retime-calendar.js';
import { PARTIAL_ABORT, PartialSweep } from './retime-partial.js';
import { IN_ORDER, REORDERED } from './retime-sweep-core.js';
import { baseCloseReader, closeCycle, followsBase, trailingInput } from './retime-trailing.js';

/** A configuration to re-time under, by id (NaN latency / II: the recorded value of each firing). */
export interface SweepConfig {
  readonly depth: Int32Array;
  readonly latencyCycles: Float64Array;
  readonly iiCycles: Float64Array;
  readonly unitsPerCycle: Float64Array;
}

/** The per-firing and per-token times a sweep writes. */
export class SweepArrays {
  /** Planned write of each firing, less its actor's freeze shift at the start. */
  readonly plan: Float64Array;
  /** Freeze of each firing's write: from fzC, for fzD cycles (0: none). */
  readonly fzC: Float64Array;
  readonly fzD: Float64Array;
  readonly startT: Float64Array;
  /** Write and read cycle of every token (FIFO f's are [fifoBase[f], fifoBase[f + 1])). */
  readonly tokW: Float64Array;
  readonly tokR: Float64Array;
  constructor(firings: number, tokens: number) {
    this.plan = new Float64Array(firings);
    this.fzC = new Float64Array(firings);
    this.fzD = new Float64Array(firings);
    this.startT = new Float64Array(firings);
    this.tokW = new Float64Array(tokens);
    this.tokR = new Float64Array(tokens);
  }
}

/** How a sweep ended: every firing re-timed, stopped by the caller at a cut, over the cycle limit, or not exact (why). */
export type SweepEnd = 'done' | 'cut' | 'above' | { readonly why: string };

/**
 * One max-plus pass over the recorded firings under a configuration, implementing the engine's
 * rules (README, "Re-timing"): the +2 slot rule, the HLS stall-pipeline freeze, resource
 * calendars replayed in the recorded grant order. It proceeds in rounds of `step` cycles: round
 * k commits every step (a start, a write) whose cycle is below k * step, so the state after a
 * round is a cut in time that a checkpoint can hold and a later sweep can resume from. Values
 * below the resume cut are read from `lo` (the base sweep's arrays); new ones go to `out`.
 * Its state and shared step rules are `SweepCore`'s (retime-sweep-core.ts), a partial sweep's
 * replay and crossing checks `PartialSweep`'s (retime-partial.ts).
 */
export class Sweep extends PartialSweep {
  private horizon = 0;
  /** The deadlock look and its scratch, on first use. */
  private deadlock: DeadlockLook | undefined;
  /** Per actor, the input its trailing wait blocks on (`trailingInput`), and whether an actor's trailing wait may wait for its close. */
  private readonly trailing = trailingInput(this.rec, this.ix);
  private readonly trailingOf = closesFor(this.ix, this.trailing);
  /** Set by a base sweep: per actor, 1 once its trailing wait compared a close with a freeze (a partial sweep must not move that close). */
  closeReaders: Uint8Array | undefined;
  /** Set for a partial sweep: the base sweep's `closeReaders`. */
  baseCloseReaders: Uint8Array | undefined;

  /**
   * Runs rounds from the state's cut: the first commits every step below `horizon`; after each
   * round `next(H)` gives the next round's horizon, or NaN to stop the sweep there ('cut').
   * Stops early when the run exceeds `stopAbove`.
   */
  run(horizon: number, stopAbove: number, next: (H: number) => number): SweepEnd {
    const nA = this.rec.graph.actors.length;
    const active = this.active;
    if (this.guard !== undefined) {
      for (let r = 0; r < this.cfg.unitsPerCycle.length; r++) if (this.guard.replay[r]) this.replayBase(r);
      if (this.why !== undefined) return { why: this.why };
    }
    for (let a = 0; a < nA; a++) if ((active === undefined || active[a]) && !this.done(a)) this.enqueue(a);
    for (let H = horizon; ; ) {
      this.horizon = H;
      this.roundMax = -Infinity;
      let kept = 0;
      for (let p = 0; p < this.np; p++) {
        const a = this.parked[p]!;
        if (this.parkAt[a]! >= H) this.parked[kept++] = a;
        else {
          this.isParked[a] = 0;
          this.enqueue(a);
        }
      }
      this.np = kept;
      while (this.qn > 0) {
        const a = this.queue[this.qh]!;
        this.qh = this.qh + 1 === nA ? 0 : this.qh + 1;
        this.qn--;
        this.queued[a] = 0;
        this.advance(a);
        if (this.why !== undefined) return { why: this.why };
      }
      if (this.st.makespan > stopAbove) return 'above';
      const stuck = active === undefined && this.mayDeadlock ? (this.deadlock ??= new DeadlockLook(nA)).find(this.st, this.ix, this.isParked, this.slotF, this.inF) : -1;
      if (stuck !== -1) return { why: `${DEADLOCK}: actor '${this.rec.graph.actors[stuck]!.spec.name}' and others wait for tokens or slots only each other can give` };
      // After the deadlock look: a deadlock stays named one (FIFO sizing settles accumulator buffers by it).
      if (stopAbove < Infinity && this.lowerBoundCycles() > stopAbove) return 'above';
      const n = next(H);
      if (n !== n) return 'cut';
      if (this.np === 0) break;
      H = n;
    }
    let stuck = -1;
    for (let a = 0; a < nA; a++) {
      if (active !== undefined && !active[a]) continue;
      if (this.st.cur[a] === this.ix.actorStart[a + 1] && this.st.ph[a] === this.ix.actorStart[a + 1]) continue;
      if (active !== undefined) return { why: PARTIAL_ABORT };
      // A start waiting for its turn at a resource: the recorded grant order cannot be kept.
      if (this.st.startAt[a] === this.st.startAt[a]) {
        return { why: `re-timing stalled at actor '${this.rec.graph.actors[a]!.spec.name}', waiting for its recorded turn at a resource (the change reorders the resource's grants)` };
      }
      if (stuck === -1) stuck = a;
    }
    // Every stuck actor waits for a token or a slot, under the engine's own rules: the engine deadlocks too.
    if (stuck !== -1) return { why: `${DEADLOCK}: actor '${this.rec.graph.actors[stuck]!.spec.name}' and others wait for tokens or slots that never come` };
    return 'done';
  }

  /**
   * A lower bound of the run's cycles from the state after a round (the probe is over its limit
   * once it exceeds it; FIFO sizing: a depth that starves the HBM weight stream is over the bound
   * as soon as that is certain, not at the end of the run). Two bounds, each valid whatever the
   * order and cycles of what is left:
   * - every request not yet granted is still to be served: a resource (a work-conserving calendar
   *   of cap units per cycle whose cursor never moves back) ends its last grant no earlier than
   *   `cursor + ceil((used + U) / cap)` for its U units left, and a firing's `next` is at least
   *   its grant's end;
   * - (full sweeps given `tail`) an actor's next firing starts no earlier than its `na` and the
   *   writes of its inputs already known, a pending write lands no earlier than its planned cycle,
   *   and from there `tailBounds` gives the least cycles to the end.
   */
  private lowerBoundCycles(): number {
    const { st, ix, rec } = this;
    let lb = st.makespan;
    for (let r = 0; r < this.cfg.unitsPerCycle.length; r++) {
      const p = st.rp[r]!;
      if (p >= ix.resStart[r + 1]!) continue;
      const u = ix.unitsFrom[p]!;
      if (u === 0) continue;
      const end = st.cursor[r]! + Math.ceil((st.used[r]! + u) / this.cfg.unitsPerCycle[r]!);
      if (end > lb) lb = end;
    }
    const tail = this.tail;
    if (tail === undefined || this.active !== undefined) return lb;
    const { actorFirings, actorStart, fifoBase, tok, tokenReader } = ix;
    const { ops, opStart, nReads } = rec;
    for (let a = 0; a + 1 < actorStart.length; a++) {
      const cur = st.cur[a]!;
      for (let q = st.ph[a]!; q < cur; q++) {
        const i = actorFirings[q]!;
        const c = (q < this.loCur[a]! ? this.lo.plan : this.out.plan)[i]! + st.shift[a]!;
        for (let o = opStart[i]! + nReads[i]!; o < opStart[i + 1]!; o++) {
          const reader = tokenReader[fifoBase[ops[o]!]! + tok[o]!]!;
          if (reader >= 0 && c + tail[reader]! > lb) lb = c + tail[reader]!;
        }
      }
      if (cur === actorStart[a + 1]) continue;
      const i = actorFirings[cur]!;
      let t = st.na[a]!;
      if (st.startAt[a] === st.startAt[a]) t = st.startAt[a]!;
      else {
        for (let o = opStart[i]!; o < opStart[i]! + nReads[i]!; o++) {
          const f = ops[o]!;
          const k = tok[o]!;
          if (k >= st.wCount[f]!) continue;
          const w = (k < this.loW[f]! ? this.lo.tokW : this.out.tokW)[fifoBase[f]! + k]!;
          if (w > t) t = w;
        }
      }
      if (t + tail[i]! > lb) lb = t + tail[i]!;
    }
    return lb;
  }

  /** Serves the requests of firing i (started at t) in the recorded grant order; false: waits for an earlier grant. */
  private serve(a: number, i: number, t: number): boolean {
    const { rec, st, ix } = this;
    const g = rec.graph;
    const q0 = rec.reqStart[i]!;
    const q1 = rec.reqStart[i + 1]!;
    for (let k = st.grantK[a]!; q0 + k < q1; k++) {
      const q = q0 + k;
      const r = rec.reqResource[q]!;
      if (r < 0) {
        this.why = `firing ${i} of '${g.actors[a]!.spec.name}' requests an undeclared resource`;
        return false;
      }
      if (ix.resSeq[st.rp[r]!] !== q) {
        st.grantK[a] = k;
        return false;
      }
      const pf = st.prevFiring[r]!;
      const pn = st.prevNew[r]!;
      const order = this.inOrder(r, i, t);
      if (order !== IN_ORDER) {
        const rname = g.resources[r]!.name;
        this.why =
          order === REORDERED
            ? `resource '${rname}': the change reorders its grants ('${g.actors[a]!.spec.name}' would request at cycle ${t}, before '${g.actors[rec.actor[pf]!]!.spec.name}' at ${pn})`
            : `resource '${rname}': '${g.actors[a]!.spec.name}' and '${g.actors[rec.actor[pf]!]!.spec.name}' would request in the same cycle ${t} (arbitration order not in the recording)`;
        return false;
      }
      const end = grantOn(st, r, this.cfg.unitsPerCycle[r]!, a, t, rec.reqUnits[q]!, this.grantOut);
      if (end > st.grantEnd[a]!) st.grantEnd[a] = end;
      // Arbiter: a grant that starts late, held by another requester, is contention.
      const gs = this.grantOut.start;
      if (gs > t && this.grantOut.heldBy !== a && gs > st.grantWait[a]!) st.grantWait[a] = gs;
      const book = this.grants;
      if (book !== undefined) {
        book.end[q] = end;
        book.start[q] = gs;
        book.heldBy[q] = this.grantOut.heldBy;
        book.cursorAfter[q] = st.cursor[r]!;
        book.usedAfter[q] = st.used[r]!;
        book.ownerAfter[q] = st.owner[r]!;
        book.groupOkAfter[q] = st.groupOk[r]!;
      }
      const nextQ = ++st.rp[r]!;
      if (this.guard !== undefined) this.replayBase(r);
      else if (nextQ < ix.resStart[r + 1]!) this.enqueue(rec.actor[ix.reqFiring[ix.resSeq[nextQ]!]!]!);
    }
    st.grantK[a] = 0;
    const ii = this.iiOf(a, i);
    const ge = st.grantEnd[a]!;
    this.finishStart(a, i, t, Math.max(t + ii, ge), ge + this.latOf(a, i), st.grantWait[a]! - t, ii);
    return true;
  }

  /** Moves actor a as far as its known inputs and the round's horizon allow. */
  private advance(a: number): void {
    const { rec, ix, st, out, lo } = this;
    const { ops, opStart, nReads, reqStart } = rec;
    const { actorFirings, tok, fifoBase, selfLoop, consumer, producer } = ix;
    const depth = this.cfg.depth;
    const H = this.horizon;
    const end = ix.actorStart[a + 1]!;
    const loCur = this.loCur[a]!;
    const loPh = this.loPh[a]!;
    this.slotF[a] = -1;
    this.inF[a] = -1;
    for (;;) {
      // 1. Writes of started firings, in order, as soon as the reads that free their slots are known.
      while (st.ph[a]! < st.cur[a]!) {
        const pos = st.ph[a]!;
        const i = actorFirings[pos]!;
        const w0 = opStart[i]! + nReads[i]!;
        const w1 = opStart[i + 1]!;
        if (w1 === w0) {
          out.fzD[i] = 0;
          st.ph[a]!++;
          continue;
        }
        const c = (pos < loCur ? lo.plan : out.plan)[i]! + st.shift[a]!;
        let at = c;
        let blocking = -1;
        let known = true;
        for (let o = w0; o < w1; o++) {
          const f = ops[o]!;
          const k = tok[o]! - depth[f]!;
          if (k < 0) continue;
          if (k >= st.rCount[f]!) {
            known = false;
            this.slotF[a] = f;
            this.slotK[a] = k;
            break;
          }
          const free = (k < this.loR[f]! ? lo.tokR : out.tokR)[fifoBase[f]! + k]! + (selfLoop[f] ? 0 : SLOT_TURNAROUND_CYCLES);
          if (free > at) {
            at = free;
            blocking = f;
          }
        }
        if (!known) break;
        if (at >= H) {
          this.park(a, at);
          break;
        }
        if (at > c) {
          // HLS stall-pipeline: the whole pipeline freezes from c to at.
          const d = at - c;
          st.shift[a] += d;
          st.tail[a] += d;
          st.stalledFull[a] += d;
          st.byFifo[blocking] += d;
          st.unapplied[a] += d;
          out.fzC[i] = c;
          out.fzD[i] = d;
        } else out.fzD[i] = 0;
        for (let o = w0; o < w1; o++) {
          const f = ops[o]!;
          out.tokW[fifoBase[f]! + tok[o]!] = at;
          if (this.guard !== undefined && !this.guard.inM[consumer[f]!]) this.checkWrite(f, tok[o]!, at);
          st.wCount[f]!++;
          const c = consumer[f]!;
          if (this.inF[c] === f && this.inK[c] === tok[o]) this.enqueue(c);
        }
        this.bump(a, at);
        st.ph[a]!++;
      }
      if (st.startAt[a] === st.startAt[a]) {
        // A start waiting for its turn at a resource.
        if (!this.serve(a, actorFirings[st.cur[a]!]!, st.startAt[a]!)) return;
        continue;
      }
      if (st.cur[a] === end) {
        if (st.ph[a] !== end) return;
        // Freezes after the last start still move its II (engine: thaw). An actor without a firing
        // count waits there for its input to close: starved up to a freeze that comes first.
        const inF = this.trailing[a]!;
        const ended = st.fp[a] === end;
        for (; st.fp[a]! < end; st.fp[a]!++) {
          const p = st.fp[a]!;
          const j = actorFirings[p]!;
          const fz = p < loPh ? lo : out;
          const d = fz.fzD[j]!;
          if (d === 0) continue;
          const c = fz.fzC[j]!;
          let starved = false;
          if (inF !== -1 && st.na[a]! < c) {
            const pr = producer[inF]!;
            const off = this.active !== undefined ? followsBase(ix, this.trailing, this.active, pr) : -1;
            if (off !== -1) {
              // Its producer, or one up the chain whose close it reads, follows the base in a
              // partial sweep (its end is never swept there): let the full sweep decide.
              if (this.violator === -1) this.violator = off;
              this.why = PARTIAL_ABORT;
              return;
            }
            const close = closeCycle(rec, ix, st, { loTokW: lo.tokW, outTokW: out.tokW, loW: this.loW }, this.trailing, pr);
            if (close !== close) return; // woken when the producer is done
            // The engine's order in a cycle: the freeze is taken before the close's wake-up.
            starved = close >= c;
            if (this.closeReaders !== undefined) this.closeReaders[a] = 1;
          }
          this.thaw(a, c, d, starved);
        }
        if (this.trailingOf[a] && !ended) {
          // Its end (once) may be the close a consumer's trailing wait waits for, and so may be
          // the close of every unlimited actor down a chain of trailing inputs from it (an actor
          // there that ended before it would not wake its own consumers again).
          const todo = [a];
          for (let n = 0; n < todo.length; n++) {
            const q = todo[n]!;
            for (let k = ix.actorFifoStart[q]!; k < ix.actorFifoStart[q + 1]!; k++) {
              const f = ix.actorFifos[k]!;
              const c = consumer[f]!;
              if (producer[f] !== q || c === -1 || (this.active !== undefined && !this.active[c])) continue;
              if (q === a || this.trailing[c] === f) this.enqueue(c);
              if (this.trailing[c] === f && this.trailingOf[c] && !todo.includes(c)) todo.push(c);
            }
          }
          // A partial sweep: a base actor whose trailing wait read a close in the base may read another.
          const moved = this.active !== undefined ? baseCloseReader(ix, this.trailing, this.active, this.baseCloseReaders, a) : -1;
          if (moved !== -1) {
            if (this.violator === -1) this.violator = moved;
            this.why = PARTIAL_ABORT;
            return;
          }
        }
        return;
      }
      // 2. The next firing: when its inputs are written and its II has elapsed, outside a freeze.
      const pos = st.cur[a]!;
      const i = actorFirings[pos]!;
      const o0 = opStart[i]!;
      const o1 = o0 + nReads[i]!;
      let ready = 0;
      for (let o = o0; o < o1; o++) {
        const f = ops[o]!;
        const k = tok[o]!;
        if (k >= st.wCount[f]!) {
          // Its producer's write of token k wakes it.
          this.inF[a] = f;
          this.inK[a] = k;
          return;
        }
        const w = (k < this.loW[f]! ? lo.tokW : out.tokW)[fifoBase[f]! + k]!;
        if (w > ready) ready = w;
      }
      let t = Math.max(st.na[a]!, ready);
      for (; st.fp[a]! < st.ph[a]!; st.fp[a]!++) {
        const p = st.fp[a]!;
        const j = actorFirings[p]!;
        const fz = p < loPh ? lo : out;
        const d = fz.fzD[j]!;
        if (d === 0) continue;
        const c = fz.fzC[j]!;
        if (c > t) break;
        this.thaw(a, c, d, true);
        st.unapplied[a] -= d;
        t = Math.max(st.na[a]!, ready);
      }
      const php = st.ph[a]!;
      if (php < pos && (php < loCur ? lo.plan : out.plan)[actorFirings[php]!]! + st.shift[a]! <= t) return; // a write due first waits for a read
      if (t >= H) {
        this.park(a, t);
        return;
      }
      st.stalledEmpty[a] += t - st.na[a]!;
      for (let o = o0; o < o1; o++) {
        const f = ops[o]!;
        out.tokR[fifoBase[f]! + tok[o]!] = t;
        if (this.guard !== undefined && producer[f] !== -1 && !this.guard.inM[producer[f]!]) this.checkRead(f, tok[o]!, t);
        st.rCount[f]!++;
        const pr = producer[f]!;
        if (this.slotF[pr] === f && this.slotK[pr] === tok[o]) this.enqueue(pr);
      }
      out.startT[i] = t;
      if (reqStart[i + 1]! > reqStart[i]!) {
        st.startAt[a] = t;
        st.grantK[a] = 0;
        st.grantEnd[a] = t;
        st.grantWait[a] = t;
        if (!this.serve(a, i, t)) return;
      } else {
        const ii = this.iiOf(a, i);
        this.finishStart(a, i, t, t + ii, t + this.latOf(a, i), 0, ii);
      }
    }
  }
}

/** Per actor, 1 if it produces a FIFO some actor's trailing wait blocks on (directly or up a chain of unlimited actors): its end wakes the consumers. */
const closers = new WeakMap<Int32Array, Uint8Array>();
function closesFor(ix: RecordingIndex, trailing: Int32Array): Uint8Array {
  let out = closers.get(trailing);
  if (out) return out;
  out = new Uint8Array(trailing.length);
  for (let a = 0; a < trailing.length; a++) for (let f = trailing[a]!; f !== -1 && !out[ix.producer[f]!]; f = trailing[ix.producer[f]!]!) out[ix.producer[f]!] = 1;
  closers.set(trailing, out);
  return out;
}
