import type { ResourceRequest } from './actor.js';
import { RunError } from './errors.js';
import type { SharedResource, Grant } from './resource.js';

const NONE = -1;
const UNSET = -2;
const NO_REQUESTS: readonly ResourceRequest[] = [];

/** A firing waiting for the arbitration of the cycle it started in. */
export interface PendingRequest {
  readonly actor: number;
  readonly index: number;
  readonly iiCycles: number;
  readonly latencyCycles: number;
  readonly requests: readonly ResourceRequest[];
  /** Firing id in a recorded run (see recording.ts). */
  readonly id: number;
  /** The requester's handle of the firing (the engine's in-flight entry), handed back when served. */
  readonly tag: unknown;
}

/** A pending request's record, reused once its firing has been served (no allocation per request). */
interface RequestRecord {
  actor: number;
  index: number;
  iiCycles: number;
  latencyCycles: number;
  requests: readonly ResourceRequest[];
  id: number;
  tag: unknown;
}

/** How a firing was served: its accesses end at `finish`; it waited until `waitUntil` (holder named). */
export interface Served {
  finish: number;
  waitUntil: number;
  resource: string | undefined;
  heldBy: number | undefined;
}

/**
 * Arbitration of the shared resources. Every request made in cycle t is collected and served in
 * one round at the end of t, after every actor that fires in t has fired (the engine runs the
 * round in the last phase of the cycle, and again should a 0-cycle chain add a request later in
 * the same cycle), so the grants never depend on the order in which actors fired. Resources are
 * served in declaration order; a resource orders its requesters by its policy; earlier cycles'
 * requests hold it first (its calendar is work-conserving).
 */
export class Arbiter {
  /** This cycle's requests: pending[0 .. pendingCount) (counts, not push/pop: see `spare`). */
  private pending: RequestRecord[] = [];
  private pendingCount = 0;
  /** Records to reuse: spare[0 .. spareCount) (a count, not push/pop, which V8 leaves to a builtin call here). */
  private readonly spare: RequestRecord[] = [];
  private spareCount = 0;
  /** Cycles requesters of each resource spent waiting for it. */
  readonly contention: Float64Array;
  /** Set when the run is recorded: called with (firing id, request index) at each grant, in grant order. */
  onRecord: ((id: number, k: number) => void) | undefined = undefined;

  /**
   * Per resource: the one actor that declares it (NONE when several do): its requests are
   * granted when made (`grantNow`). Undefined: no request is granted early.
   */
  private readonly sole: Int32Array | undefined;
  /** Per actor: 1 when it is the sole declarer of some resource (else no request of it is granted early). */
  private readonly declaresSole: Uint8Array | undefined;

  constructor(
    readonly resources: readonly SharedResource[],
    private readonly actorNames: readonly string[],
    private readonly onGrant: ((ri: number, actor: number, units: number, t: number, g: Grant) => void) | undefined,
    /** Per actor: the names of the resources it declares and their indices (requests resolve there first). */
    private readonly declaredNames: readonly (readonly string[])[],
    private readonly declaredIdx: readonly Int32Array[],
    /** Find the resources only one actor declares, to grant their requests when made; false: always arbitrate in rounds. */
    earlyGrants: boolean,
  ) {
    this.contention = new Float64Array(resources.length);
    if (earlyGrants) {
      const sole = new Int32Array(resources.length).fill(UNSET);
      declaredIdx.forEach((list, a) => {
        for (const ri of list) sole[ri] = sole[ri] === UNSET || sole[ri] === a ? a : NONE;
      });
      this.sole = sole;
      this.declaresSole = Uint8Array.from(declaredIdx, (list, a) => (list.some((ri) => sole[ri] === a) ? 1 : 0));
    }
  }

  private readonly now: Served = { finish: 0, waitUntil: 0, resource: undefined, heldBy: undefined };

