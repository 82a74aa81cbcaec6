import type { FiringCost } from './actor.js';
import type { Graph } from './graph.js';

/**
 * A run's firings, recorded once for re-timing (LightningSim-style): per firing its actor, the
 * FIFOs it read and wrote (token indices follow from the order: FIFOs are in-order queues with
 * one producer and one consumer), its resource requests and its payload-independent costs, plus
 * the order in which each resource granted them. Typed arrays only: about 40 bytes per firing
 * plus 4 per FIFO access, 16 per request (resource 4, units 8, its place in the grant order 4) and 4 per actor (see `recordingBytes`).
 */
export interface Recording {
  /** The graph that was run (kept for a fallback re-run; never rebuilt). */
  readonly graph: Graph;
  /** Firings, in the order the engine started them. */
  readonly firings: number;
  readonly actor: Int32Array;
  /** Start cycle of each firing in the recorded run (for the arbitration-order check). */
  readonly startCycle: Float64Array;
  readonly iiCycles: Float64Array;
  readonly latencyCycles: Float64Array;
  /** FIFO accesses of firing g: ops[opStart[g] .. opStart[g] + nReads[g]) are reads, then writes up to opStart[g + 1]. */
  readonly opStart: Int32Array;
  readonly nReads: Int32Array;
  readonly ops: Int32Array;
  /** Requests of firing g: reqStart[g] .. reqStart[g + 1] into reqResource / reqUnits. */
  readonly reqStart: Int32Array;
  readonly reqResource: Int32Array;
  readonly reqUnits: Float64Array;
  /** Request indices (into reqResource) in the order the resources granted them. */
  readonly grantOrder: Int32Array;
  /** Whether any firing tested a port without blocking (`ports.empty()` / `ports.full()`): its outcome is order-dependent. */
  readonly nonBlocking: boolean;
  /** Cycles of the recorded run. */
  readonly cycles: number;
  /**
   * Per actor, the input FIFO whose close retired it (the first input its next firing would have
   * read, found empty and closed), or -1 if it retired otherwise. Order-independent (which ports a
   * firing reads does not depend on timing), so it holds under every change: re-timing takes the
   * input of each actor's trailing wait from it (for an actor with a `reads` selector, the firings
   * do not show it: its next firing never started).
   */
  readonly retiredOn: Int32Array;
}

/** Bytes the recording's arrays take. */
export function recordingBytes(r: Recording): number {
  return [r.actor, r.startCycle, r.iiCycles, r.latencyCycles, r.opStart, r.nReads, r.ops, r.reqStart, r.reqResource, r.reqUnits, r.grantOrder, r.retiredOn].reduce((s, a) => s + a.byteLength, 0);
}

type NumArray = Int32Array | Float64Array;

/** A growable typed array (doubling), trimmed by `done`. */
class Grow<T extends NumArray> {
  arr: T;
  len = 0;
  constructor(private readonly make: (n: number) => T, n = 1024) {
    this.arr = make(n);
  }
  push(v: number): void {
    if (this.len === this.arr.length) {
      const g = this.make(this.len * 2);
      g.set(this.arr);
      this.arr = g;
    }
    this.arr[this.len++] = v;
  }
  done(): T {
    return this.arr.slice(0, this.len) as T;
  }
}

const i32 = (n = 1024) => new Grow((k) => new Int32Array(k), n);
const f64 = () => new Grow((k) => new Float64Array(k));

/** Collects the firings of one engine run (the engine calls it; nothing here is on the path when recording is off). */
export class FiringRecorder {
  private readonly actor = i32();
  private readonly start = f64();
  private readonly ii = f64();
  private readonly lat = f64();
  private readonly opStart = i32();
  private readonly nReads = i32();
  private readonly ops = i32(4096);
  private readonly reqStart = i32();
  private readonly reqResource = i32();
  private readonly reqUnits = f64();
  private readonly grants = i32();
  private readonly resourceIndex: Map<string, number>;
  nonBlocking = false;
  private readonly retiredOn: Int32Array;

  constructor(private readonly graph: Graph) {
    this.resourceIndex = new Map(graph.resources.map((r, i) => [r.name, i]));
    this.retiredOn = new Int32Array(graph.actors.length).fill(-1);
  }

  /** Actor `a` found its next firing's input FIFO `f` empty and closed: it retires. */
  dry(a: number, f: number): void {
    this.retiredOn[a] = f;
  }

  /** Records firing `id` (= the count so far) of actor `a` at cycle `t`; returns its id. */
  firing(a: number, t: number, inFifos: ArrayLike<number>, readIdx: Int32Array, outFifos: ArrayLike<number>, writeIdx: Int32Array, cost: FiringCost): number {
    const id = this.actor.len;
    this.actor.push(a);
    this.start.push(t);
    this.ii.push(cost.iiCycles);
    this.lat.push(cost.latencyCycles);
    this.opStart.push(this.ops.len);
    this.nReads.push(readIdx.length);
    for (let r = 0; r < readIdx.length; r++) this.ops.push(inFifos[readIdx[r]!]!);
    for (let w = 0; w < writeIdx.length; w++) this.ops.push(outFifos[writeIdx[w]!]!);
    this.reqStart.push(this.reqResource.len);
    const rq = cost.requests;
    if (rq) {
      for (const q of rq) {
        // An undeclared resource is the arbiter's error to raise (naming the actor); -1 here.
        this.reqResource.push(this.resourceIndex.get(q.resource) ?? -1);
        this.reqUnits.push(q.units);
      }
    }
    return id;
  }

  /** Request `k` of firing `id` was granted now. */
  granted(id: number, k: number): void {
    this.grants.push(this.reqStartOf(id) + k);
  }

  private reqStartOf(id: number): number {
    return this.reqStart.arr[id]!;
  }

  finish(cycles: number): Recording {
    this.opStart.push(this.ops.len);
    this.reqStart.push(this.reqResource.len);
    return {
      graph: this.graph,
      firings: this.actor.len,
      actor: this.actor.done(),
      startCycle: this.start.done(),
      iiCycles: this.ii.done(),
      latencyCycles: this.lat.done(),
      opStart: this.opStart.done(),
      nReads: this.nReads.done(),
      ops: this.ops.done(),
      reqStart: this.reqStart.done(),
      reqResource: this.reqResource.done(),
      reqUnits: this.reqUnits.done(),
      grantOrder: this.grants.done(),
      nonBlocking: this.nonBlocking,
      cycles,
      retiredOn: this.retiredOn,
    };
  }
}
