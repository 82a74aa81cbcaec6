import type { Subject } from 'rxjs';
import type { PortProbe } from './actor.js';
import { Arbiter, type PendingRequest, type Served } from './arbitration.js';
import { DeadlockError, RunError, type BlockedActor } from './errors.js';
import { BoundedFifo } from './fifo.js';
import type { Graph } from './graph.js';
import { EventHeap } from './heap.js';
import { actorRuntime, checkedCost, EMPTY, outputsOf, readPorts, writePorts, type ActorRuntime } from './ports.js';
import { Pipeline, type InFlight } from './pipeline.js';
import { FiringRecorder } from './recording.js';
import { SharedResource } from './resource.js';
import { summarize } from './results.js';
import { NONE, StallBook } from './stalls.js';
import type { Token, TokenMeta } from './token.js';
import type { TraceEvent } from './trace-events.js';
import type { RunOptions, RunResult } from './engine.js';

/** Event phases within a cycle: writes land, then actors start firings, then arbitration. */
const WRITE = 0;
const START = 1;
const ARBITRATE = 2;
const PHASES = 3;
/** Outcomes of `waitForInputs`. */
const READY = 0;
const WAITING = 1;
const DRY = 2;
/** Write cycle of a firing still waiting for its cycle's arbitration. */
const UNKNOWN = -1;

/**
 * One run of a graph: the discrete-event scheduler. Events are keyed (cycle, phase, actor) and
 * processed in that order, so a run is bit-for-bit repeatable whatever the order actors were
 * declared in beyond the documented tie-breaks (see README: the FIFO and arbitration rules).
 */
export class EngineRun {
  private readonly fifos: BoundedFifo[];
  private readonly resources: SharedResource[];
  private readonly actors: ActorRuntime[];
  private readonly names: string[];
  private readonly producer: Int32Array;
  private readonly consumer: Int32Array;
  private readonly n: number;
  private readonly heap = new EventHeap();
  private readonly stride: number;
  private readonly maxKeyCycle: number;
  private readonly book: StallBook;
  private readonly arbiter: Arbiter;
  private readonly pipes: Pipeline[];

  // per actor state
  private readonly nextAllowed: Float64Array;
  private readonly scheduledAt: Float64Array;
  private readonly writeScheduledAt: Float64Array;
  /** Planned write cycle of the newest in-flight firing (writes stay in firing order). */
  private readonly tailWrite: Float64Array;
  private readonly firingCount: Float64Array;
  private readonly done: Uint8Array;
  private readonly finishing: Uint8Array;
  /** Pipeline frozen on a full FIFO since `frozenSince` (NONE: running). */
  private readonly frozenSince: Float64Array;
  private readonly frozenFifo: Int32Array;
  /**
   * Planned write cycle of a pipeline head that needs a slot no read has freed yet (a FIFO full
   * of unread tokens): no event is scheduled; the read that frees the slot plans the write, and
   * an attempt to start at or after that cycle finds the pipeline frozen (NONE: none).
   */
  private readonly deferred: Float64Array;
  /** Waiting, after testing its inputs, for a token on any of them (a polling loop). */
  private readonly polling: Uint8Array;

  // The non-blocking tests of the firing being tried (see ActorSpec.reads).
  private probeActor = 0;
  private probeCycle = 0;
  private probeTested = false;
  private probeEmptyFifo = NONE;
  private readonly probe: PortProbe = {
    empty: (port: string): boolean => {
      const rt = this.actors[this.probeActor]!;
      const k = rt.inIndexByPort.get(port);
      if (k === undefined) throw new RunError(`actor '${rt.spec.name}': reads() tests unknown input port '${port}'`, rt.spec.name);
      const fi = rt.inFifos[k]!;
      this.probeTested = true;
      if (this.rec) this.rec.nonBlocking = true;
      const empty = !this.fifos[fi]!.testableAt(this.probeCycle);
      if (empty && this.probeEmptyFifo === NONE) this.probeEmptyFifo = fi;
      return empty;
    },
    full: (port: string): boolean => {
      const rt = this.actors[this.probeActor]!;
      const k = rt.outIndexByPort.get(port);
      if (k === undefined) throw new RunError(`actor '${rt.spec.name}': writes() tests unknown output port '${port}'`, rt.spec.name);
      if (this.rec) this.rec.nonBlocking = true;
      return this.fifos[rt.outFifos[k]!]!.writableAt(rt.selfLoop[k] === 1) > this.probeCycle;
    },
  };

