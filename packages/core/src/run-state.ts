import type { Subject } from 'rxjs';
import { Arbiter } from './arbitration.js';
import { RunError } from './errors.js';
import { BoundedFifo, FifoStore } from './fifo.js';
import type { Graph } from './graph.js';
import { EventHeap } from './heap.js';
import { actorRuntime, graphPorts, type ActorRuntime } from './ports.js';
import { Pipeline } from './pipeline.js';
import { FiringRecorder } from './recording.js';
import { SharedResource } from './resource.js';
import { NONE, StallBook } from './stalls.js';
import type { Token } from './token.js';
import type { TraceEvent } from './trace-events.js';
import type { RunOptions } from './engine.js';

/** Event phases within a cycle: writes land, then actors start firings, then arbitration. */
export const WRITE = 0;
export const START = 1;
export const ARBITRATE = 2;
/** Write cycle of a firing still waiting for its cycle's arbitration. */
export const UNKNOWN = -1;

/**
 * The state of one run: FIFOs, resources, actors with their pipelines, per-actor scheduling
 * state in typed arrays, and the event queue. Events are keyed (cycle, phase, actor) and
 * processed in that order, so a run is bit-for-bit repeatable (see README: the FIFO and
 * arbitration rules). The pipeline-write rules (writes.ts) and the firing rules (engine-run.ts)
 * build on it.
 */
export class RunState {
  readonly fifos: BoundedFifo[];
  readonly resources: SharedResource[];
  readonly actors: ActorRuntime[];
  readonly names: string[];
  /** Producer and consumer actor of each FIFO (NONE: unbound); shared by the graph's runs: read-only. */
  readonly producer: Int32Array;
  readonly consumer: Int32Array;
  readonly n: number;
  readonly heap = new EventHeap();
  /**
   * Event keys are cycle * 2^(actorBits + 2) + phase * 2^actorBits + actor: powers of two, so a
   * key splits back into its fields by an exact multiplication and bit masks (no division).
   */
  private readonly actorBits: number;
  private readonly cycleScale: number;
  private readonly cycleUnscale: number;
  private readonly actorMask: number;
  private readonly maxKeyCycle: number;
  readonly book: StallBook;
  readonly arbiter: Arbiter;
  readonly pipes: Pipeline[];

  // per actor state
  readonly nextAllowed: Float64Array;
  readonly scheduledAt: Float64Array;
  readonly writeScheduledAt: Float64Array;
  /** Planned write cycle of the newest in-flight firing (writes stay in firing order). */
  readonly tailWrite: Float64Array;
  /** Firings started per actor (Int32: firing indices reach stages as small integers, see ports.ts FiringView.begin). */
  readonly firingCount: Int32Array;
  readonly done: Uint8Array;
  readonly finishing: Uint8Array;
  /** Pipeline frozen on a full FIFO since `frozenSince` (NONE: running). */
  readonly frozenSince: Float64Array;
  readonly frozenFifo: Int32Array;
  /**
   * Planned write cycle of a pipeline head that needs a slot no read has freed yet (a FIFO full
   * of unread tokens): no event is scheduled; the read that frees the slot plans the write, and
   * an attempt to start at or after that cycle finds the pipeline frozen (NONE: none).
   */
  readonly deferred: Float64Array;
  /** Waiting, after testing its inputs, for a token on any of them (a polling loop). */
  readonly polling: Uint8Array;

  makespan = 0;
  totalFirings = 0;
  schedulerEvents = 0;
  now = 0;
  readonly functional: boolean;
  readonly sinks: Record<string, Token[]> = {};
  readonly collectSinks: boolean;
  readonly maxCycles: number;
  /** Firing recorder for re-timing (RunOptions.record), undefined otherwise. */
  readonly rec: FiringRecorder | undefined;

