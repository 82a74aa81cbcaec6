import { SLOT_TURNAROUND_CYCLES } from './fifo.js';
import { grantOn } from './retime-calendar.js';
import type { RecordingIndex } from './retime-index.js';
import { IN_ORDER, SweepCore } from './retime-sweep-core.js';

/**
 * A partial sweep re-times only the actors of a set M (`SweepOptions.active`); the others follow
 * the base from the cut on. That holds while no value crossing between them differs in a way the
 * base's actors could see: a token M writes for a base actor must arrive at the base's cycle, or
 * both cycles at most the latest of that firing's inputs from base actors, or (an actor that never
 * froze) not after the base's start, which that token did not decide alone; a slot M frees for a
 * base actor's write must come free at the base's cycle, or both not after that write's planned
 * cycle; a grant to a base actor at a resource M shares must be the base's.
 * A crossing that fails stops the sweep with `PARTIAL_ABORT`.
 */
export interface PartialGuard {
  /** Per actor: 1 in M. */
  readonly inM: Uint8Array;
  /**
   * Per actor: 1 if no write of it froze in the base, so each of its starts is max(na, inputs):
   * a token for it may then also arrive at another cycle not after the base's start, when that
   * start was not bound by this token alone.
   */
  readonly neverFrozen: Uint8Array;
  /**
   * The base's grants. A request of a base actor at a resource M also uses is served in its
   * recorded turn at the base's cycle on the partial sweep's calendar, and must be granted as in
   * the base (same end; same contention: a late start held by another, and its cycle) for that
   * actor to follow the base.
   */
  readonly grants: GrantBook;
  /**
   * Per resource: 1 if its base requests must be replayed. A resource no actor of M requests,
   * whose calendar and order state at the cut equal the base's there, grants every later request
   * (all base actors', at the base's cycles, in the recorded order) as the base did: no replay.
   */
  readonly replay: Uint8Array;
}

/**
 * Each request's grant in a sweep (by request index): its end, start and the holder it waited for
 * (-1: none), and the resource's calendar and order state after it (cursor, units used, owner,
 * tie group), from which a partial sweep resumes a resource it no longer needs to replay.
 */
export interface GrantBook {
  readonly end: Float64Array;
  readonly start: Float64Array;
  readonly heldBy: Int32Array;
  readonly cursorAfter: Float64Array;
  readonly usedAfter: Float64Array;
  readonly ownerAfter: Int32Array;
  readonly groupOkAfter: Uint8Array;
}

/** Why a partial sweep stopped: a value M passes to a base actor differs (the caller re-times everything instead). */
export const PARTIAL_ABORT = 'partial re-timing left the base';

/**
 * The partial re-timing's part of a sweep (`Sweep`): with a `PartialGuard`, the base actors'
 * requests replayed at the base's cycles and every crossing between M and the base checked.
 */
export abstract class PartialSweep extends SweepCore {
  /** The base actor a failed crossing would have moved (PARTIAL_ABORT), or -1. */
  violator = -1;

  /**
   * A partial sweep serves the requests of base actors next in r's grant order, at the base's
   * cycles, and checks each is granted as in the base (PartialGuard); then wakes the M actor whose
   * turn it is.
   */
  protected replayBase(r: number): void {
    const { rec, ix, st, lo } = this;
    const guard = this.guard!;
    const last = ix.resStart[r + 1]!;
    for (; st.rp[r]! < last; st.rp[r]!++) {
      const q = ix.resSeq[st.rp[r]!]!;
      const i = ix.reqFiring[q]!;
      const b = rec.actor[i]!;
      if (guard.inM[b]) {
        this.enqueue(b);
        return;
      }
      const t = lo.startT[i]!;
      // The order check of `serve`: a base request before the previous grant's cycle, or tied with it unrecorded, moves it.
      if (this.inOrder(r, i, t) !== IN_ORDER) return this.leaveBase(b);
      const end = grantOn(st, r, this.cfg.unitsPerCycle[r]!, b, t, rec.reqUnits[q]!, this.grantOut);
      // What b's books see of a grant: its end, and whether it started late held by another (contention) and when.
      const gs = this.grantOut.start;
      const late = gs > t && this.grantOut.heldBy !== b;
      const gsB = guard.grants.start[q]!;
      const lateB = gsB > t && guard.grants.heldBy[q] !== b;
      if (end !== guard.grants.end[q] || late !== lateB || (late && gs !== gsB)) return this.leaveBase(b);
      const book = guard.grants;
      if (st.cursor[r] === book.cursorAfter[q] && st.used[r] === book.usedAfter[q] && st.owner[r] === book.ownerAfter[q] && st.groupOk[r] === book.groupOkAfter[q]) {
        // The resource's state equals the base's after this grant (its order state too: the same
        // request, granted at the same cycle): every base request up to M's next one is granted as
        // in the base, so the replay jumps there and takes the base's state before it.
        let p = st.rp[r]! + 1;
        while (p < last && !guard.inM[rec.actor[ix.reqFiring[ix.resSeq[p]!]!]!]) p++;
        if (p > st.rp[r]! + 1) {
          const qp = ix.resSeq[p - 1]!;
          const ip = ix.reqFiring[qp]!;
          st.cursor[r] = book.cursorAfter[qp]!;
          st.used[r] = book.usedAfter[qp]!;
          st.owner[r] = book.ownerAfter[qp]!;
          st.groupOk[r] = book.groupOkAfter[qp]!;
          st.prevNew[r] = lo.startT[ip]!;
          st.prevRec[r] = rec.startCycle[ip]!;
          st.prevFiring[r] = ip;
        }
        st.rp[r] = p - 1;
      }
    }
  }

