import type { Subject } from 'rxjs';
import type { ActorState, TraceEvent } from './trace-events.js';

export const NONE = -1;

/**
 * Cycle accounting and trace of a run: per actor busy / stalled / idle cycles (they add up to
 * the run's cycles), per FIFO the stalls it caused, and the trace events when observed.
 *
 * An actor's busy interval [start, start + II) is kept open until its next event: a write that
 * stalls inside it (latency < II) freezes the pipeline, so the rest of the interval moves past
 * the stall, as in an HLS stall-pipeline (style=stp) loop.
 */
export class StallBook {
  readonly busy: Float64Array;
  readonly stallEmpty: Float64Array;
  readonly stallFull: Float64Array;
  readonly stallContention: Float64Array;
  readonly resourceBound: Float64Array;
  readonly idleReclassified: Float64Array;
  readonly fifoFullStall: Float64Array;
  readonly fifoEmptyStall: Float64Array;
  /** Open empty-stall per actor: since when, on which FIFO (NONE: not blocked on a read). */
  readonly emptySince: Float64Array;
  readonly emptyFifo: Int32Array;
  // Open busy interval per actor (trace only).
  private readonly busyStart: Float64Array;
  private readonly busyEnd: Float64Array;
  private readonly busyFiring: Float64Array;
  // Open resource wait per actor (trace only; NONE: none). Kept open like the busy interval: a
  // freeze of the actor's pipeline during the wait moves the rest of the wait past the freeze,
  // as the engine counts the two one after the other.
  private readonly waitStart: Float64Array;
  private readonly waitEnd: Float64Array;
  private readonly waitResource: (string | undefined)[];
  private readonly waitHeldBy: (string | undefined)[];
  // Open idle interval per actor once it retired (trace only; NONE: not retired). A retired
  // actor is idle except while its draining pipeline freezes on a full FIFO.
  private readonly idleSince: Float64Array;
  readonly events: TraceEvent[] = [];

  constructor(
    actors: number,
    fifos: number,
    private readonly actorNames: readonly string[],
    private readonly fifoNames: readonly string[],
    readonly observed: boolean,
    private readonly keep: boolean,
    private readonly trace: Subject<TraceEvent>,
  ) {
    this.busy = new Float64Array(actors);
    this.stallEmpty = new Float64Array(actors);
    this.stallFull = new Float64Array(actors);
    this.stallContention = new Float64Array(actors);
    this.resourceBound = new Float64Array(actors);
    this.idleReclassified = new Float64Array(actors);
    this.fifoFullStall = new Float64Array(fifos);
    this.fifoEmptyStall = new Float64Array(fifos);
    this.emptySince = new Float64Array(actors).fill(NONE);
    this.emptyFifo = new Int32Array(actors).fill(NONE);
    this.busyStart = new Float64Array(actors).fill(NONE);
    this.busyEnd = new Float64Array(actors);
    this.busyFiring = new Float64Array(actors);
    this.waitStart = new Float64Array(actors).fill(NONE);
    this.waitEnd = new Float64Array(actors);
    this.waitResource = new Array<string | undefined>(actors);
    this.waitHeldBy = new Array<string | undefined>(actors);
    this.idleSince = new Float64Array(actors).fill(NONE);
  }

  emit(e: TraceEvent): void {
    if (this.keep) this.events.push(e);
    this.trace.next(e);
  }

  /** `a` cannot start at `t`: its next read finds `fifo` empty. */
  blockEmpty(a: number, t: number, fifo: number): void {
    const since = this.emptySince[a]!;
    if (since !== NONE) {
      if (this.emptyFifo[a] === fifo) return;
      this.closeEmpty(a, t);
    }
    this.emptySince[a] = t;
    this.emptyFifo[a] = fifo;
  }

  /** Ends an open empty stall at `t` (the actor fires, or its pipeline freezes). */
  closeEmpty(a: number, t: number): void {
    const since = this.emptySince[a]!;
    if (since === NONE) return;
    this.emptySince[a] = NONE;
    const d = t - since;
    if (d <= 0) return;
    const fi = this.emptyFifo[a]!;
    this.stallEmpty[a] += d;
    this.fifoEmptyStall[fi] += d;
    if (this.observed) this.stateEvent(a, 'stalled-empty', since, t, fi);
  }

