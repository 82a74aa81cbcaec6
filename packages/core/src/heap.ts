/**
 * No key in the front slot. Not a small integer: keys are doubles (above 2^31 in long runs), and
 * a field that starts as a small integer changes representation when the first double lands in
 * it, which invalidates the code optimized for it.
 */
const EMPTY = -Infinity;

/**
 * A binary min-heap of event keys ((cycle * phases + phase) * stride + actor) in a growable Float64Array: no
 * per-event objects, ties broken by the actor's position in the graph.
 *
 * A key pushed below every queued key (typically an actor's next firing, due before anything
 * else) waits in a front slot instead of the heap: it is popped next unless a smaller one comes,
 * so the common push-then-pop costs no sifting. Keys are >= 0.
 */
export class EventHeap {
  private keys = new Float64Array(1024);
  /** Keys in the heap array (the front slot not counted). */
  private n = 0;
  /** The smallest key when set (below every key in `keys`), else EMPTY. */
  private front = EMPTY;
  /** Keys queued, the front slot included. */
  size = 0;

  push(key: number): void {
    this.size++;
    const f = this.front;
    if (f === EMPTY) {
      if (this.n === 0 || key < this.keys[0]!) {
        this.front = key;
        return;
      }
    } else if (key < f) {
      this.front = key;
      key = f;
    }
    this.heapPush(key);
  }

  /** The smallest key (the heap must not be empty). */
  peek(): number {
    return this.front !== EMPTY ? this.front : this.keys[0]!;
  }

  pop(): number {
    this.size--;
    const f = this.front;
    if (f !== EMPTY) {
      this.front = EMPTY;
      return f;
    }
    const k = this.keys;
    const top = k[0]!;
    const last = k[--this.n]!;
    const n = this.n;
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

  private heapPush(key: number): void {
    if (this.n === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const k = this.keys;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = k[parent]!;
      if (pk <= key) break;
      k[i] = pk;
      i = parent;
    }
    k[i] = key;
  }
}
