/**
 * The key/value cache of one decoder layer: rows of `rowWidth` = kvHeads * headDim values, one row
 * per position (keys after k_norm and RoPE, values as projected). Storage grows by doubling.
 */
export class KvCache {
  private k: Float32Array;
  private v: Float32Array;
  private rows = 0;

  constructor(
    readonly rowWidth: number,
    initialCapacityTokens = 16,
  ) {
    if (!Number.isInteger(rowWidth) || rowWidth <= 0) throw new RangeError(`KvCache: rowWidth must be a positive integer, got ${rowWidth}`);
    const cap = Math.max(1, Math.floor(initialCapacityTokens));
    this.k = new Float32Array(cap * rowWidth);
    this.v = new Float32Array(cap * rowWidth);
  }

  /** Number of cached positions. */
  get length(): number {
    return this.rows;
  }

  /** Cached keys, [length][rowWidth] (a view, valid until the next append). */
  get keys(): Float32Array {
    return this.k.subarray(0, this.rows * this.rowWidth);
  }

  /** Cached values, [length][rowWidth] (a view, valid until the next append). */
  get values(): Float32Array {
    return this.v.subarray(0, this.rows * this.rowWidth);
  }

  /** Appends `tokens` rows of keys and values ([tokens][rowWidth] each). */
  append(keys: Float32Array, values: Float32Array, tokens: number): void {
    const n = tokens * this.rowWidth;
    if (keys.length !== n || values.length !== n) {
      throw new RangeError(`KvCache.append: expected ${tokens} x ${this.rowWidth} = ${n} keys and values, got ${keys.length} and ${values.length}`);
    }
    const needed = (this.rows + tokens) * this.rowWidth;
    if (needed > this.k.length) {
      let cap = this.k.length;
      while (cap < needed) cap *= 2;
      const k = new Float32Array(cap);
      k.set(this.keys);
      const v = new Float32Array(cap);
      v.set(this.values);
      this.k = k;
      this.v = v;
    }
    this.k.set(keys, this.rows * this.rowWidth);
    this.v.set(values, this.rows * this.rowWidth);
    this.rows += tokens;
  }

  /** Forgets every position (keeps the storage). */
  clear(): void {
    this.rows = 0;
  }
}