  /**
   * Grants a firing's single request at once when its actor is the only one that can request the
   * resource: no other request can join this cycle's round, so the round would grant the same
   * (same calendar, same order). Returns undefined when the request must wait for the round.
   * The returned object is reused by the next call.
   */
  grantNow(actor: number, rq: ResourceRequest, t: number): Served | undefined {
    const sole = this.sole;
    if (!sole || this.declaresSole![actor] === 0) return undefined;
    const ri = this.declaredIndex(actor, rq.resource);
    if (ri === NONE || sole[ri] !== actor) return undefined;
    this.grantSingle(ri, actor, rq.units, t, this.now);
    return this.now;
  }

  /**
   * Grants a firing's only request (`units` of resource `ri` at `t`) and writes how it was served
   * into `s`: every cycle waited for another holder is contention, charged to the resource. The
   * early grant and a round of one request share it.
   */
  private grantSingle(ri: number, actor: number, units: number, t: number, s: Served): Grant {
    const g = this.resources[ri]!.grant(actor, t, units);
    s.finish = Math.max(t, g.endCycle);
    s.waitUntil = t;
    s.resource = undefined;
    s.heldBy = undefined;
    if (g.startCycle > t && g.heldBy !== actor) {
      this.contention[ri] += g.startCycle - t;
      s.waitUntil = g.startCycle;
      s.resource = this.resources[ri]!.name;
      s.heldBy = g.heldBy;
    }
    return g;
  }

  /** Firing `index` of `actor` (recorded as `id`) waits for this cycle's round with `requests` (read in the round). */
  request(actor: number, index: number, iiCycles: number, latencyCycles: number, requests: readonly ResourceRequest[], id: number, tag: unknown): void {
    const p = this.spareCount > 0 ? this.spare[--this.spareCount]! : { actor: 0, index: 0, iiCycles: 0, latencyCycles: 0, requests, id: 0, tag: undefined };
    p.tag = tag;
    p.actor = actor;
    p.index = index;
    p.iiCycles = iiCycles;
    p.latencyCycles = latencyCycles;
    p.requests = requests;
    p.id = id;
    this.pending[this.pendingCount++] = p;
  }

  /** Index of `resource` among those `actor` declares (NONE: it declares no such resource). */
  private declaredIndex(actor: number, resource: string): number {
    const names = this.declaredNames[actor]!;
    for (let k = 0; k < names.length; k++) if (names[k] === resource) return this.declaredIdx[actor]![k]!;
    return NONE;
  }

  /** The record goes back to the pool once its firing has been served (the engine keeps no reference). */
  private release(p: RequestRecord): void {
    p.requests = NO_REQUESTS;
    p.tag = undefined;
    this.spare[this.spareCount++] = p;
  }

  private readonly one: Served = { finish: 0, waitUntil: 0, resource: undefined, heldBy: undefined };

