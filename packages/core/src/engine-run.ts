import type { PortProbe, PortRef } from './actor.js';
import type { PendingRequest, Served } from './arbitration.js';
import { DeadlockError, RunError, type BlockedActor } from './errors.js';
import { checkedCost, outputsOf, probedPort, readIndices, runList, writeIndices, type ActorRuntime } from './ports.js';
import type { InFlight } from './pipeline.js';
import { runResult } from './results.js';
import { ARBITRATE, START } from './run-state.js';
import { NONE } from './stalls.js';
import type { RunResult } from './engine.js';
import { DIRECT, PipelineWrites } from './writes.js';

/** Firings one actor may start in a run (its count is an Int32). */
const MAX_FIRINGS = 2 ** 31 - 1;


/** Outcomes of `waitForInputs`. */
const READY = 0;
const WAITING = 1;
const DRY = 2;

/**
 * One run of a graph: the discrete-event scheduler and the firing rule. An actor's firing
 * starts when the tokens it reads are readable and its II allows; it reads them, asks its cost
 * and behaviour, puts its writes in its pipeline (writes.ts) and, when it requests shared
 * resources, waits for its cycle's arbitration (arbitration.ts) before its next firing.
 */
export class EngineRun extends PipelineWrites {
  // The non-blocking tests of the firing being tried (see ActorSpec.reads).
  private probeActor = 0;
  private probeCycle = 0;
  private probeTested = false;
  /** Rates evaluated ahead of time (scheduleNext) must not test ports: a test there is only noted. */
  private probeAhead = false;
  private probeEmptyFifo = NONE;
  private readonly probe: PortProbe = {
    empty: (port: PortRef): boolean => {
      this.probeTested = true;
      if (this.probeAhead) return true;
      const rt = this.actors[this.probeActor]!;
      const fi = rt.inFifos[probedPort(rt, port, 'input')]!;
      if (this.rec) this.rec.nonBlocking = true;
      const empty = !this.fifos[fi]!.testableAt(this.probeCycle);
      if (empty && this.probeEmptyFifo === NONE) this.probeEmptyFifo = fi;
      return empty;
    },
    full: (port: PortRef): boolean => {
      const rt = this.actors[this.probeActor]!;
      const k = probedPort(rt, port, 'output');
      if (this.rec) this.rec.nonBlocking = true;
      return this.fifos[rt.outFifos[k]!]!.writableAt(rt.selfLoop[k] === 1) > this.probeCycle;
    },
  };
  /** Per actor: the input ports its next firing reads, found ahead by scheduleNext (for firing `aheadFor`). */
  private readonly ahead: (ArrayLike<number> | undefined)[] = new Array<ArrayLike<number> | undefined>(this.n).fill(undefined);
  private readonly aheadFor = new Float64Array(this.n).fill(NONE);
  /** Per actor: the firing whose inputs scheduleNext found all written by its start cycle. */
  private readonly readyFor = new Float64Array(this.n).fill(NONE);
  /** Cycle of the pending arbitration round (NONE: none) and its event key. */
  private arbitrationAt = NONE;
  /** (A double from the start: keys pass 2^31, see heap.ts EMPTY.) */
  private arbitrationKey = Infinity;

  execute(): RunResult {
    this.start();
    this.drain(Infinity);
    return this.finish();
  }

  /** Schedules every actor's first attempt (once, before the first `drain`). */
  start(): void {
    for (let a = 0; a < this.n; a++) this.wake(a, 0);
  }

  /** Scheduler events so far. */
  get schedulerEventCount(): number {
    return this.schedulerEvents;
  }

  /** Firings so far. */
  get firings(): number {
    return this.totalFirings;
  }

  /** Cycle reached so far. */
  get cycle(): number {
    return this.now;
  }

  /** Processes events up to cycle `until` (inclusive); returns whether events remain. */
  drain(until: number): boolean {
    const heap = this.heap;
    for (;;) {
      // The round of cycle `arbitrationAt` is that cycle's last event: it runs once no event of
      // the cycle is left (its key, (cycle, ARBITRATE, n), is above every other key of the cycle).
      // It is kept out of the heap: same order, one heap push and pop fewer per round.
      if (this.arbitrationAt !== NONE && (heap.size === 0 || heap.peek() > this.arbitrationKey)) {
        this.runRound();
        continue;
      }
      if (!this.nextEvent(until)) break;
      const cycle = this.now;
      const who = this.eventWho;
      if (this.eventPhase === START) {
        if (this.scheduledAt[who] !== cycle) continue; // superseded wake-up
        this.scheduledAt[who] = NONE;
        this.tryFire(who, cycle);
      } else {
        if (this.writeScheduledAt[who] !== cycle) continue;
        this.writeScheduledAt[who] = NONE;
        this.tryWrite(who, cycle);
      }
    }
    return heap.size > 0;
  }

