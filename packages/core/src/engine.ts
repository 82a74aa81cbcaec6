import { Subject, type Observable } from 'rxjs';
import { costOf, type ActorSpec, type Firing, type FiringCost, type FiringOutputs } from './actor.js';
import { mapFnOf } from './actors.js';
import { DeadlockError, RunError, type BlockedActor } from './errors.js';
import { BoundedFifo } from './fifo.js';
import type { Graph } from './graph.js';
import { EventHeap } from './heap.js';
import { SharedResource, type Grant } from './resource.js';
import type { ActorSummary, Bottleneck, FifoSummary, ResourceSummary, RunSummary } from './summary.js';
import type { Token, TokenMeta } from './token.js';
import type { ActorState, TraceEvent } from './trace-events.js';

export interface RunOptions {
  /** 'timing': metadata only, kernels skipped. 'functional': kernels compute payloads. Default 'timing'. */
  readonly mode?: 'timing' | 'functional';
  /** 'summary': counters only (fast). 'full': also keep every trace event in the result. Default 'summary'. */
  readonly trace?: 'summary' | 'full';
  /** Keep the tokens read by sinks (actors without outputs). Default true. */
  readonly collectSinks?: boolean;
  /** Safety limit: a run past this cycle stops with an error. Default 2^50. */
  readonly maxCycles?: number;
}

export interface RunResult {
  /** Cycle at which the last firing completed (outputs readable and initiation interval elapsed). */
  readonly cycles: number;
  readonly summary: RunSummary;
  /** Tokens read by each sink, in order (when collectSinks). */
  readonly sinks: Readonly<Record<string, readonly Token[]>>;
  /** Every trace event, in emission order (trace: 'full' only). */
  readonly events: readonly TraceEvent[];
  /** Firings executed by the engine. */
  readonly firings: number;
  /** Scheduler events processed (actor wake-ups and arbitration rounds). */
  readonly schedulerEvents: number;
}

const NONE = -1;
const BLOCK_EMPTY = 1;
const BLOCK_FULL = 2;

interface PendingFiring {
  actor: number;
  cycle: number;
  cost: FiringCost;
  outFifos: number[];
  outMetas: TokenMeta[];
  outPayloads: unknown[];
  slots: number[];
  index: number;
}

interface ActorRuntime {
  readonly spec: ActorSpec;
  readonly inPorts: readonly string[];
  readonly inFifos: Int32Array;
  readonly outPorts: readonly string[];
  readonly outFifos: Int32Array;
  readonly inIndexByPort: ReadonlyMap<string, number>;
  readonly outIndexByPort: ReadonlyMap<string, number>;
  readonly subject: Subject<Firing> | undefined;
  /** The projection of a `mapFirings` behaviour, called directly (no Subject round trip). */
  readonly mapFn: ((f: Firing) => FiringOutputs) | undefined;
  emitted: FiringOutputs | undefined;
  emissions: number;
  readonly firingLimit: number;
  readonly isSink: boolean;
  /** Static, pre-validated cost (undefined when the cost is a function of the firing). */
  readonly staticCost: FiringCost | undefined;
  /**
   * No rates, behaviour, kernel or cost function: the firing needs no metadata record, so the
   * engine takes an allocation-free path (the common case for timing-only stages).
   */
  readonly simple: boolean;
  /** Reused output record of the default behaviour (consumed before the next firing). */
  readonly outScratch: Record<string, TokenMeta>;
  /** Indices of every input port (the default firing reads them all). */
  readonly allIn: Int32Array;
  /** Some output FIFO is also an input (state carried to the next firing). */
  readonly selfLoop: boolean;
  /**
   * Reused per-firing objects: one metadata record per read pattern and one Firing. Behaviours,
   * rates and kernels get them for the call only; they must copy what they keep (the metas inside
   * are never reused).
   */
  readonly inputRecords: Map<readonly number[] | Int32Array, Record<string, TokenMeta>>;
  readonly firingScratch: Firing;
  /** Port-name lists returned by reads/writes, mapped to port indices once per list object. */
  readonly readCache: PortCache;
  readonly writeCache: PortCache;
}

/**
 * The deterministic discrete-event engine.
 *
 * Semantics (what the cycle formulas in the tests are derived from), for actor k and firing i:
 *   start[i] = max( ready of every token it reads,
 *                   start[i-1] + max(II, its resource service),
 *                   start of the consumer firing that freed a slot in each FIFO it writes )
 *   ready[i] = (end of its resource accesses, or start[i]) + latency
 * which for a chain with depth-D FIFOs is the max-plus recurrence
 *   t[k][i] = max(t[k-1][i] + L[k-1], t[k][i-1] + II[k], t[k+1][i-D]).
 * A slot freed at cycle t can be reserved at cycle t; events at one cycle are processed in graph
 * (invocation) order, which only matters for resource arbitration and is fixed, so runs are
 * bit-for-bit repeatable. Resource requests of one cycle are arbitrated after every actor of that
 * cycle has been tried, per each resource's policy; earlier cycles' requests are served first.
 */
export class Simulation {
  private readonly traceSubject = new Subject<TraceEvent>();
  /** Trace events as they happen (subscribe before `run`). */
  readonly trace$: Observable<TraceEvent> = this.traceSubject.asObservable();
  private ran = false;

  constructor(
    readonly graph: Graph,
    readonly options: RunOptions = {},
  ) {}