  /** Base actor b would not follow the base: stop the partial sweep (PARTIAL_ABORT) naming it. */
  private leaveBase(b: number): void {
    if (this.violator === -1) this.violator = b;
    this.why = PARTIAL_ABORT;
  }

  /** A partial sweep's token j of FIFO f, written at `at`, for a base actor (PartialGuard). */
  protected checkWrite(f: number, j: number, at: number): void {
    const { ix, lo, rec } = this;
    const x = ix.fifoBase[f]! + j;
    const wb = lo.tokW[x]!;
    if (at === wb) return;
    const r = ix.tokenReader[x]!;
    if (r === -1) return;
    let others = -Infinity;
    for (let o = rec.opStart[r]!; o < rec.opStart[r]! + rec.nReads[r]!; o++) {
      const g = rec.ops[o]!;
      const p = ix.producer[g]!;
      if (p === -1 || !this.guard!.inM[p]) others = Math.max(others, lo.tokW[ix.fifoBase[g]! + ix.tok[o]!]!);
    }
    if (at <= others && wb <= others) return;
    // Start = max(na, inputs) (no freeze to thaw): unchanged if the token is not late for it and
    // did not decide it alone (the base's start was later than it, or another input's).
    const rb = lo.tokR[x]!;
    if (this.guard!.neverFrozen[rec.actor[r]!] && at <= rb && (wb < rb || others >= rb)) return;
    this.violator = rec.actor[r]!;
    this.why = PARTIAL_ABORT;
  }

  /** A partial sweep's read of token j of FIFO f at t, whose slot a base actor's write may wait for (PartialGuard). */
  protected checkRead(f: number, j: number, t: number): void {
    const { ix, lo } = this;
    const b = ix.fifoBase[f]!;
    const rb = lo.tokR[b + j]!;
    if (t === rb) return;
    const next = j + this.cfg.depth[f]!;
    if (next >= ix.fifoBase[f + 1]! - b) return;
    const w = ix.tokenWriter[b + next]!;
    const c = lo.fzD[w]! > 0 ? lo.fzC[w]! : lo.tokW[b + next]!;
    const turn = ix.selfLoop[f] ? 0 : SLOT_TURNAROUND_CYCLES;
    if (t + turn <= c && rb + turn <= c) return;
    this.violator = this.rec.actor[w]!;
    this.why = PARTIAL_ABORT;
  }
}

/** Actors a change touches directly: the ends of changed FIFOs, changed actors, requesters of changed resources. */
export function seedOf(ix: RecordingIndex, nA: number, changedF: readonly number[], changedA: readonly number[], changedR: readonly number[]): Uint8Array {
  const seed = new Uint8Array(nA);
  for (const f of changedF) for (const a of [ix.producer[f]!, ix.consumer[f]!]) if (a !== -1) seed[a] = 1;
  for (const a of changedA) seed[a] = 1;
  for (const r of changedR) for (let k = ix.resActorStart[r]!; k < ix.resActorStart[r + 1]!; k++) seed[ix.resActors[k]!] = 1;
  return seed;
}

/**
 * Adds actor v and every actor within `radius` FIFOs of it to M; and, for each resource v shares
 * with an actor of M, every requester of it: the recorded grant order chains a delay through all
 * users of a channel (a late grant to one moves every later grant), as FIFOs chain it through
 * neighbours.
 */
export function grow(ix: RecordingIndex, inM: Uint8Array, v: number, radius: number): void {
  const { actorResStart, actorRes, resActorStart, resActors } = ix;
  for (let k = actorResStart[v]!; k < actorResStart[v + 1]!; k++) {
    const r = actorRes[k]!;
    let shared = false;
    for (let j = resActorStart[r]!; !shared && j < resActorStart[r + 1]!; j++) shared = inM[resActors[j]!] === 1;
    if (shared) for (let j = resActorStart[r]!; j < resActorStart[r + 1]!; j++) inM[resActors[j]!] = 1;
  }
  let ring = [v];
  inM[v] = 1;
  for (let d = 0; d < radius && ring.length > 0; d++) {
    const next: number[] = [];
    for (const a of ring) {
      for (let k = ix.actorFifoStart[a]!; k < ix.actorFifoStart[a + 1]!; k++) {
        const f = ix.actorFifos[k]!;
        for (const x of [ix.producer[f]!, ix.consumer[f]!]) {
          if (x !== -1 && !inM[x]) {
            inM[x] = 1;
            next.push(x);
          }
        }
      }
    }
    ring = next;
  }
}
