import type { InFlight } from './pipeline.js';
import { RunState, UNKNOWN } from './run-state.js';
import { NONE } from './stalls.js';
import type { TokenMeta } from './token.js';

/**
 * The write side of the actors' pipelines (HLS/TAPA rules, README "FIFOs"): a firing's tokens are
 * written at start + latency in firing order, into slots read at least 2 cycles earlier; a write
 * that finds no slot freezes the whole pipeline (stall-pipeline) until one frees, and a write
 * whose FIFO is full of unread tokens waits, without an event, for the read that frees a slot.
 */
/** `started`'s entry for the firing being started, whose tokens are still in its actor's `out` (see `landStarting`). */
export const DIRECT: InFlight = { write: UNKNOWN, index: 0, n: 0, ports: [], metas: [], payloads: [] };
const NO_PORTS: Int32Array = new Int32Array(0);

export class PipelineWrites extends RunState {
  /**
   * Whether every FIFO `entry` writes already has the slot its write at `w` needs. Slots only
   * free up as time passes and this actor's writes are in order, so the write cannot stall.
   */
  protected writableBy(a: number, entry: InFlight, w: number): boolean {
    return this.portsWritableBy(a, entry.ports, entry.n, w);
  }

  /** Whether output ports `ports[0 .. n)` of `a` all have the slot a write at `w` needs (see writableBy). */
  protected portsWritableBy(a: number, ports: ArrayLike<number>, n: number, w: number): boolean {
    const rt = this.actors[a]!;
    for (let k = 0; k < n; k++) {
      const port = ports[k]!;
      if (this.fifos[rt.outFifos[port]!]!.writableAt(rt.selfLoop[port] === 1) > w) return false;
    }
    return true;
  }

  /**
   * Puts the oldest in-flight firing's tokens into their FIFOs, readable from `w`, and wakes the
   * consumers. `started` calls it at once for writes that cannot stall (no write event; a token
   * a FIFO holds is never readable before its write cycle), `tryWrite` when the write lands.
   */
  protected queueWrites(a: number, entry: InFlight, w: number, sameCycle: boolean): void {
    const rt = this.actors[a]!;
    for (let k = 0; k < entry.n; k++) this.land(rt.outFifos[entry.ports[k]!]!, entry.metas[k]!, entry.payloads[k], w, sameCycle);
    if (w > this.makespan) this.makespan = w;
    this.pipes[a]!.shift();
  }

  /** The firing being started: the output ports it writes, its payloads by port name, its index (see `DIRECT`). */
  protected firingOut: ArrayLike<number> = NO_PORTS;
  protected firingOutPayloads: Readonly<Record<string, unknown>> | undefined = undefined;
  protected firingIndex = 0;

  /** The firing being started as an in-flight entry at the back of its actor's pipeline. */
  protected inFlight(a: number): InFlight {
    const rt = this.actors[a]!;
    const out = rt.out;
    const writeIdx = this.firingOut;
    const payloads = this.firingOutPayloads;
    const pipe = this.pipes[a]!;
    const entry = pipe.alloc();
    entry.index = this.firingIndex;
    entry.n = writeIdx.length;
    for (let w = 0; w < writeIdx.length; w++) {
      const k = writeIdx[w]!;
      entry.ports[w] = k;
      entry.metas[w] = out[k]!;
      entry.payloads[w] = payloads?.[rt.outPorts[k]!];
    }
    entry.write = UNKNOWN;
    pipe.push(entry);
    return entry;
  }

  /**
   * The firing being started (its tokens still in its actor's `out`) writes at `w` straight from
   * `out` when nothing is in flight before it and every slot it needs is free by `w`: what
   * queueWrites does with an entry, without allocating, pushing and shifting one. False: it
   * must go into the pipeline (`inFlight`).
   */
  protected landStarting(a: number, w: number, sameCycle: boolean): boolean {
    const ports = this.firingOut;
    if (this.pipes[a]!.len !== 0 || !this.portsWritableBy(a, ports, ports.length, w)) return false;
    const rt = this.actors[a]!;
    const payloads = this.firingOutPayloads;
    for (let k = 0; k < ports.length; k++) this.land(rt.outFifos[ports[k]!]!, rt.out[ports[k]!]!, payloads?.[rt.outPorts[ports[k]!]!], w, sameCycle);
    if (w > this.makespan) this.makespan = w;
    return true;
  }

  /** One token into FIFO `fi`, readable from `w`; its consumer is woken if it waits for it. */
  protected land(fi: number, meta: TokenMeta, payload: unknown, w: number, sameCycle: boolean): void {
    const fifo = this.fifos[fi]!;
    fifo.push(meta, payload, w, sameCycle);
    if (this.book.observed) this.book.fifoEvent(fi, w, fifo.occupancy);
    const c = this.consumer[fi]!;
    if (this.polling[c]) this.wake(c, sameCycle ? w + 1 : w);
    else if (this.book.emptyFifo[c] === fi && this.book.emptySince[c] !== NONE) this.wake(c, w);
  }