  /** The arbitration round of cycle `arbitrationAt` (counted as the scheduler event it is). */
  private runRound(): void {
    const t = this.arbitrationAt;
    this.arbitrationAt = NONE;
    this.schedulerEvents++;
    this.now = t;
    this.arbiter.arbitrate(t, this.served);
  }

  /** The run's result once no event remains (or a DeadlockError naming who waits on what). */
  finish(): RunResult {
    this.checkFinished();
    return runResult(this);
  }

  // ---- firing -----------------------------------------------------------------------------

  private tryFire(a: number, t: number): void {
    if (this.done[a] || this.finishing[a] || this.frozenSince[a] !== NONE) return;
    const d = this.deferred[a]!;
    if (d !== NONE && d <= t) {
      this.freezeDeferred(a, d);
      return;
    }
    if (t < this.nextAllowed[a]!) {
      this.wake(a, t);
      return;
    }
    const rt = this.actors[a]!;
    const spec = rt.spec;
    const i = this.firingCount[a]!;
    if (i >= rt.firingLimit) {
      this.retire(a, t);
      return;
    }
    if (i === MAX_FIRINGS) throw new RunError(`actor '${spec.name}': more than ${MAX_FIRINGS} firings in one run (the engine counts firings in 32 bits)`, spec.name, i);
    let readIdx: ArrayLike<number>;
    if (this.aheadFor[a] === i) {
      readIdx = this.ahead[a]!;
    } else if (rt.reads === undefined) {
      readIdx = rt.allIn;
    } else if (rt.readRuns) {
      readIdx = runList(rt.readRuns, i);
    } else {
      this.probeActor = a;
      this.probeCycle = t;
      this.probeTested = false;
      this.probeEmptyFifo = NONE;
      readIdx = readIndices(rt, i, this.probe);
      if (readIdx.length === 0 && this.probeTested) {
        this.pollWait(a, rt, t);
        return;
      }
    }
    this.polling[a] = 0;
    // Inputs found ready ahead (scheduleNext) stay ready: only this actor reads its FIFOs.
    if (this.readyFor[a] !== i) {
      const ready = this.waitForInputs(a, rt, readIdx, t);
      if (ready !== READY) {
        if (ready === DRY) this.retire(a, t);
        return;
      }
    }
    this.book.closeEmpty(a, t);
    const fifos = this.fifos;
    const firing = rt.firing;
    // Every port shows undefined between firings (see the end of the firing): ports this one
    // does not read stay so.
    const ins = firing.in;
    const needPayloads = this.functional && rt.kernel !== undefined;
    const inPayloads: Record<string, unknown> | undefined = needPayloads ? {} : undefined;
    const collect = rt.isSink && this.collectSinks;
    const observed = this.book.observed;
    for (let r = 0; r < readIdx.length; r++) {
      const k = readIdx[r]!;
      const fi = rt.inFifos[k]!;
      const fifo = fifos[fi]!;
      const meta = fifo.take(t);
      ins[k] = meta;
      if (inPayloads) inPayloads[rt.inPorts[k]!] = fifo.takenPayload;
      if (collect) this.sinks[spec.name]!.push({ meta, payload: fifo.takenPayload, readyCycle: fifo.takenWriteCycle });
      if (observed) this.book.fifoEvent(fi, t, fifo.occupancy);
      const p = this.producer[fi]!;
      if (p !== a) {
        if (this.frozenFifo[p] === fi && this.frozenSince[p] !== NONE) this.scheduleWrite(p, fifo.writableAt(false));
        else if (this.deferred[p] !== NONE) this.resolveDeferred(p, t);
      }
    }
    firing.begin(i, t, readIdx);
    let writeIdx: ArrayLike<number> = rt.allOut;
    if (rt.writes !== undefined) {
      this.probeActor = a;
      this.probeCycle = t;
      writeIdx = writeIndices(rt, i, this.probe);
    }
    const cost = checkedCost(rt, firing);
    // Read once: cost objects come in many shapes (a megamorphic load each time).
    const ii = cost.iiCycles;
    const latency = cost.latencyCycles;
    const requests = cost.requests;
    // A behaviour sees every firing (an RxJS one may keep state), also those that write nothing.
    if (writeIdx.length > 0 || rt.hasBehaviour) outputsOf(rt, firing, writeIdx, i);
    const out = rt.out;
    let outPayloads: Readonly<Record<string, unknown>> | undefined;
    if (needPayloads) {
      const named: Record<string, (typeof out)[number]> = {};
      for (let w = 0; w < writeIdx.length; w++) named[rt.outPorts[writeIdx[w]!]!] = out[writeIdx[w]!];
      try {
        outPayloads = rt.kernel!(inPayloads!, named as Readonly<Record<string, NonNullable<(typeof out)[number]>>>, firing);
      } catch (e) {
        throw new RunError(`actor '${spec.name}': kernel failed on firing ${i} (inputs ${JSON.stringify(firing.inputs)}): ${e instanceof Error ? e.message : String(e)}`, spec.name, i, { cause: e });
      }
    }
    this.firingCount[a] = i + 1;
    this.totalFirings++;
    // (The recorder only reads the port lists' lengths and elements.)
    const id = this.rec ? this.rec.firing(a, t, rt.inFifos, readIdx as Int32Array, rt.outFifos, writeIdx as Int32Array, cost) : 0;
    // A firing that starts now (no request, or one granted at once) writes straight from `out`
    // when its pipeline is empty and its slots are free by its write cycle (no in-flight entry:
    // see `started`); one that waits for its round, or is queued behind earlier writes, carries
    // an entry in the pipeline.
    this.firingOut = writeIdx;
    this.firingOutPayloads = outPayloads;
    this.firingIndex = i;
    const writes = writeIdx.length > 0 ? DIRECT : undefined;
    if (requests && requests.length > 0) {
      const now = requests.length === 1 ? this.arbiter.grantNow(a, requests[0]!, t) : undefined;
      if (now) {
        this.serve(a, i, ii, latency, now, writes, t);
      } else {
        this.nextAllowed[a] = Infinity;
        this.arbiter.request(a, i, ii, latency, requests, id, writes && this.inFlight(a));
        if (this.arbitrationAt !== t) {
          this.arbitrationAt = t;
          this.arbitrationKey = this.keyOf(t, ARBITRATE, this.n);
        }
      }
    } else {
      this.book.fired(a, i, t, 0, t + ii, ii);
      this.started(a, writes, t + latency, t + ii, t);
    }
    // The firing lets go of its tokens (the FIFOs and the pipeline hold them while needed): a
    // token still referenced from an actor's reused arrays would survive young-generation GCs
    // and be copied and promoted with the live ones.
    for (let r = 0; r < readIdx.length; r++) ins[readIdx[r]!] = undefined;
    for (let k = 0; k < out.length; k++) out[k] = undefined;
    this.firingOutPayloads = undefined;
  }