  /** Serves every request of cycle `t`; `done` receives each firing with how it was served. */
  arbitrate(t: number, done: (p: PendingRequest, s: Served) => void): void {
    const nb = this.pendingCount;
    if (nb === 1 && this.pending[0]!.requests.length === 1) {
      // The common case: one firing, one request this cycle (no ordering, no allocation).
      const p = this.pending[0]!;
      this.pendingCount = 0;
      const rq = p.requests[0]!;
      const ri = this.resourceOf(p, rq.resource);
      const g = this.grantSingle(ri, p.actor, rq.units, t, this.one);
      this.onRecord?.(p.id, 0);
      this.onGrant?.(ri, p.actor, rq.units, t, g);
      done(p, this.one);
      this.release(p);
      return;
    }
    // The general case, without allocation: one entry per (firing b, request k), sorted by
    // resource (declaration order), then by the resource's policy, then by firing and request
    // order (what a stable sort of each resource's requesters in (b, k) order gives).
    const batch = this.pending;
    const served = this.servedFor(nb, t);
    const e = this.entries;
    let ne = 0;
    for (let b = 0; b < nb; b++) {
      const p = batch[b]!;
      const rqs = p.requests;
      for (let k = 0; k < rqs.length; k++) {
        const rq = rqs[k]!;
        const x = (e[ne] ??= { ri: 0, rank: 0, actor: 0, b: 0, k: 0, units: 0 });
        x.ri = this.resourceOf(p, rq.resource);
        x.actor = p.actor;
        x.b = b;
        x.k = k;
        x.units = rq.units;
        ne++;
      }
    }
    const n = this.actorNames.length;
    for (let q = 0; q < ne; q++) {
      const x = e[q]!;
      const pol = this.resources[x.ri]!.arbitration;
      // Priority: lower number first, unlisted last, ties by actor; round-robin: the requester
      // after the last one granted first (an actor has one firing per cycle: ranks are distinct).
      x.rank = pol.kind === 'priority' ? (pol.order[this.actorNames[x.actor]!] ?? Infinity) : (x.actor - this.resources[x.ri]!.lastGranted - 1 + n) % n;
    }
    // Insertion sort: a round holds a handful of requests.
    for (let q = 1; q < ne; q++) {
      const x = e[q]!;
      let j = q - 1;
      while (j >= 0 && entryAfter(e[j]!, x)) {
        e[j + 1] = e[j]!;
        j--;
      }
      e[j + 1] = x;
    }
    for (let q = 0; q < ne; q++) {
      const { ri, b, k, units } = e[q]!;
      const p = batch[b]!;
      const res = this.resources[ri]!;
      const g = res.grant(p.actor, t, units);
      this.onRecord?.(p.id, k);
      this.onGrant?.(ri, p.actor, units, t, g);
      const s = served[b]!;
      if (g.endCycle > s.finish) s.finish = g.endCycle;
      if (g.startCycle > t && g.heldBy !== p.actor) {
        // Every cycle waited is contention, charged to the resource (also when the firing
        // waits for another resource for longer).
        this.contention[ri] += g.startCycle - t;
        if (g.startCycle > s.waitUntil) {
          s.waitUntil = g.startCycle;
          s.resource = res.name;
          s.heldBy = g.heldBy;
        }
      }
    }
    // `done` may start firings that request again (a round of the same cycle runs later): the
    // batch is handed over first.
    this.pending = this.draining;
    this.draining = batch;
    this.pendingCount = 0;
    for (let b = 0; b < nb; b++) done(batch[b]!, served[b]!);
    for (let b = 0; b < nb; b++) this.release(batch[b]!);
  }

  /** Reused sort entries of a round and the `Served` records of its firings. */
  private readonly entries: RoundEntry[] = [];
  private readonly servedPool: Served[] = [];
  private draining: RequestRecord[] = [];

  /** `nb` Served records reset for a round at `t` (reused from round to round). */
  private servedFor(nb: number, t: number): Served[] {
    const pool = this.servedPool;
    for (let b = 0; b < nb; b++) {
      const s = (pool[b] ??= { finish: 0, waitUntil: 0, resource: undefined, heldBy: undefined });
      s.finish = t;
      s.waitUntil = t;
      s.resource = undefined;
      s.heldBy = undefined;
    }
    return pool;
  }

  /**
   * Index of a requested resource. A resource the actor does not list in its `resources` is an
   * error naming the actor: the contract (actor.ts) requires the listing, and early grants rely
   * on it (a sole declarer's request is granted when made, so an unlisted requester joining the
   * same cycle's round would be served after it whatever the arbitration policy says).
   */
  private resourceOf(p: PendingRequest, resource: string): number {
    const declared = this.declaredIndex(p.actor, resource);
    if (declared !== NONE) return declared;
    const name = this.actorNames[p.actor]!;
    const msg = this.resources.some((r) => r.name === resource)
      ? `requests resource '${resource}', which it does not list in its resources`
      : `requests undeclared resource '${resource}'`;
    throw new RunError(`actor '${name}': firing ${p.index} ${msg}`, name, p.index);
  }
}

/** One request of a round: resource, policy rank, and the firing (b) and request (k) it belongs to. */
interface RoundEntry {
  ri: number;
  rank: number;
  actor: number;
  b: number;
  k: number;
  units: number;
}

/** Whether `x` is served after `y` in a round (see `arbitrate`). */
function entryAfter(x: RoundEntry, y: RoundEntry): boolean {
  if (x.ri !== y.ri) return x.ri > y.ri;
  if (x.rank !== y.rank) return x.rank > y.rank;
  if (x.actor !== y.actor) return x.actor > y.actor;
  if (x.b !== y.b) return x.b > y.b;
  return x.k > y.k;
}