  run(): RunResult {
    if (this.ran) throw new Error('a Simulation runs once; create another for a new run');
    this.ran = true;
    try {
      return new EngineRun(this.graph, this.options, this.traceSubject).execute();
    } finally {
      this.traceSubject.complete();
    }
  }
}

/** Runs a graph to completion and returns its result. */
export function runGraph(graph: Graph, options: RunOptions = {}): RunResult {
  return new Simulation(graph, options).run();
}

/** One run of a graph (internal: `Simulation` and the functional runner drive it). */
export class EngineRun {
  private readonly fifos: BoundedFifo[];
  private readonly resources: SharedResource[];
  private readonly resourceIndex = new Map<string, number>();
  private readonly actors: ActorRuntime[];
  private readonly producer: Int32Array;
  private readonly consumer: Int32Array;
  private readonly n: number;
  private readonly heap = new EventHeap();
  private readonly stride: number;

  // per actor state
  private readonly nextAllowed: Float64Array;
  private readonly scheduledAt: Float64Array;
  private readonly firingCount: Float64Array;
  private readonly done: Uint8Array;
  private readonly blockedSince: Float64Array;
  private readonly blockedKind: Uint8Array;
  private readonly blockedFifo: Int32Array;
  private readonly busy: Float64Array;
  private readonly stallEmpty: Float64Array;
  private readonly stallFull: Float64Array;
  private readonly stallContention: Float64Array;
  private readonly resourceBound: Float64Array;
  private readonly idleReclassified: Float64Array;
  // per fifo
  private readonly fifoFullStall: Float64Array;
  private readonly fifoEmptyStall: Float64Array;
  // per resource
  private readonly resourceContention: Float64Array;

  private readonly pending: PendingFiring[] = [];
  private arbitrationScheduledAt = -1;
  private makespan = 0;
  private totalFirings = 0;
  private schedulerEvents = 0;
  private readonly functional: boolean;
  private readonly full: boolean;
  private readonly observed: boolean;
  private readonly events: TraceEvent[] = [];
  private readonly sinks: Record<string, Token[]> = {};
  private readonly collectSinks: boolean;
  private readonly maxCycles: number;
  private now = 0;

  constructor(
    private readonly graph: Graph,
    options: RunOptions,
    private readonly trace: Subject<TraceEvent>,
  ) {
    this.functional = options.mode === 'functional';
    this.full = options.trace === 'full';
    this.observed = this.full || trace.observed;
    this.collectSinks = options.collectSinks ?? true;
    this.maxCycles = options.maxCycles ?? 2 ** 50;
    if (!Number.isInteger(this.maxCycles) || this.maxCycles < 1) throw new RangeError(`maxCycles must be an integer >= 1, got ${options.maxCycles}`);
    if (options.mode !== undefined && options.mode !== 'timing' && options.mode !== 'functional') throw new RangeError(`mode must be 'timing' or 'functional', got '${String(options.mode)}'`);
    if (options.trace !== undefined && options.trace !== 'summary' && options.trace !== 'full') throw new RangeError(`trace must be 'summary' or 'full', got '${String(options.trace)}'`);
    this.fifos = graph.fifos.map((f) => new BoundedFifo(f));
    this.resources = graph.resources.map((r, i) => {
      this.resourceIndex.set(r.name, i);
      return new SharedResource(r);
    });
    this.n = graph.actors.length;
    this.stride = this.n + 1;
    this.producer = new Int32Array(this.fifos.length).fill(NONE);
    this.consumer = new Int32Array(this.fifos.length).fill(NONE);
    this.actors = graph.actors.map((ga, ai) => {
      const inPorts = [...ga.inputs.keys()];
      const outPorts = [...ga.outputs.keys()];
      const inFifos = Int32Array.from(inPorts.map((p) => ga.inputs.get(p)!));
      const outFifos = Int32Array.from(outPorts.map((p) => ga.outputs.get(p)!));
      inFifos.forEach((f) => (this.consumer[f] = ai));
      outFifos.forEach((f) => (this.producer[f] = ai));
      const rt: ActorRuntime = {
        spec: ga.spec,
        inPorts,
        inFifos,
        outPorts,
        outFifos,
        inIndexByPort: new Map(inPorts.map((p, i) => [p, i])),
        outIndexByPort: new Map(outPorts.map((p, i) => [p, i])),
        subject: ga.spec.behaviour && !mapFnOf(ga.spec.behaviour) ? new Subject<Firing>() : undefined,
        mapFn: mapFnOf(ga.spec.behaviour),
        emitted: undefined,
        emissions: 0,
        firingLimit: ga.spec.firings ?? Infinity,
        isSink: outPorts.length === 0 && inPorts.length > 0,
        staticCost: typeof ga.spec.cost === 'function' ? undefined : ga.spec.cost,
        simple:
          typeof ga.spec.cost !== 'function' &&
          !ga.spec.reads &&
          !ga.spec.writes &&
          !ga.spec.behaviour &&
          !ga.spec.kernel &&
          inPorts.length > 0 &&
          !(ga.spec.cost.requests && ga.spec.cost.requests.length > 0),
        outScratch: {},
        allIn: allIndices(inPorts.length),
        selfLoop: [...outFifos].some((f) => inFifos.includes(f)),
        inputRecords: new Map(),
        firingScratch: { actor: ga.spec.name, index: 0, cycle: 0, inputs: {} },
        readCache: [],
        writeCache: [],
      };
      if (rt.subject && ga.spec.behaviour) {
        // The behaviour operator runs synchronously inside each firing; the engine reads what it
        // emitted right after pushing the firing (credit was checked before, so nothing queues).
        rt.subject.pipe(ga.spec.behaviour).subscribe({
          next: (o) => {
            rt.emitted = o;
            rt.emissions++;
          },
          error: (e: unknown) => {
            throw new RunError(`actor '${ga.spec.name}': behaviour failed: ${String(e)}`, ga.spec.name, undefined, { cause: e });
          },
        });
      }
      if (rt.isSink) this.sinks[ga.spec.name] = [];
      return rt;
    });
    const n = this.n;
    this.nextAllowed = new Float64Array(n);
    this.scheduledAt = new Float64Array(n).fill(NONE);
    this.firingCount = new Float64Array(n);
    this.done = new Uint8Array(n);
    this.blockedSince = new Float64Array(n).fill(NONE);
    this.blockedKind = new Uint8Array(n);
    this.blockedFifo = new Int32Array(n).fill(NONE);
    this.busy = new Float64Array(n);
    this.stallEmpty = new Float64Array(n);
    this.stallFull = new Float64Array(n);
    this.stallContention = new Float64Array(n);
    this.resourceBound = new Float64Array(n);
    this.idleReclassified = new Float64Array(n);
    this.fifoFullStall = new Float64Array(this.fifos.length);
    this.fifoEmptyStall = new Float64Array(this.fifos.length);
    this.resourceContention = new Float64Array(this.resources.length);
  }