  /**
   * Completes a firing's start: plans its write (in firing order) and schedules the next firing.
   * `entry`: its in-flight entry, or DIRECT for the firing being started (its tokens still in
   * the actor's `out`), or undefined when it writes nothing.
   */
  private started(a: number, entry: InFlight | undefined, ready: number, next: number, t: number): void {
    const done = Math.max(next, ready);
    if (done > this.makespan) this.makespan = done;
    this.nextAllowed[a] = next;
    if (entry) {
      const w = Math.max(ready, this.tailWrite[a]!);
      this.tailWrite[a] = w;
      if (entry !== DIRECT || !this.landStarting(a, w, w <= t)) {
        if (entry === DIRECT) entry = this.inFlight(a);
        entry.write = w;
        if (this.pipes[a]!.front() === entry) {
          if (this.writableBy(a, entry, w)) this.queueWrites(a, entry, w, w <= t);
          else if (w <= t) this.tryWrite(a, t, true);
          else this.planWrite(a, entry, w);
        }
      }
    }
    if (this.frozenSince[a] === NONE) this.scheduleNext(a, next); // a frozen pipeline is woken when it thaws
  }

  /**
   * Schedules the next firing attempt of `a` at `next`, unless it would only find an input empty
   * then: it is marked blocked from `next` and the write wakes it (one scheduler event saved per
   * firing of a stage that waits on its producer; cycles unchanged). The next firing's read rate
   * is evaluated here once and kept for the firing; a rate that tests its ports is left to the
   * firing's own cycle.
   */
  private scheduleNext(a: number, next: number): void {
    const rt = this.actors[a]!;
    const i = this.firingCount[a]!;
    if (rt.inFifos.length > 0 && i < rt.firingLimit) {
      let readIdx: ArrayLike<number> = rt.allIn;
      if (rt.readRuns) {
        readIdx = runList(rt.readRuns, i);
      } else if (rt.reads) {
        this.probeAhead = true;
        this.probeTested = false;
        this.probeActor = a;
        try {
          readIdx = readIndices(rt, i, this.probe);
        } finally {
          this.probeAhead = false;
        }
        if (this.probeTested) {
          this.wake(a, next);
          return;
        }
        this.ahead[a] = readIdx;
        this.aheadFor[a] = i;
      }
      const ready = this.waitForInputs(a, rt, readIdx, next);
      if (ready === WAITING) return;
      if (ready === READY) this.readyFor[a] = i;
    }
    this.wake(a, next);
  }