  private arbitrationAt = -1;
  private makespan = 0;
  private totalFirings = 0;
  private schedulerEvents = 0;
  private readonly functional: boolean;
  private readonly sinks: Record<string, Token[]> = {};
  private readonly collectSinks: boolean;
  private readonly maxCycles: number;
  private now = 0;
  /** Firing recorder for re-timing (RunOptions.record), undefined otherwise. */
  private readonly rec: FiringRecorder | undefined;

  constructor(
    private readonly graph: Graph,
    options: RunOptions,
    trace: Subject<TraceEvent>,
  ) {
    this.functional = options.mode === 'functional';
    const full = options.trace === 'full';
    this.collectSinks = options.collectSinks ?? true;
    this.maxCycles = options.maxCycles ?? 2 ** 50;
    if (!Number.isInteger(this.maxCycles) || this.maxCycles < 1) throw new RangeError(`maxCycles must be an integer >= 1, got ${options.maxCycles}`);
    if (options.mode !== undefined && options.mode !== 'timing' && options.mode !== 'functional') throw new RangeError(`mode must be 'timing' or 'functional', got '${String(options.mode)}'`);
    if (options.trace !== undefined && options.trace !== 'summary' && options.trace !== 'full') throw new RangeError(`trace must be 'summary' or 'full', got '${String(options.trace)}'`);
    const selfLoops = new Set<number>();
    for (const ga of graph.actors) for (const fi of ga.outputs.values()) if ([...ga.inputs.values()].includes(fi)) selfLoops.add(fi);
    this.fifos = graph.fifos.map((f, i) => new BoundedFifo(f, selfLoops.has(i)));
    this.resources = graph.resources.map((r) => new SharedResource(r));
    this.n = graph.actors.length;
    this.stride = this.n + 1;
    this.maxKeyCycle = Math.floor(Number.MAX_SAFE_INTEGER / (PHASES * this.stride)) - 1;
    this.producer = new Int32Array(this.fifos.length).fill(NONE);
    this.consumer = new Int32Array(this.fifos.length).fill(NONE);
    this.names = graph.actors.map((ga) => ga.spec.name);
    this.actors = graph.actors.map((ga, ai) => {
      const rt = actorRuntime(ga, (e: unknown) => {
        throw new RunError(`actor '${ga.spec.name}': behaviour failed: ${String(e)}`, ga.spec.name, undefined, { cause: e });
      });
      rt.inFifos.forEach((f) => (this.consumer[f] = ai));
      rt.outFifos.forEach((f) => (this.producer[f] = ai));
      if (rt.isSink) this.sinks[ga.spec.name] = [];
      return rt;
    });
    const observed = full || trace.observed;
    this.book = new StallBook(this.n, this.fifos.length, this.names, this.fifos.map((f) => f.name), observed, full, trace);
    const book = this.book;
    this.arbiter = new Arbiter(
      this.resources,
      this.names,
      observed
        ? (ri, actor, units, t, g) => book.emit({ kind: 'grant', resource: this.resources[ri]!.name, actor: this.names[actor]!, units, requestCycle: t, startCycle: g.startCycle, endCycle: g.endCycle })
        : undefined,
    );
    this.rec = options.record ? new FiringRecorder(graph) : undefined;
    if (this.rec) {
      const rec = this.rec;
      this.arbiter.onRecord = (id, k) => rec.granted(id, k);
    }
    this.pipes = this.actors.map(() => new Pipeline());
    const n = this.n;
    this.nextAllowed = new Float64Array(n);
    this.scheduledAt = new Float64Array(n).fill(NONE);
    this.writeScheduledAt = new Float64Array(n).fill(NONE);
    this.tailWrite = new Float64Array(n).fill(-Infinity);
    this.firingCount = new Float64Array(n);
    this.done = new Uint8Array(n);
    this.finishing = new Uint8Array(n);
    this.frozenSince = new Float64Array(n).fill(NONE);
    this.frozenFifo = new Int32Array(n).fill(NONE);
    this.polling = new Uint8Array(n);
    this.deferred = new Float64Array(n).fill(NONE);
  }

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