  /**
   * The oldest in-flight firing of `a` writes its outputs at `c`, if every FIFO it writes has a
   * slot (see BoundedFifo). If one has none, the pipeline freezes (HLS stall-pipeline): no firing
   * starts and every in-flight write moves by the length of the stall.
   */
  protected tryWrite(a: number, c: number, sameCycle = false): void {
    const pipe = this.pipes[a]!;
    const rt = this.actors[a]!;
    for (let head = pipe.front(); head && head.write !== UNKNOWN && head.write <= c; head = pipe.front()) {
      for (let w = 0; w < head.n; w++) {
        const port = head.ports[w]!;
        const fi = rt.outFifos[port]!;
        const at = this.fifos[fi]!.writableAt(rt.selfLoop[port] === 1);
        if (at > c) {
          if (this.frozenSince[a] === NONE) {
            this.frozenSince[a] = c;
            this.book.closeEmpty(a, c);
          }
          this.frozenFifo[a] = fi;
          if (at !== Infinity) this.scheduleWrite(a, at);
          return;
        }
      }
      const since = this.frozenSince[a]!;
      if (since !== NONE) this.thaw(a, since, c);
      this.queueWrites(a, head, c, sameCycle);
    }
    const next = pipe.front();
    if (next && next.write !== UNKNOWN) this.planWrite(a, next, next.write);
    if (!next && this.finishing[a]) this.close(a, c);
  }

  /** The first FIFO `entry` writes that is full of unread tokens (NONE: none). */
  protected fullOutput(a: number, entry: InFlight): number {
    const rt = this.actors[a]!;
    for (let k = 0; k < entry.n; k++) {
      const fi = rt.outFifos[entry.ports[k]!]!;
      if (this.fifos[fi]!.isFull) return fi;
    }
    return NONE;
  }

  /** A write event at `w` for the pipeline head, or, if a FIFO it writes is full, a deferred write. */
  protected planWrite(a: number, entry: InFlight, w: number): void {
    if (this.fullOutput(a, entry) !== NONE) this.deferred[a] = w;
    else this.scheduleWrite(a, w);
  }

  /** A deferred write was due at `w` and is still blocked: the pipeline has been frozen since `w`. */
  protected freezeDeferred(a: number, w: number, fi = this.fullOutput(a, this.pipes[a]!.front()!)): void {
    this.deferred[a] = NONE;
    this.frozenSince[a] = w;
    this.book.closeEmpty(a, w);
    this.frozenFifo[a] = fi;
  }

  /** A read at `t` freed a slot of producer `p`, whose head write was deferred: plan it now. */
  protected resolveDeferred(p: number, t: number): void {
    const w = this.deferred[p]!;
    const head = this.pipes[p]!.front()!;
    if (this.fullOutput(p, head) !== NONE) return;
    this.deferred[p] = NONE;
    if (w <= t) {
      // Due already: frozen since w; the write lands when the slots are writable. The freeze is
      // charged to the FIFO whose slot comes free last (the first of equals), as tryWrite's
      // retries and re-timing charge it (the FIFO just read: its slot is free from t + 2 > t).
      const rt = this.actors[p]!;
      let at = t;
      let blocking = NONE;
      for (let k = 0; k < head.n; k++) {
        const port = head.ports[k]!;
        const fi = rt.outFifos[port]!;
        const x = this.fifos[fi]!.writableAt(rt.selfLoop[port] === 1);
        if (x > at) {
          at = x;
          blocking = fi;
        }
      }
      this.freezeDeferred(p, w, blocking);
      this.scheduleWrite(p, at);
      return;
    }
    if (this.writableBy(p, head, w)) {
      this.queueWrites(p, head, w, false);
      const next = this.pipes[p]!.front();
      if (next && next.write !== UNKNOWN) {
        if (this.writableBy(p, next, next.write)) this.scheduleWrite(p, next.write);
        else this.planWrite(p, next, next.write);
      } else if (!next && this.finishing[p]) this.close(p, t);
      return;
    }
    this.scheduleWrite(p, w);
  }

  /** The frozen pipeline of `a` restarts at `c`: everything planned from `since` on moves by the stall. */
  protected thaw(a: number, since: number, c: number): void {
    const d = c - since;
    this.frozenSince[a] = NONE;
    this.book.froze(a, since, c, this.frozenFifo[a]!);
    this.frozenFifo[a] = NONE;
    const pipe = this.pipes[a]!;
    for (let k = 0; k < pipe.len; k++) {
      const f = pipe.at(k);
      if (f.write !== UNKNOWN) f.write += d;
    }
    this.tailWrite[a] += d;
    const na = this.nextAllowed[a]!;
    if (na !== Infinity) {
      // A firing's II that the stall interrupted ends d cycles later; an actor that was waiting
      // for input may start again from c.
      this.nextAllowed[a] = na >= since ? na + d : c;
      if (na >= since && na + d > this.makespan) this.makespan = na + d;
    }
    this.wake(a, this.nextAllowed[a]!);
  }

  /** `a` fires no more (its firing count is reached, or an input ran dry): done once its pipeline drains. */
  protected retire(a: number, t: number): void {
    this.book.retire(a, t);
    this.finishing[a] = 1;
    if (this.pipes[a]!.len === 0) this.close(a, t);
  }

  protected close(a: number, t: number): void {
    this.done[a] = 1;
    const rt = this.actors[a]!;
    for (const fi of rt.outFifos) {
      this.fifos[fi]!.closed = true;
      const k = this.consumer[fi]!;
      if (k !== a) this.wake(k, t);
    }
    rt.subject?.complete();
  }
}