  /**
   * Whether the inputs `readIdx` of `a` all hold a token written by cycle t. If not, `a` is
   * blocked on the first that does not (woken by its write, or at the queued token's write
   * cycle): WAITING; DRY when that FIFO is empty and its producer has finished.
   */
  private waitForInputs(a: number, rt: ActorRuntime, readIdx: ArrayLike<number>, t: number): number {
    for (let r = 0; r < readIdx.length; r++) {
      const fi = rt.inFifos[readIdx[r]!]!;
      const f = this.fifos[fi]!;
      if (f.isEmpty) {
        if (f.closed) {
          // The input whose close retires `a` (kept for re-timing: a `reads` selector's answer
          // for a firing that never starts is not in the firings recorded).
          if (this.rec) this.rec.dry(a, fi);
          return DRY;
        }
        this.book.blockEmpty(a, t, fi);
        return WAITING;
      }
      const w = f.headWriteCycle();
      if (w > t) {
        this.book.blockEmpty(a, t, fi);
        this.wake(a, w);
        return WAITING;
      }
    }
    return READY;
  }

  /** A firing waiting for its cycle's arbitration round has been served. */
  private readonly served = (p: PendingRequest, s: Served): void => {
    // The firing's in-flight entry (undefined: it writes nothing); still in the pipeline, whose
    // writes wait for its planned cycle.
    this.serve(p.actor, p.index, p.iiCycles, p.latencyCycles, s, p.tag as InFlight | undefined, this.now);
  };

  /** Firing `index` of `a`, started at t, was served as `s`: it is busy until its accesses end. */
  private serve(a: number, index: number, ii: number, latency: number, s: Served, entry: InFlight | undefined, t: number): void {
    const next = Math.max(t + ii, s.finish);
    this.book.fired(a, index, t, s.waitUntil - t, next, ii, s.resource, s.heldBy === undefined ? undefined : this.names[s.heldBy]);
    this.started(a, entry, s.finish + latency, next, t);
  }

  /**
   * `a` tested its inputs and read none: it waits for a token on any input (a write wakes it),
   * or retires when every input is empty and closed.
   */
  private pollWait(a: number, rt: ActorRuntime, t: number): void {
    let open = false;
    let pending = false;
    for (let k = 0; k < rt.inFifos.length; k++) {
      const f = this.fifos[rt.inFifos[k]!]!;
      if (!f.isEmpty) pending = true;
      else if (!f.closed) open = true;
    }
    if (!open && !pending) {
      this.retire(a, t);
      return;
    }
    this.polling[a] = 1;
    this.book.blockEmpty(a, t, this.probeEmptyFifo !== NONE ? this.probeEmptyFifo : rt.inFifos[0]!);
    // A token written this cycle by a latency-0 firing is testable from the next one.
    if (pending) this.wake(a, t + 1);
  }

  // ---- completion -------------------------------------------------------------------------

  private checkFinished(): void {
    const blocked: BlockedActor[] = [];
    for (let a = 0; a < this.n; a++) {
      if (this.done[a]) continue;
      if (this.deferred[a] !== NONE) this.freezeDeferred(a, this.deferred[a]!);
      const full = this.frozenSince[a] !== NONE;
      const fi = full ? this.frozenFifo[a]! : this.book.emptyFifo[a]!;
      blocked.push({
        actor: this.names[a]!,
        waitsOn: full ? 'full' : 'empty',
        fifo: fi === NONE ? '?' : this.fifos[fi]!.name,
        sinceCycle: full ? this.frozenSince[a]! : this.book.emptySince[a]!,
      });
    }
    // The deadlock holds from the cycle the last actor blocked: a deferred write found blocked
    // here freezes its pipeline from its due cycle, which can be after the last event's cycle.
    if (blocked.length > 0) throw new DeadlockError(blocked.reduce((c, b) => Math.max(c, b.sinceCycle), this.now), blocked);
    const leftovers = this.fifos.filter((f) => f.occupancy > 0);
    if (leftovers.length > 0) {
      throw new RunError(
        `run ended with unread tokens: ${leftovers
          .map((f) => {
            const c = this.consumer[this.fifos.indexOf(f)]!;
            const limit = this.actors[c]!.firingLimit;
            const why = this.firingCount[c]! >= limit ? `reached its firing count (${limit})` : 'another input ran dry';
            return `FIFO '${f.name}' holds ${f.occupancy} (its consumer '${this.names[c]}' finished: ${why})`;
          })
          .join('; ')}`,
      );
    }
  }
}