  constructor(
    readonly graph: Graph,
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
    const ports = graphPorts(graph);
    const store = new FifoStore(graph.fifos);
    this.fifos = graph.fifos.map((f, i) => new BoundedFifo(f, ports.selfLoop[i] === 1, store));
    this.resources = graph.resources.map((r) => new SharedResource(r));
    this.n = graph.actors.length;
    // Actors 0..n (n: the arbitration round's slot); 4 phase slots for the 3 phases.
    this.actorBits = Math.max(1, Math.ceil(Math.log2(this.n + 1)));
    this.cycleScale = 2 ** (this.actorBits + 2);
    this.cycleUnscale = 2 ** -(this.actorBits + 2);
    this.actorMask = (2 ** this.actorBits - 1) | 0; // a small integer: masks and sums with it stay integer arithmetic
    this.maxKeyCycle = Math.floor(Number.MAX_SAFE_INTEGER / this.cycleScale) - 1;
    this.producer = ports.producer;
    this.consumer = ports.consumer;
    this.names = graph.actors.map((ga) => ga.spec.name);
    this.actors = graph.actors.map((ga, ai) => {
      const rt = actorRuntime(ga, ports.actors[ai]!, (e: unknown) => {
        throw new RunError(`actor '${ga.spec.name}': behaviour failed: ${String(e)}`, ga.spec.name, undefined, { cause: e });
      });
      if (rt.isSink) this.sinks[ga.spec.name] = [];
      return rt;
    });
    const observed = full || trace.observed;
    this.book = new StallBook(this.n, this.fifos.length, this.names, this.fifos.map((f) => f.name), observed, full, trace);
    const book = this.book;
    this.rec = options.record ? new FiringRecorder(graph) : undefined;
    this.arbiter = new Arbiter(
      this.resources,
      this.names,
      observed
        ? (ri, actor, units, t, g) => book.emit({ kind: 'grant', resource: this.resources[ri]!.name, actor: this.names[actor]!, units, requestCycle: t, startCycle: g.startCycle, endCycle: g.endCycle })
        : undefined,
      this.actors.map((rt) => rt.resourceNames),
      this.actors.map((rt) => rt.resourceIdx),
      // Granting at request time is the same as in the cycle's round when no other actor can
      // request the resource; recorded and observed runs keep the rounds (grant order and
      // grant events exactly as the round makes them).
      !(observed || this.rec),
    );
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
    this.firingCount = new Int32Array(n);
    this.done = new Uint8Array(n);
    this.finishing = new Uint8Array(n);
    this.frozenSince = new Float64Array(n).fill(NONE);
    this.frozenFifo = new Int32Array(n).fill(NONE);
    this.polling = new Uint8Array(n);
    this.deferred = new Float64Array(n).fill(NONE);
  }

  // ---- the event queue ----------------------------------------------------------------------

  push(cycle: number, phase: number, who: number): void {
    this.heap.push(this.keyOf(cycle, phase, who));
  }

  /** The event key of (cycle, phase, actor): events run in key order. */
  keyOf(cycle: number, phase: number, who: number): number {
    // (The error is built out of line: a small body is inlined into its callers, and an inlined
    // key, a double above 2^30, is not boxed on the heap to be returned.)
    if (cycle > this.maxKeyCycle) this.keyOverflow(cycle);
    return cycle * this.cycleScale + phase * (this.actorMask + 1) + who;
  }

  private keyOverflow(cycle: number): never {
    throw new RunError(`run exceeded the largest cycle the scheduler can key (${this.maxKeyCycle}) at cycle ${cycle}`);
  }

  /**
   * Pops the next event due by cycle `until` into (eventCycle, eventPhase, eventWho); false when
   * none is due.
   */
  nextEvent(until: number): boolean {
    const heap = this.heap;
    if (heap.size === 0) return false;
    const key = heap.peek();
    const cycle = Math.floor(key * this.cycleUnscale);
    if (cycle > until) return false;
    heap.pop();
    this.schedulerEvents++;
    if (cycle > this.maxCycles) throw new RunError(`run exceeded maxCycles (${this.maxCycles}) at cycle ${cycle}`);
    this.now = cycle;
    const rest = key - cycle * this.cycleScale; // < 2^31: phase and actor
    this.eventPhase = rest >>> this.actorBits;
    this.eventWho = rest & this.actorMask;
    return true;
  }

  eventPhase = 0;
  eventWho = 0;

  /** The next firing attempt of `a`, at `cycle` or when its II allows. */
  wake(a: number, cycle: number): void {
    if (this.done[a]) return;
    const t = Math.max(cycle, this.nextAllowed[a]!);
    if (t === Infinity) return; // waiting for arbitration or a frozen pipeline: they reschedule
    const s = this.scheduledAt[a]!;
    if (s !== NONE && s <= t) return;
    this.scheduledAt[a] = t;
    this.push(t, START, a);
  }

  scheduleWrite(a: number, cycle: number): void {
    const s = this.writeScheduledAt[a]!;
    if (s !== NONE && s <= cycle) return;
    this.writeScheduledAt[a] = cycle;
    this.push(cycle, WRITE, a);
  }
}
