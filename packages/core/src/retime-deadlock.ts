import type { RecordingIndex } from './retime-index.js';
import type { SweepState } from './retime-state.js';

/** Start of the reason a re-timing gives when the change deadlocks the graph (decided: the engine deadlocks as well). */
export const DEADLOCK = 're-timing deadlocked';

/** The end-of-round deadlock look of a sweep, with its scratch (allocated once per sweep, on first use). */
export class DeadlockLook {
  private readonly blocked: Uint8Array;
  private readonly freeList: Int32Array;
  private readonly dlStack: Int32Array;

  constructor(nA: number) {
    this.blocked = new Uint8Array(nA);
    this.freeList = new Int32Array(nA);
    this.dlStack = new Int32Array(nA);
  }

  /**
   * At the end of a round, the actors that can never move again: each waits for tokens or slots
   * (not for a time, nor for its turn at a resource) that only actors of the same set could give.
   * The greatest such set is found by striking out blocked actors whose writer or reader can
   * move, and then those waiting on them, transitively (O(actors + blocked actors' FIFOs)); a
   * non-empty rest is a deadlock, as the engine would report it. One of them, or -1.
   * `isParked`, `slotF` and `inF` are the sweep's per-actor worklist state (see `Sweep`).
   */
  find(st: SweepState, ix: RecordingIndex, isParked: Uint8Array, slotF: Int32Array, inF: Int32Array): number {
    const nA = this.blocked.length;
    const blocked = this.blocked;
    const list = this.freeList;
    let nBlocked = 0;
    for (let a = 0; a < nA; a++) {
      const end = ix.actorStart[a + 1]!;
      const done = st.cur[a] === end && st.ph[a] === end;
      const waits = !done && !isParked[a] && st.startAt[a] !== st.startAt[a] && (slotF[a] !== -1 || inF[a] !== -1);
      blocked[a] = waits ? 1 : 0;
      if (waits) list[nBlocked++] = a;
    }
    if (nBlocked === 0) return -1;
    // Blocked actors whose writer or reader can move may move; then those waiting on them, transitively.
    const movable = (b: number): boolean => {
      const sf = slotF[b]!;
      const inf = inF[b]!;
      return (sf !== -1 && ix.consumer[sf] !== -1 && !blocked[ix.consumer[sf]!]) || (inf !== -1 && ix.producer[inf] !== -1 && !blocked[ix.producer[inf]!]);
    };
    const stack = this.dlStack;
    let nFree = 0;
    for (let k = 0; k < nBlocked; k++) {
      const b = list[k]!;
      if (blocked[b] && movable(b)) {
        blocked[b] = 0;
        stack[nFree++] = b;
      }
    }
    while (nFree > 0) {
      const x = stack[--nFree]!;
      for (let k = ix.actorFifoStart[x]!; k < ix.actorFifoStart[x + 1]!; k++) {
        const f = ix.actorFifos[k]!;
        const c = ix.consumer[f]!;
        if (c !== -1 && blocked[c] && ix.producer[f] === x && inF[c] === f) {
          blocked[c] = 0;
          stack[nFree++] = c;
        }
        const p = ix.producer[f]!;
        if (p !== -1 && blocked[p] && ix.consumer[f] === x && slotF[p] === f) {
          blocked[p] = 0;
          stack[nFree++] = p;
        }
      }
    }
    for (let k = 0; k < nBlocked; k++) if (blocked[list[k]!]) return list[k]!;
    return -1;
  }
}
