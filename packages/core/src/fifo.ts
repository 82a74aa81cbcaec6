import type { TokenMeta } from './token.js';

/** Static description of a bounded FIFO (a TAPA stream). */
export interface FifoSpec {
  readonly name: string;
  /** Slots; a producer stalls while `depth` tokens are held or in flight. Integer >= 1. */
  readonly depth: number;
  /** Width of one slot in bytes (one token); checked against the ports bound to it. */
  readonly widthBytes: number;
}

/**
 * A bounded FIFO in virtual time, as a ring of slots.
 *
 * Credit-based: a producer *reserves* a slot when it starts a firing (its credit) and the token
 * becomes readable at `readyCycle` (start + latency); a consumer frees the slot when it starts
 * the firing that reads it. So occupancy (held + in flight) never exceeds `depth`, which is what
 * a hardware stream guarantees by stalling a full producer.
 */
export class BoundedFifo {
  readonly name: string;
  readonly depth: number;
  readonly widthBytes: number;
  private readonly metas: (TokenMeta | undefined)[];
  private readonly payloads: unknown[];
  private readonly ready: Float64Array;
  private head = 0;
  private count = 0;
  /** Set when the producer has finished: no more tokens will ever be written. */
  closed = false;
  /** Highest occupancy seen. */
  maxOccupancy = 0;
  /** Tokens written so far. */
  written = 0;

  constructor(spec: FifoSpec) {
    if (!Number.isInteger(spec.depth) || spec.depth < 1) {
      throw new RangeError(`FIFO '${spec.name}': depth must be an integer >= 1, got ${spec.depth}`);
    }
    if (!(spec.widthBytes > 0)) {
      throw new RangeError(`FIFO '${spec.name}': widthBytes must be > 0, got ${spec.widthBytes}`);
    }
    this.name = spec.name;
    this.depth = spec.depth;
    this.widthBytes = spec.widthBytes;
    this.metas = new Array<TokenMeta | undefined>(spec.depth).fill(undefined);
    this.payloads = new Array<unknown>(spec.depth).fill(undefined);
    this.ready = new Float64Array(spec.depth);
  }

  /** Tokens held or in flight. */
  get occupancy(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count === this.depth;
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** Cycle at which the oldest token becomes readable (Infinity when empty). */
  headReadyCycle(): number {
    return this.count === 0 ? Infinity : this.ready[this.head]!;
  }

  headMeta(): TokenMeta {
    if (this.count === 0) throw new Error(`FIFO '${this.name}' is empty`);
    return this.metas[this.head]!;
  }

  /** Writes a token readable from `readyCycle`. Throws when full: callers must hold credit. */
  push(meta: TokenMeta, payload: unknown, readyCycle: number): void {
    this.fill(this.reserve(), meta, payload, readyCycle);
  }

  /**
   * Reserves the next slot (the producer's credit) before its token is known; the slot reads as
   * not ready until `fill`. Returns the slot number.
   */
  reserve(): number {
    if (this.count === this.depth) throw new Error(`FIFO '${this.name}' overflow: write without credit`);
    if (this.closed) throw new Error(`FIFO '${this.name}': write after its producer finished`);
    const slot = (this.head + this.count) % this.depth;
    this.metas[slot] = undefined;
    this.ready[slot] = Infinity;
    this.count++;
    this.written++;
    if (this.count > this.maxOccupancy) this.maxOccupancy = this.count;
    return slot;
  }

  /** Completes a reserved slot. */
  fill(slot: number, meta: TokenMeta, payload: unknown, readyCycle: number): void {
    this.metas[slot] = meta;
    this.payloads[slot] = payload;
    this.ready[slot] = readyCycle;
  }

  /** Removes the oldest token; returns its payload (its meta must be read with headMeta first). */
  pop(): unknown {
    if (this.count === 0) throw new Error(`FIFO '${this.name}' underflow`);
    const slot = this.head;
    const payload = this.payloads[slot];
    this.metas[slot] = undefined;
    this.payloads[slot] = undefined;
    this.head = (slot + 1) % this.depth;
    this.count--;
    return payload;
  }
}