  execute(): RunResult {
    for (let a = 0; a < this.n; a++) this.wake(a, 0);
    const stride = this.stride;
    const heap = this.heap;
    while (heap.size > 0) {
      const key = heap.pop();
      this.schedulerEvents++;
      const cycle = Math.floor(key / stride);
      const who = key - cycle * stride;
      if (cycle > this.maxCycles) throw new RunError(`run exceeded maxCycles (${this.maxCycles}) at cycle ${cycle}`);
      this.now = cycle;
      if (who === this.n) {
        this.arbitrate(cycle);
        continue;
      }
      if (this.scheduledAt[who] !== cycle) continue; // superseded wake-up
      this.scheduledAt[who] = NONE;
      this.tryFire(who, cycle);
    }
    this.checkFinished();
    return this.result();
  }

  // ---- scheduling -------------------------------------------------------------------------

  private wake(a: number, cycle: number): void {
    if (this.done[a]) return;
    const t = Math.max(cycle, this.nextAllowed[a]!);
    if (t === Infinity) return; // waiting for arbitration; it reschedules
    const s = this.scheduledAt[a]!;
    if (s !== NONE && s <= t) return;
    this.scheduledAt[a] = t;
    this.heap.push(t * this.stride + a);
  }

  /**
   * Wakes `a` only if it is blocked on `fifo` for that reason: an actor that is not blocked
   * always has an attempt scheduled already (after each firing it schedules its next one).
   */
  private wakeIfBlockedOn(a: number, kind: number, fifo: number, cycle: number): void {
    if (this.blockedSince[a] !== NONE && this.blockedKind[a] === kind && this.blockedFifo[a] === fifo) this.wake(a, cycle);
  }

  // ---- firing -----------------------------------------------------------------------------

