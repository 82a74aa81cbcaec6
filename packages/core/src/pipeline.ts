import type { TokenMeta } from './token.js';

/** A firing that started and has not written its outputs yet (it is inside the actor's pipeline). */
export interface InFlight {
  write: number;
  index: number;
  n: number;
  readonly ports: number[];
  readonly metas: (TokenMeta | undefined)[];
  readonly payloads: unknown[];
}

/** The in-flight firings of one actor, oldest first (writes happen in firing order). */
export class Pipeline {
  items: InFlight[] = [];
  head = 0;
  len = 0;
  /** Entries to reuse: spare[0 .. spareCount) (a count, not push/pop: V8 calls its Array push builtin here, per write). */
  private readonly spare: InFlight[] = [];
  private spareCount = 0;

  alloc(): InFlight {
    return this.spareCount > 0 ? this.spare[--this.spareCount]! : { write: 0, index: 0, n: 0, ports: [], metas: [], payloads: [] };
  }

  push(f: InFlight): void {
    if (this.len === this.items.length) {
      const grown: InFlight[] = [];
      for (let k = 0; k < this.len; k++) grown.push(this.items[(this.head + k) % this.len]!);
      grown.push(f);
      this.items = grown;
      this.head = 0;
      this.len++;
      return;
    }
    this.items[this.slot(this.len)] = f;
    this.len++;
  }

  front(): InFlight | undefined {
    return this.len > 0 ? this.items[this.head] : undefined;
  }

  at(k: number): InFlight {
    return this.items[this.slot(k)]!;
  }

  /** Index in `items` of the k-th entry from the oldest (k <= len < items.length): one wrap-around, not a `%` (an integer division per call). */
  private slot(k: number): number {
    const x = this.head + k;
    return x >= this.items.length ? x - this.items.length : x;
  }

  shift(): void {
    const f = this.items[this.head]!;
    // Spare entries hold no tokens (a stale reference would keep a token alive through GCs).
    for (let k = 0; k < f.n; k++) {
      f.metas[k] = undefined;
      f.payloads[k] = undefined;
    }
    this.spare[this.spareCount++] = f;
    this.head = this.slot(1);
    this.len--;
  }
}