  /** Processes events up to cycle `until` (inclusive); returns whether events remain. */
  drain(until: number): boolean {
    const heap = this.heap;
    const stride = this.stride;
    while (heap.size > 0) {
      const key = heap.peek();
      const slot = Math.floor(key / stride);
      const cycle = Math.floor(slot / PHASES);
      if (cycle > until) return true;
      heap.pop();
      this.schedulerEvents++;
      const phase = slot - cycle * PHASES;
      const who = key - slot * stride;
      if (cycle > this.maxCycles) throw new RunError(`run exceeded maxCycles (${this.maxCycles}) at cycle ${cycle}`);
      this.now = cycle;
      if (phase === START) {
        if (this.scheduledAt[who] !== cycle) continue; // superseded wake-up
        this.scheduledAt[who] = NONE;
        this.tryFire(who, cycle);
      } else if (phase === WRITE) {
        if (this.writeScheduledAt[who] !== cycle) continue;
        this.writeScheduledAt[who] = NONE;
        this.tryWrite(who, cycle);
      } else {
        this.arbitrationAt = -1;
        this.arbiter.arbitrate(cycle, this.served);
      }
    }
    return false;
  }

  /** The run's result once no event remains (or a DeadlockError naming who waits on what). */
  finish(): RunResult {
    this.checkFinished();
    return this.result();
  }

  /** Cycle reached so far. */
  get cycle(): number {
    return this.now;
  }

  // ---- scheduling -------------------------------------------------------------------------

  private push(cycle: number, phase: number, who: number): void {
    if (cycle > this.maxKeyCycle) throw new RunError(`run exceeded the largest cycle the scheduler can key (${this.maxKeyCycle}) at cycle ${cycle}`);
    this.heap.push((cycle * PHASES + phase) * this.stride + who);
  }

  private wake(a: number, cycle: number): void {
    if (this.done[a]) return;
    const t = Math.max(cycle, this.nextAllowed[a]!);
    if (t === Infinity) return; // waiting for arbitration or a frozen pipeline: they reschedule
    const s = this.scheduledAt[a]!;
    if (s !== NONE && s <= t) return;
    this.scheduledAt[a] = t;
    this.push(t, START, a);
  }