  private tryFire(a: number, t: number): void {
    if (this.done[a]) return;
    const rt = this.actors[a]!;
    const spec = rt.spec;
    const i = this.firingCount[a]!;
    if (i >= rt.firingLimit) {
      this.finish(a, t);
      return;
    }
    if (rt.simple && !(this.collectSinks && rt.isSink) && !this.observed) {
      this.fireSimple(a, rt, i, t);
      return;
    }
    // Which inputs this firing reads.
    let readIdx: readonly number[] | Int32Array;
    if (spec.reads) {
      readIdx = portIndices(rt.readCache, spec.reads(i), rt.inIndexByPort, spec.name, 'reads', i, 'input');
    } else {
      readIdx = ALL[rt.inPorts.length] ?? allIndices(rt.inPorts.length);
    }
    // Metadata records are reused per read pattern (same keys every time: a stable object
    // shape, no allocation).
    let inputs = rt.inputRecords.get(readIdx);
    if (!inputs) rt.inputRecords.set(readIdx, (inputs = {}));
    for (let r = 0; r < readIdx.length; r++) {
      const k = readIdx[r]!;
      const fi = rt.inFifos[k]!;
      if (!this.canRead(a, t, fi)) return;
      inputs[rt.inPorts[k]!] = this.fifos[fi]!.headMeta();
    }
    // Which outputs it writes; each needs credit (a free slot).
    let writeIdx: readonly number[] | Int32Array;
    if (spec.writes) {
      writeIdx = portIndices(rt.writeCache, spec.writes(i, inputs), rt.outIndexByPort, spec.name, 'writes', i, 'output');
    } else {
      writeIdx = ALL[rt.outPorts.length] ?? allIndices(rt.outPorts.length);
    }
    for (let w = 0; w < writeIdx.length; w++) if (!this.hasCredit(a, t, rt, readIdx, rt.outFifos[writeIdx[w]!]!)) return;
    // Fire.
    this.unblock(a, t);
    const firing = rt.firingScratch as { actor: string; index: number; cycle: number; inputs: Readonly<Record<string, TokenMeta>> };
    firing.index = i;
    firing.cycle = t;
    firing.inputs = inputs;
    let inPayloads: Record<string, unknown> | undefined;
    if (this.functional && spec.kernel) inPayloads = {};
    for (let r = 0; r < readIdx.length; r++) {
      const k = readIdx[r]!;
      const fi = rt.inFifos[k]!;
      const fifo = this.fifos[fi]!;
      const meta = fifo.headMeta();
      const readyCycle = fifo.headReadyCycle();
      const payload = fifo.pop();
      if (inPayloads) inPayloads[rt.inPorts[k]!] = payload;
      if (rt.isSink && this.collectSinks) {
        this.sinks[spec.name]!.push({ meta, payload, readyCycle });
      }
      if (this.observed) this.emit({ kind: 'fifo', fifo: fifo.name, cycle: t, occupancy: fifo.occupancy });
      this.wakeIfBlockedOn(this.producer[fi]!, BLOCK_FULL, fi, t);
    }
    const cost = this.checkedCost(spec, firing);
    const outMetas = this.outputsOf(rt, firing, writeIdx, i);
    let outPayloads: Readonly<Record<string, unknown>> | undefined;
    if (this.functional && spec.kernel) {
      try {
        outPayloads = spec.kernel(inPayloads!, outMetas, firing);
      } catch (e) {
        throw new RunError(
          `actor '${spec.name}': kernel failed on firing ${i} (inputs ${JSON.stringify(inputs)}): ${e instanceof Error ? e.message : String(e)}`,
          spec.name,
          i,
          { cause: e },
        );
      }
    }
    this.firingCount[a] = i + 1;
    this.totalFirings++;
    const requests = cost.requests;
    if (requests && requests.length > 0) {
      // Reserve output slots now (credit); fill them once the resources have served the firing.
      const p: PendingFiring = { actor: a, cycle: t, cost, outFifos: [], outMetas: [], outPayloads: [], slots: [], index: i };
      for (let w = 0; w < writeIdx.length; w++) {
        const port = rt.outPorts[writeIdx[w]!]!;
        const fi = rt.outFifos[writeIdx[w]!]!;
        const fifo = this.fifos[fi]!;
        p.outFifos.push(fi);
        p.outMetas.push(outMetas[port]!);
        p.outPayloads.push(outPayloads?.[port]);
        p.slots.push(fifo.reserve());
        if (this.observed) this.emit({ kind: 'fifo', fifo: fifo.name, cycle: t, occupancy: fifo.occupancy });
      }
      this.nextAllowed[a] = Infinity;
      this.pending.push(p);
      if (this.arbitrationScheduledAt !== t) {
        this.arbitrationScheduledAt = t;
        this.heap.push(t * this.stride + this.n);
      }
      return;
    }
    const ready = t + cost.latencyCycles;
    for (let w = 0; w < writeIdx.length; w++) {
      const port = rt.outPorts[writeIdx[w]!]!;
      const fi = rt.outFifos[writeIdx[w]!]!;
      const fifo = this.fifos[fi]!;
      fifo.push(outMetas[port]!, outPayloads?.[port], ready);
      if (this.observed) this.emit({ kind: 'fifo', fifo: fifo.name, cycle: t, occupancy: fifo.occupancy });
      this.wakeIfBlockedOn(this.consumer[fi]!, BLOCK_EMPTY, fi, ready);
    }
    const next = t + cost.iiCycles;
    this.busy[a] += cost.iiCycles;
    if (this.observed) this.emit({ kind: 'actor', actor: spec.name, state: 'busy', startCycle: t, endCycle: next, firing: i });
    const complete = Math.max(next, ready);
    if (complete > this.makespan) this.makespan = complete;
    this.nextAllowed[a] = next;
    this.scheduleNext(a, rt, i + 1, next);
  }

  /**
   * Whether the head token of FIFO `fi` is readable by `a` at `t`. If not, `a` blocks on it
   * (woken by the write, or at the in-flight token's arrival), or finishes when the FIFO is
   * empty and its producer is done.
   */
  private canRead(a: number, t: number, fi: number): boolean {
    const fifo = this.fifos[fi]!;
    if (fifo.isEmpty) {
      if (fifo.closed) this.finish(a, t);
      else this.block(a, t, BLOCK_EMPTY, fi);
      return false;
    }
    const ready = fifo.headReadyCycle();
    if (ready > t) {
      this.block(a, t, BLOCK_EMPTY, fi);
      if (ready !== Infinity) this.scheduleAt(a, ready);
      return false;
    }
    return true;
  }

  /**
   * Whether `a` holds credit (a free slot) on output FIFO `fi`; if not, it blocks on it. A
   * self-loop (state carried to the next firing) frees its slot in the same firing that reads it.
   */
  private hasCredit(a: number, t: number, rt: ActorRuntime, readIdx: readonly number[] | Int32Array, fi: number): boolean {
    if (this.fifos[fi]!.isFull && !(rt.selfLoop && readsFifo(rt, readIdx, fi))) {
      this.block(a, t, BLOCK_FULL, fi);
      return false;
    }
    return true;
  }