  /** The actor will never fire again: a wait for tokens that never came is idle time. */
  retire(a: number, t: number): void {
    const since = this.emptySince[a]!;
    if (this.observed && this.idleSince[a] === NONE) this.idleSince[a] = since === NONE ? t : since;
    if (since === NONE) return;
    this.idleReclassified[a] += t - since;
    this.emptySince[a] = NONE;
  }

  /** A firing occupies the actor over [t, t + wait) waiting for resources, then [t + wait, next) busy. */
  fired(a: number, firing: number, t: number, wait: number, next: number, ii: number, resource?: string, heldBy?: string): void {
    this.stallContention[a] += wait;
    this.busy[a] += next - t - wait;
    // Busy beyond the II is time spent being served by the resource: memory-bound work.
    if (next - t - wait > ii) this.resourceBound[a] += next - t - wait - ii;
    if (!this.observed) return;
    this.flushBusy(a);
    if (wait > 0) {
      this.waitStart[a] = t;
      this.waitEnd[a] = t + wait;
      this.waitResource[a] = resource;
      this.waitHeldBy[a] = heldBy;
    }
    this.busyStart[a] = t + wait;
    this.busyEnd[a] = next;
    this.busyFiring[a] = firing;
  }

  /** The pipeline of `a` froze over [from, to) on a full `fifo`; an open busy interval moves past it. */
  froze(a: number, from: number, to: number, fifo: number): void {
    const d = to - from;
    this.stallFull[a] += d;
    this.fifoFullStall[fifo] += d;
    if (!this.observed) return;
    const ws = this.waitStart[a]!;
    if (ws !== NONE && this.waitEnd[a]! > from) {
      if (from > ws) this.emitWait(a, ws, from);
      this.waitStart[a] = to + Math.max(0, ws - from);
      this.waitEnd[a] = this.waitEnd[a]! + d;
    }
    const bs = this.busyStart[a]!;
    if (bs !== NONE && this.busyEnd[a]! > from) {
      if (from > bs) this.emit({ kind: 'actor', actor: this.actorNames[a]!, state: 'busy', startCycle: bs, endCycle: from, firing: this.busyFiring[a]! });
      this.busyStart[a] = to + Math.max(0, bs - from);
      this.busyEnd[a] = this.busyEnd[a]! + d;
    } else {
      this.flushBusy(a);
    }
    const is = this.idleSince[a]!;
    if (is !== NONE) {
      // A freeze of a retired actor's draining pipeline splits its idle time around it.
      if (from > is) this.emit({ kind: 'actor', actor: this.actorNames[a]!, state: 'idle', startCycle: is, endCycle: from });
      this.idleSince[a] = Math.max(is, to);
    }
    this.stateEvent(a, 'stalled-full', from, to, fifo);
  }

  /**
   * Closes a retired actor's idle interval at the run's end `end` (trace only). False if the
   * actor never retired: its idle cycles have no known place.
   */
  closeIdle(a: number, end: number): boolean {
    const is = this.idleSince[a]!;
    if (is === NONE) return false;
    this.idleSince[a] = end;
    if (end > is) this.emit({ kind: 'actor', actor: this.actorNames[a]!, state: 'idle', startCycle: is, endCycle: end });
    return true;
  }

  flushBusy(a: number): void {
    const ws = this.waitStart[a]!;
    if (ws !== NONE) {
      this.waitStart[a] = NONE;
      this.emitWait(a, ws, this.waitEnd[a]!);
    }
    const bs = this.busyStart[a]!;
    if (bs === NONE) return;
    this.busyStart[a] = NONE;
    if (this.busyEnd[a]! > bs) this.emit({ kind: 'actor', actor: this.actorNames[a]!, state: 'busy', startCycle: bs, endCycle: this.busyEnd[a]!, firing: this.busyFiring[a]! });
  }

  private emitWait(a: number, start: number, end: number): void {
    const resource = this.waitResource[a];
    const heldBy = this.waitHeldBy[a];
    this.emit({ kind: 'actor', actor: this.actorNames[a]!, state: 'stalled-contention', startCycle: start, endCycle: end, ...(resource ? { resource } : {}), ...(heldBy ? { heldBy } : {}) });
  }

  fifoEvent(fi: number, cycle: number, occupancy: number): void {
    this.emit({ kind: 'fifo', fifo: this.fifoNames[fi]!, cycle, occupancy });
  }

  private stateEvent(a: number, state: ActorState, start: number, end: number, fi: number): void {
    this.emit({ kind: 'actor', actor: this.actorNames[a]!, state, startCycle: start, endCycle: end, fifo: this.fifoNames[fi]! });
  }
}