  private scheduleWrite(a: number, cycle: number): void {
    const s = this.writeScheduledAt[a]!;
    if (s !== NONE && s <= cycle) return;
    this.writeScheduledAt[a] = cycle;
    this.push(cycle, WRITE, a);
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
    this.probeActor = a;
    this.probeCycle = t;
    this.probeTested = false;
    this.probeEmptyFifo = NONE;
    const readIdx = readPorts(rt, i, this.probe);
    const fifos = this.fifos;
    if (readIdx.length === 0 && this.probeTested) {
      this.pollWait(a, rt, t);
      return;
    }
    this.polling[a] = 0;
    const ready = this.waitForInputs(a, rt, readIdx, t);
    if (ready !== READY) {
      if (ready === DRY) this.retire(a, t);
      return;
    }
    this.book.closeEmpty(a, t);
    // Metadata records are reused per read pattern (same keys every time: a stable shape).
    let inputs = rt.inputRecords.get(readIdx);
    if (!inputs) rt.inputRecords.set(readIdx, (inputs = {}));
    for (let r = 0; r < readIdx.length; r++) inputs[rt.inPorts[readIdx[r]!]!] = fifos[rt.inFifos[readIdx[r]!]!]!.headMeta();
    const firing = rt.firingScratch as { actor: string; index: number; cycle: number; inputs: Readonly<Record<string, TokenMeta>> };
    firing.index = i;
    firing.cycle = t;
    firing.inputs = inputs;
    const needPayloads = this.functional && spec.kernel !== undefined;
    const inPayloads: Record<string, unknown> | undefined = needPayloads ? {} : undefined;
    for (let r = 0; r < readIdx.length; r++) {
      const k = readIdx[r]!;
      const fi = rt.inFifos[k]!;
      const fifo = fifos[fi]!;
      const meta = fifo.headMeta();
      const written = fifo.headWriteCycle();
      const payload = fifo.pop(t);
      if (inPayloads) inPayloads[rt.inPorts[k]!] = payload;
      if (rt.isSink && this.collectSinks) this.sinks[spec.name]!.push({ meta, payload, readyCycle: written });
      if (this.book.observed) this.book.fifoEvent(fi, t, fifo.occupancy);
      const p = this.producer[fi]!;
      if (p !== a) {
        if (this.frozenFifo[p] === fi && this.frozenSince[p] !== NONE) this.scheduleWrite(p, fifo.writableAt(false));
        else if (this.deferred[p] !== NONE) this.resolveDeferred(p, t);
      }
    }
    const writeIdx = writePorts(rt, i, inputs, this.probe);
    const cost = checkedCost(rt, firing);
    // A behaviour sees every firing (an RxJS one may keep state), also those that write nothing.
    const outMetas = writeIdx.length > 0 || rt.subject || rt.mapFn ? outputsOf(rt, firing, writeIdx, i) : EMPTY;
    let outPayloads: Readonly<Record<string, unknown>> | undefined;
    if (needPayloads) {
      try {
        outPayloads = spec.kernel!(inPayloads!, outMetas, firing);
      } catch (e) {
        throw new RunError(`actor '${spec.name}': kernel failed on firing ${i} (inputs ${JSON.stringify(inputs)}): ${e instanceof Error ? e.message : String(e)}`, spec.name, i, { cause: e });
      }
    }
    this.firingCount[a] = i + 1;
    this.totalFirings++;
    const id = this.rec ? this.rec.firing(a, t, rt.inFifos, readIdx, rt.outFifos, writeIdx, cost) : 0;
    let entry: InFlight | undefined;
    if (writeIdx.length > 0) {
      entry = this.pipes[a]!.alloc();
      entry.index = i;
      entry.n = writeIdx.length;
      for (let w = 0; w < writeIdx.length; w++) {
        const port = rt.outPorts[writeIdx[w]!]!;
        entry.ports[w] = writeIdx[w]!;
        entry.metas[w] = outMetas[port]!;
        entry.payloads[w] = outPayloads?.[port];
      }
    }
    if (entry) {
      entry.write = UNKNOWN;
      this.pipes[a]!.push(entry);
    }
    const requests = cost.requests;
    if (requests && requests.length > 0) {
      this.nextAllowed[a] = Infinity;
      this.arbiter.request({ actor: a, index: i, cost, id });
      if (this.arbitrationAt !== t) {
        this.arbitrationAt = t;
        this.push(t, ARBITRATE, this.n);
      }
      return;
    }
    this.book.fired(a, i, t, 0, t + cost.iiCycles, cost.iiCycles);
    this.started(a, entry, t + cost.latencyCycles, t + cost.iiCycles, t);
  }

  /** Completes a firing's start: plans its write (in firing order) and schedules the next firing. */
  private started(a: number, entry: InFlight | undefined, ready: number, next: number, t: number): void {
    const done = Math.max(next, ready);
    if (done > this.makespan) this.makespan = done;
    this.nextAllowed[a] = next;
    if (entry) {
      const w = Math.max(ready, this.tailWrite[a]!);
      this.tailWrite[a] = w;
      const pipe = this.pipes[a]!;
      entry.write = w;
      if (pipe.front() === entry) {
        if (this.writableBy(a, entry, w)) this.queueWrites(a, entry, w, w <= t);
        else if (w <= t) this.tryWrite(a, t, true);
        else this.planWrite(a, entry, w);
      }
    }
    if (this.frozenSince[a] === NONE) this.scheduleNext(a, next); // a frozen pipeline is woken when it thaws
  }