  /** tryFire for `simple` actors: same semantics, no per-firing allocation. */
  private fireSimple(a: number, rt: ActorRuntime, i: number, t: number): void {
    const inF = rt.inFifos;
    const fifos = this.fifos;
    for (let k = 0; k < inF.length; k++) if (!this.canRead(a, t, inF[k]!)) return;
    const outF = rt.outFifos;
    for (let w = 0; w < outF.length; w++) if (!this.hasCredit(a, t, rt, rt.allIn, outF[w]!)) return;
    this.unblock(a, t);
    const meta = fifos[inF[0]!]!.headMeta();
    for (let k = 0; k < inF.length; k++) {
      const fi = inF[k]!;
      fifos[fi]!.pop();
      this.wakeIfBlockedOn(this.producer[fi]!, BLOCK_FULL, fi, t);
    }
    const cost = rt.staticCost!;
    const ready = t + cost.latencyCycles;
    for (let w = 0; w < outF.length; w++) {
      const fi = outF[w]!;
      fifos[fi]!.push(meta, undefined, ready);
      this.wakeIfBlockedOn(this.consumer[fi]!, BLOCK_EMPTY, fi, ready);
    }
    this.firingCount[a] = i + 1;
    this.totalFirings++;
    const next = t + cost.iiCycles;
    this.busy[a] += cost.iiCycles;
    const complete = next > ready ? next : ready;
    if (complete > this.makespan) this.makespan = complete;
    this.nextAllowed[a] = next;
    this.scheduleNext(a, rt, i + 1, next);
  }

  /**
   * Schedules firing `i` of `a`, allowed from cycle `next`. Looks ahead at the FIFOs it will
   * read: if one is empty (and open), the attempt at `next` could only block on it, so the stall
   * is recorded from `next` and the producer's write wakes the actor; if its token is in flight,
   * the actor wakes when it lands (a token's ready cycle never moves). This saves a scheduler
   * event per firing of every stage that waits on its producer, without changing any cycle.
   */
  private scheduleNext(a: number, rt: ActorRuntime, i: number, next: number): void {
    if (i < rt.firingLimit && rt.inFifos.length > 0) {
      const spec = rt.spec;
      const reads = spec.reads ? portIndices(rt.readCache, spec.reads(i), rt.inIndexByPort, spec.name, 'reads', i, 'input') : rt.allIn;
      for (let r = 0; r < reads.length; r++) {
        const fi = rt.inFifos[reads[r]!]!;
        const f = this.fifos[fi]!;
        if (f.isEmpty) {
          if (f.closed) break;
          this.blockedSince[a] = next;
          this.blockedKind[a] = BLOCK_EMPTY;
          this.blockedFifo[a] = fi;
          return;
        }
        const ready = f.headReadyCycle();
        if (ready > next) {
          this.blockedSince[a] = next;
          this.blockedKind[a] = BLOCK_EMPTY;
          this.blockedFifo[a] = fi;
          if (ready !== Infinity) this.scheduleAt(a, ready);
          return;
        }
      }
    }
    this.wake(a, next);
  }

  private checkedCost(spec: ActorSpec, firing: Firing): FiringCost {
    const cost = costOf(spec, firing);
    if (!Number.isInteger(cost.iiCycles) || cost.iiCycles < 1 || !Number.isInteger(cost.latencyCycles) || cost.latencyCycles < 0) {
      throw new RunError(
        `actor '${spec.name}': cost of firing ${firing.index} must have integer iiCycles >= 1 and latencyCycles >= 0, got ii=${cost.iiCycles} latency=${cost.latencyCycles}`,
        spec.name,
        firing.index,
      );
    }
    return cost;
  }

  private outputsOf(rt: ActorRuntime, firing: Firing, writeIdx: readonly number[] | Int32Array, i: number): FiringOutputs {
    const spec = rt.spec;
    if (rt.mapFn) {
      let out: FiringOutputs;
      try {
        out = rt.mapFn(firing);
      } catch (e) {
        throw new RunError(`actor '${spec.name}': behaviour failed on firing ${i}: ${e instanceof Error ? e.message : String(e)}`, spec.name, i, { cause: e });
      }
      for (let w = 0; w < writeIdx.length; w++) {
        const port = rt.outPorts[writeIdx[w]!]!;
        if (!out[port]) throw new RunError(`actor '${spec.name}': behaviour gave no token for output port '${port}' on firing ${i}`, spec.name, i);
      }
      return out;
    }
    if (rt.subject) {
      rt.emissions = 0;
      rt.emitted = undefined;
      rt.subject.next(firing);
      if (rt.emissions !== 1) {
        throw new RunError(`actor '${spec.name}': behaviour emitted ${rt.emissions} times for firing ${i}; it must emit exactly once per firing`, spec.name, i);
      }
      const out = rt.emitted!;
      for (let w = 0; w < writeIdx.length; w++) {
        const port = rt.outPorts[writeIdx[w]!]!;
        if (!out[port]) throw new RunError(`actor '${spec.name}': behaviour gave no token for output port '${port}' on firing ${i}`, spec.name, i);
      }
      return out;
    }
    if (writeIdx.length === 0) return EMPTY;
    let meta: TokenMeta | undefined;
    for (const p of rt.inPorts) {
      meta = firing.inputs[p];
      if (meta) break;
    }
    meta ??= { index: i, last: i === rt.firingLimit - 1 };
    const out = rt.outScratch;
    for (let w = 0; w < writeIdx.length; w++) out[rt.outPorts[writeIdx[w]!]!] = meta;
    return out;
  }

