/**
 * A binary min-heap of event keys ((cycle * phases + phase) * stride + actor) in a growable Float64Array: no
 * per-event objects, ties broken by the actor's position in the graph.
 */
export class EventHeap {
  private keys = new Float64Array(1024);
  size = 0;

  push(key: number): void {
    if (this.size === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const k = this.keys;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = k[parent]!;
      if (pk <= key) break;
      k[i] = pk;
      i = parent;
    }
    k[i] = key;
  }

  /** The smallest key (the heap must not be empty). */
  peek(): number {
    return this.keys[0]!;
  }

  pop(): number {
    const k = this.keys;
    const top = k[0]!;
    const last = k[--this.size]!;
    const n = this.size;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && k[c + 1]! < k[c]!) c++;
      if (k[c]! >= last) break;
      k[i] = k[c]!;
      i = c;
    }
    if (n > 0) k[i] = last;
    return top;
  }
}