  /**
   * Whether every FIFO `entry` writes already has the slot its write at `w` needs. Slots only
   * free up as time passes and this actor's writes are in order, so the write cannot stall.
   */
  private writableBy(a: number, entry: InFlight, w: number): boolean {
    const rt = this.actors[a]!;
    for (let k = 0; k < entry.n; k++) {
      const port = entry.ports[k]!;
      if (this.fifos[rt.outFifos[port]!]!.writableAt(rt.selfLoop[port] === 1) > w) return false;
    }
    return true;
  }

  /**
   * Puts the oldest in-flight firing's tokens into their FIFOs, readable from `w`, and wakes the
   * consumers. `started` calls it at once for writes that cannot stall (no write event; a token
   * a FIFO holds is never readable before its write cycle), `tryWrite` when the write lands.
   */
  private queueWrites(a: number, entry: InFlight, w: number, sameCycle: boolean): void {
    const rt = this.actors[a]!;
    for (let k = 0; k < entry.n; k++) {
      const fi = rt.outFifos[entry.ports[k]!]!;
      const fifo = this.fifos[fi]!;
      fifo.push(entry.metas[k]!, entry.payloads[k], w, sameCycle);
      if (this.book.observed) this.book.fifoEvent(fi, w, fifo.occupancy);
      const c = this.consumer[fi]!;
      if (this.polling[c]) this.wake(c, sameCycle ? w + 1 : w);
      else if (this.book.emptyFifo[c] === fi && this.book.emptySince[c] !== NONE) this.wake(c, w);
    }
    if (w > this.makespan) this.makespan = w;
    this.pipes[a]!.shift();
  }

  /**
   * Schedules the next firing attempt of `a` at `next`, unless a default-rule actor would only
   * find an input empty then: it is marked blocked from `next` and the write wakes it (one
   * scheduler event saved per firing of a stage that waits on its producer; cycles unchanged).
   */
  private scheduleNext(a: number, next: number): void {
    const rt = this.actors[a]!;
    if (!rt.spec.reads && rt.inFifos.length > 0 && this.firingCount[a]! < rt.firingLimit && this.waitForInputs(a, rt, rt.allIn, next) === WAITING) return;
    this.wake(a, next);
  }