  // ---- arbitration ------------------------------------------------------------------------

  private arbitrate(t: number): void {
    if (this.pending.length === 1 && this.pending[0]!.cost.requests!.length === 1) {
      // The common case: one firing, one request this cycle (no ordering, no allocation).
      const p = this.pending.pop()!;
      const rq = p.cost.requests![0]!;
      const ri = this.resourceOf(p, rq.resource);
      const g = this.serve(ri, p, t, rq.units);
      const waited = g.startCycle > t && g.heldBy !== p.actor;
      this.completePending(p, t, Math.max(t, g.endCycle), waited ? g.startCycle : t, this.resources[ri]!.name, waited ? this.nameOf(g.heldBy) : undefined);
      return;
    }
    const batch = this.pending.splice(0);
    const finish = new Float64Array(batch.length).fill(t);
    const waitUntil = new Float64Array(batch.length).fill(t);
    const holder: (string | undefined)[] = new Array<string | undefined>(batch.length);
    const holderResource: (string | undefined)[] = new Array<string | undefined>(batch.length);
    // Requests grouped by resource, resources served in declaration order.
    const byResource = new Map<number, { b: number; units: number }[]>();
    batch.forEach((p, b) => {
      for (const rq of p.cost.requests!) {
        const ri = this.resourceOf(p, rq.resource);
        let list = byResource.get(ri);
        if (!list) byResource.set(ri, (list = []));
        list.push({ b, units: rq.units });
      }
    });
    const order = byResource.size === 1 ? [...byResource.keys()] : [...byResource.keys()].sort((x, y) => x - y);
    for (const ri of order) {
      const res = this.resources[ri]!;
      const requesters = byResource.get(ri)!;
      if (requesters.length > 1) this.orderRequests(res, requesters, batch);
      for (const { b, units } of requesters) {
        const p = batch[b]!;
        const g = this.serve(ri, p, t, units);
        if (g.endCycle > finish[b]!) finish[b] = g.endCycle;
        if (g.startCycle > waitUntil[b]! && g.heldBy !== p.actor) {
          waitUntil[b] = g.startCycle;
          holder[b] = this.nameOf(g.heldBy);
          holderResource[b] = res.name;
        }
      }
    }
    batch.forEach((p, b) => this.completePending(p, t, finish[b]!, waitUntil[b]!, holderResource[b], holder[b]));
  }

  /** Index of a requested resource; an undeclared one is an error naming the actor. */
  private resourceOf(p: PendingFiring, resource: string): number {
    const ri = this.resourceIndex.get(resource);
    if (ri === undefined) {
      const name = this.actors[p.actor]!.spec.name;
      throw new RunError(`actor '${name}': firing ${p.index} requests undeclared resource '${resource}'`, name, p.index);
    }
    return ri;
  }

  private nameOf(actor: number | undefined): string | undefined {
    return actor === undefined ? undefined : this.actors[actor]!.spec.name;
  }

  /** Serves `units` of resource `ri` to firing `p` requested at `t`: contention and the trace. */
  private serve(ri: number, p: PendingFiring, t: number, units: number): Grant {
    const res = this.resources[ri]!;
    const g = res.grant(p.actor, t, units);
    if (g.startCycle > t && g.heldBy !== p.actor) this.resourceContention[ri] += g.startCycle - t;
    if (this.observed) {
      this.emit({ kind: 'grant', resource: res.name, actor: this.actors[p.actor]!.spec.name, units, requestCycle: t, startCycle: g.startCycle, endCycle: g.endCycle });
    }
    return g;
  }

  /**
   * Completes a firing whose resource accesses end at `finish` after it waited (stalled on
   * contention) until `waitUntil`: fills its reserved output slots, accounts its cycles and
   * schedules its next firing.
   */
  private completePending(p: PendingFiring, t: number, finish: number, waitUntil: number, resource: string | undefined, heldBy: string | undefined): void {
    const a = p.actor;
    const spec = this.actors[a]!.spec;
    const ready = finish + p.cost.latencyCycles;
    for (let w = 0; w < p.outFifos.length; w++) {
      const fi = p.outFifos[w]!;
      this.fifos[fi]!.fill(p.slots[w]!, p.outMetas[w]!, p.outPayloads[w], ready);
      this.wakeIfBlockedOn(this.consumer[fi]!, BLOCK_EMPTY, fi, ready);
    }
    const wait = waitUntil - t;
    const next = Math.max(t + p.cost.iiCycles, finish);
    this.stallContention[a] += wait;
    this.busy[a] += next - t - wait;
    // Busy beyond the II is time spent being served by the resource: memory-bound work.
    this.resourceBound[a] += Math.max(0, next - t - wait - p.cost.iiCycles);
    if (this.observed) {
      if (wait > 0) this.emit({ kind: 'actor', actor: spec.name, state: 'stalled-contention', startCycle: t, endCycle: t + wait, resource, heldBy });
      this.emit({ kind: 'actor', actor: spec.name, state: 'busy', startCycle: t + wait, endCycle: next, firing: p.index });
    }
    const complete = Math.max(next, ready);
    if (complete > this.makespan) this.makespan = complete;
    this.nextAllowed[a] = next;
    this.scheduleNext(a, this.actors[a]!, p.index + 1, next);
  }