  /**
   * Whether the inputs `readIdx` of `a` all hold a token written by cycle t. If not, `a` is
   * blocked on the first that does not (woken by its write, or at the queued token's write
   * cycle): WAITING; DRY when that FIFO is empty and its producer has finished.
   */
  private waitForInputs(a: number, rt: ActorRuntime, readIdx: Int32Array, t: number): number {
    for (let r = 0; r < readIdx.length; r++) {
      const fi = rt.inFifos[readIdx[r]!]!;
      const f = this.fifos[fi]!;
      if (f.isEmpty) {
        if (f.closed) return DRY;
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

  private readonly served = (p: PendingRequest, s: Served): void => {
    const a = p.actor;
    const t = this.now;
    const next = Math.max(t + p.cost.iiCycles, s.finish);
    this.book.fired(a, p.index, t, s.waitUntil - t, next, p.cost.iiCycles, s.resource, s.heldBy === undefined ? undefined : this.names[s.heldBy]);
    const pipe = this.pipes[a]!;
    let entry: InFlight | undefined;
    for (let k = pipe.len - 1; k >= 0; k--) {
      const f = pipe.at(k);
      if (f.index === p.index) entry = f;
      if (f.write !== UNKNOWN) break;
    }
    this.started(a, entry, s.finish + p.cost.latencyCycles, next, t);
  };

  /**
   * The oldest in-flight firing of `a` writes its outputs at `c`, if every FIFO it writes has a
   * slot (see BoundedFifo). If one has none, the pipeline freezes (HLS stall-pipeline): no firing
   * starts and every in-flight write moves by the length of the stall.
   */
  private tryWrite(a: number, c: number, sameCycle = false): void {
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
  private fullOutput(a: number, entry: InFlight): number {
    const rt = this.actors[a]!;
    for (let k = 0; k < entry.n; k++) {
      const fi = rt.outFifos[entry.ports[k]!]!;
      if (this.fifos[fi]!.isFull) return fi;
    }
    return NONE;
  }

  /** A write event at `w` for the pipeline head, or, if a FIFO it writes is full, a deferred write. */
  private planWrite(a: number, entry: InFlight, w: number): void {
    if (this.fullOutput(a, entry) !== NONE) this.deferred[a] = w;
    else this.scheduleWrite(a, w);
  }

  /** A deferred write was due at `w` and is still blocked: the pipeline has been frozen since `w`. */
  private freezeDeferred(a: number, w: number, fi = this.fullOutput(a, this.pipes[a]!.front()!)): void {
    this.deferred[a] = NONE;
    this.frozenSince[a] = w;
    this.book.closeEmpty(a, w);
    this.frozenFifo[a] = fi;
  }

  /** A read at `t` freed a slot of producer `p`, whose head write was deferred: plan it now. */
  private resolveDeferred(p: number, t: number): void {
    const w = this.deferred[p]!;
    const head = this.pipes[p]!.front()!;
    if (this.fullOutput(p, head) !== NONE) return;
    this.deferred[p] = NONE;
    if (w <= t) {
      // Due already: frozen since w (on the FIFO that was full); the write lands when the slots are writable.
      const rt = this.actors[p]!;
      let at = t;
      let blocking = NONE;
      for (let k = 0; k < head.n; k++) {
        const port = head.ports[k]!;
        const fi = rt.outFifos[port]!;
        const x = this.fifos[fi]!.writableAt(rt.selfLoop[port] === 1);
        if (x > w && blocking === NONE) blocking = fi;
        if (x > at) at = x;
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
  private thaw(a: number, since: number, c: number): void {
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

  /** `a` fires no more (its firing count is reached, or an input ran dry): done once its pipeline drains. */
  private retire(a: number, t: number): void {
    this.book.retire(a, t);
    this.finishing[a] = 1;
    if (this.pipes[a]!.len === 0) this.close(a, t);
  }

  private close(a: number, t: number): void {
    this.done[a] = 1;
    const rt = this.actors[a]!;
    for (const fi of rt.outFifos) {
      this.fifos[fi]!.closed = true;
      const k = this.consumer[fi]!;
      if (k !== a) this.wake(k, t);
    }
    rt.subject?.complete();
  }

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
    if (blocked.length > 0) throw new DeadlockError(this.now, blocked);
    const leftovers = this.fifos.filter((f) => f.occupancy > 0);
    if (leftovers.length > 0) {
      throw new RunError(
        `run ended with unread tokens: ${leftovers
          .map((f) => `FIFO '${f.name}' holds ${f.occupancy} (its consumer '${this.names[this.consumer[this.fifos.indexOf(f)]!]}' finished because another input ran dry)`)
          .join('; ')}`,
      );
    }
  }

  private result(): RunResult {
    const cycles = this.makespan;
    const book = this.book;
    const summary = summarize(this.graph, cycles, this.firingCount, book, this.fifos, this.resources, this.arbiter.contention);
    if (book.observed) {
      // Close the books: every actor's remaining cycles are idle.
      for (let a = 0; a < this.n; a++) book.flushBusy(a);
      for (const s of summary.actors) {
        if (s.idleCycles > 0) book.emit({ kind: 'actor', actor: s.actor, state: 'idle', startCycle: cycles - s.idleCycles, endCycle: cycles });
      }
    }
    return {
      cycles,
      summary,
      sinks: this.sinks,
      events: book.events,
      firings: this.totalFirings,
      schedulerEvents: this.schedulerEvents,
      ...(this.rec ? { recording: this.rec.finish(cycles) } : {}),
    };
  }
}