  private orderRequests(res: SharedResource, reqs: { b: number; units: number }[], batch: PendingFiring[]): void {
    const pol = res.arbitration;
    const n = this.n;
    if (pol.kind === 'priority') {
      const prio = (b: number) => pol.order[this.actors[batch[b]!.actor]!.spec.name] ?? Infinity;
      reqs.sort((x, y) => prio(x.b) - prio(y.b) || batch[x.b]!.actor - batch[y.b]!.actor || x.b - y.b);
    } else {
      const last = res.lastGranted;
      const rank = (b: number) => (batch[b]!.actor - last - 1 + n) % n;
      reqs.sort((x, y) => rank(x.b) - rank(y.b) || x.b - y.b);
    }
  }

  // ---- stalls and completion --------------------------------------------------------------

  private scheduleAt(a: number, cycle: number): void {
    const s = this.scheduledAt[a]!;
    if (s !== NONE && s <= cycle) return;
    this.scheduledAt[a] = cycle;
    this.heap.push(cycle * this.stride + a);
  }

  private block(a: number, t: number, kind: number, fifo: number): void {
    const since = this.blockedSince[a]!;
    if (since !== NONE) {
      if (this.blockedKind[a] === kind && this.blockedFifo[a] === fifo) return;
      this.closeStall(a, since, t);
    }
    this.blockedSince[a] = t;
    this.blockedKind[a] = kind;
    this.blockedFifo[a] = fifo;
  }

  private unblock(a: number, t: number): void {
    const since = this.blockedSince[a]!;
    if (since === NONE) return;
    this.closeStall(a, since, t);
    this.blockedSince[a] = NONE;
  }

  private closeStall(a: number, since: number, t: number): void {
    const d = t - since;
    if (d <= 0) return;
    const fi = this.blockedFifo[a]!;
    let state: ActorState;
    if (this.blockedKind[a] === BLOCK_EMPTY) {
      this.stallEmpty[a] += d;
      this.fifoEmptyStall[fi] += d;
      state = 'stalled-empty';
    } else {
      this.stallFull[a] += d;
      this.fifoFullStall[fi] += d;
      state = 'stalled-full';
    }
    if (this.observed) {
      this.emit({ kind: 'actor', actor: this.actors[a]!.spec.name, state, startCycle: since, endCycle: t, fifo: this.fifos[fi]!.name });
    }
  }

  private finish(a: number, t: number): void {
    const since = this.blockedSince[a]!;
    if (since !== NONE) {
      // Waiting for tokens that never came: the actor was simply no longer needed.
      this.idleReclassified[a] += t - since;
      this.blockedSince[a] = NONE;
    }
    this.done[a] = 1;
    const rt = this.actors[a]!;
    for (const fi of rt.outFifos) {
      this.fifos[fi]!.closed = true;
      this.wake(this.consumer[fi]!, t);
    }
    rt.subject?.complete();
  }

  private checkFinished(): void {
    const blocked: BlockedActor[] = [];
    for (let a = 0; a < this.n; a++) {
      if (this.done[a]) continue;
      const fi = this.blockedFifo[a]!;
      blocked.push({
        actor: this.actors[a]!.spec.name,
        waitsOn: this.blockedKind[a] === BLOCK_FULL ? 'full' : 'empty',
        fifo: fi === NONE ? '?' : this.fifos[fi]!.name,
        sinceCycle: this.blockedSince[a]!,
      });
    }
    if (blocked.length > 0) throw new DeadlockError(this.now, blocked);
    const leftovers = this.fifos.filter((f) => f.occupancy > 0);
    if (leftovers.length > 0) {
      throw new RunError(
        `run ended with unread tokens: ${leftovers
          .map((f) => `FIFO '${f.name}' holds ${f.occupancy} (its consumer '${this.actors[this.consumer[this.fifos.indexOf(f)]!]!.spec.name}' finished because another input ran dry)`)
          .join('; ')}`,
      );
    }
  }

  private emit(e: TraceEvent): void {
    if (this.full) this.events.push(e);
    this.trace.next(e);
  }

  // ---- result -----------------------------------------------------------------------------

  private result(): RunResult {
    const cycles = this.makespan;
    const actors: ActorSummary[] = this.actors.map((rt, a) => {
      const busy = this.busy[a]!;
      const se = this.stallEmpty[a]!;
      const sf = this.stallFull[a]!;
      const sc = this.stallContention[a]!;
      return {
        actor: rt.spec.name,
        firings: this.firingCount[a]!,
        busyCycles: busy,
        stalledEmptyCycles: se,
        stalledFullCycles: sf,
        stalledContentionCycles: sc,
        resourceBoundCycles: this.resourceBound[a]!,
        idleCycles: cycles - busy - se - sf - sc,
        utilisation: cycles > 0 ? busy / cycles : 0,
      };
    });
    const fifos: FifoSummary[] = this.fifos.map((f, i) => ({
      fifo: f.name,
      depth: f.depth,
      tokens: f.written,
      maxOccupancy: f.maxOccupancy,
      fullStallCycles: this.fifoFullStall[i]!,
      emptyStallCycles: this.fifoEmptyStall[i]!,
    }));
    const resources: ResourceSummary[] = this.resources.map((r, i) => ({
      resource: r.name,
      unit: r.unit,
      unitsPerCycle: r.unitsPerCycle,
      unitsServed: r.unitsServed,
      grants: r.grants,
      busyCycles: r.busyCycles,
      utilisation: cycles > 0 ? r.unitsServed / (r.unitsPerCycle * cycles) : 0,
      contentionCycles: this.resourceContention[i]!,
    }));
    const summary: RunSummary = {
      graph: this.graph.name,
      cycles,
      actors,
      fifos,
      resources,
      bottlenecks: rankBottlenecks(actors, fifos, resources, this.graph),
    };
    if (this.observed) {
      // Close the books: every actor's remaining cycles are idle.
      for (const a of actors) {
        if (a.idleCycles > 0) {
          const last = cycles - a.idleCycles;
          this.emit({ kind: 'actor', actor: a.actor, state: 'idle', startCycle: last, endCycle: cycles });
        }
      }
    }
    return { cycles, summary, sinks: this.sinks, events: this.events, firings: this.totalFirings, schedulerEvents: this.schedulerEvents };
  }
}

/**
 * Ranks what limits the run: actors by the fraction of cycles they were busy or waiting for a
 * shared resource, resources by the fraction of their peak they delivered. The reason names the
 * stalls an actor imposes on its neighbours (producers stalled full on its input FIFOs).
 */
export function rankBottlenecks(
  actors: readonly ActorSummary[],
  fifos: readonly FifoSummary[],
  resources: readonly ResourceSummary[],
  graph: Graph,
): Bottleneck[] {
  const cycles = actors.length > 0 ? actors[0]!.busyCycles + actors[0]!.stalledEmptyCycles + actors[0]!.stalledFullCycles + actors[0]!.stalledContentionCycles + actors[0]!.idleCycles : 0;
  const fifoByName = new Map(fifos.map((f) => [f.fifo, f]));
  const list: Bottleneck[] = actors.map((a, i) => {
    const ga = graph.actors[i]!;
    const upstreamFull = [...ga.inputs.values()].map((fi) => fifoByName.get(graph.fifos[fi]!.name)!).filter((f) => f.fullStallCycles > 0);
    const parts = [`busy ${a.busyCycles} of ${cycles} cycles`];
    if (a.stalledContentionCycles > 0) parts.push(`waited ${a.stalledContentionCycles} cycles for shared resources`);
    if (upstreamFull.length > 0) parts.push(`producers stalled full on ${upstreamFull.map((f) => `'${f.fifo}' (${f.fullStallCycles} cycles)`).join(', ')}`);
    if (a.resourceBoundCycles > 0) parts.push(`${a.resourceBoundCycles} of its busy cycles were spent being served by shared resources`);
    // Busy time spent being served by a resource is charged to the resource, not the actor.
    const util = cycles > 0 ? (a.busyCycles - a.resourceBoundCycles + a.stalledContentionCycles) / cycles : 0;
    return { kind: 'actor' as const, name: a.actor, utilisation: util, why: parts.join('; ') };
  });
  for (const r of resources) {
    const why = [`delivered ${r.unitsServed} ${r.unit} of a ${r.unitsPerCycle}/cycle peak`];
    if (r.contentionCycles > 0) why.push(`requesters waited ${r.contentionCycles} cycles`);
    why.push(`busy in ${r.busyCycles} of ${cycles} cycles`);
    list.push({ kind: 'resource', name: r.resource, utilisation: cycles > 0 ? r.busyCycles / cycles : 0, why: why.join('; ') });
  }
  return list.sort((x, y) => y.utilisation - x.utilisation || (x.kind === y.kind ? 0 : x.kind === 'resource' ? -1 : 1) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

const EMPTY: FiringOutputs = Object.freeze({});

/**
 * Port indices of a reads/writes result. Rates return a handful of distinct port lists (often
 * fresh array literals), so the mapping is memoised by content in a small per-actor cache.
 */
function portIndices(
  cache: PortCache,
  ports: readonly string[],
  byName: ReadonlyMap<string, number>,
  actor: string,
  rate: 'reads' | 'writes',
  firing: number,
  dir: 'input' | 'output',
): Int32Array {
  const n = ports.length;
  search: for (let e = 0; e < cache.length; e++) {
    const entry = cache[e]!;
    const names = entry.names;
    if (names.length !== n) continue;
    for (let k = 0; k < n; k++) if (names[k] !== ports[k]) continue search;
    return entry.idx;
  }
  const idx = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const j = byName.get(ports[k]!);
    if (j === undefined) throw new RunError(`actor '${actor}': ${rate}(${firing}) names unknown ${dir} port '${ports[k]}'`, actor, firing);
    idx[k] = j;
  }
  if (cache.length >= PORT_CACHE_SIZE) cache.shift();
  cache.push({ names: ports.slice(), idx });
  return idx;
}

type PortCache = { names: readonly string[]; idx: Int32Array }[];
const PORT_CACHE_SIZE = 8;

/** Whether the firing reading input ports `readIdx` reads FIFO `fi`. */
function readsFifo(rt: ActorRuntime, readIdx: readonly number[] | Int32Array, fi: number): boolean {
  for (let r = 0; r < readIdx.length; r++) if (rt.inFifos[readIdx[r]!] === fi) return true;
  return false;
}
const ALL: Int32Array[] = Array.from({ length: 17 }, (_, n) => allIndices(n));
function allIndices(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
