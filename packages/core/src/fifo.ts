import type { TokenMeta } from './token.js';

/** Static description of a bounded FIFO (a TAPA stream). */
export interface FifoSpec {
  readonly name: string;
  /** Slots: the most tokens written and not yet read. Integer >= 1. */
  readonly depth: number;
  /** Width of one slot in bytes (one token); checked against the ports bound to it. */
  readonly widthBytes: number;
  /**
   * Tokens the FIFO holds at cycle 0 (metadata `{ index: k }`, no payload): the credits of a
   * credit loop, the initial state of a feedback path. Integer in [0, depth]. Default 0.
   */
  readonly initialTokens?: number;
}

/**
 * Cycles from the read that frees a slot to the first cycle a token written into that slot is
 * readable. HLS and TAPA FIFOs register their `full_n` and `empty_n` flags: a read in cycle t
 * shows the producer a free slot in t + 1, its write lands in t + 1 and the token is readable
 * from t + 2. So a depth-1 FIFO passes one token every 2 cycles and depth 2 (TAPA's default,
 * `kStreamDefaultDepth`) is the least that sustains one token per cycle.
 */
export const SLOT_TURNAROUND_CYCLES = 2;

/**
 * A bounded FIFO in virtual time, as a ring of slots (HLS/TAPA semantics).
 *
 * A token occupies a slot from its write cycle (the first cycle the consumer can read it: the
 * producer's start + latency, later if the write stalled) until the consumer firing that reads
 * it starts. Tokens still inside a producer's pipeline occupy nothing. A write needs a slot
 * that is empty and was freed at least `SLOT_TURNAROUND_CYCLES` earlier; a self-loop (state an
 * actor carries to its next firing, a register in hardware) may refill a slot the cycle it was
 * freed.
 */
export class BoundedFifo {
  readonly name: string;
  readonly depth: number;
  readonly widthBytes: number;
  private readonly metas: (TokenMeta | undefined)[];
  private readonly payloads: unknown[];
  private readonly written: Float64Array;
  /** First cycle a non-blocking test sees each token (a same-cycle latency-0 write: the next). */
  private readonly testable: Float64Array;
  /** Cycle at which each slot was last freed (-Infinity: never used). */
  private readonly freedAt: Float64Array;
  private head = 0;
  private count = 0;
  /** Set when the producer has finished: no more tokens will ever be written. */
  closed = false;
  /** Highest occupancy seen (tokens held at a write, the written one included). */
  maxOccupancy = 0;
  /** Tokens written so far. */
  tokens = 0;
  /**
   * The least depth at which none of this run's writes would have stalled, given its write and
   * read cycles: at each write, the tokens still held plus one freed too recently to reuse (read
   * in the previous cycle), plus the one written. Exact in a run where the FIFO never filled.
   */
  stallFreeDepth = 0;
  private readonly selfLoopSlots: boolean;

  constructor(spec: FifoSpec, selfLoop = false) {
    this.selfLoopSlots = selfLoop;
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
    this.written = new Float64Array(spec.depth);
    this.testable = new Float64Array(spec.depth);
    this.freedAt = new Float64Array(spec.depth).fill(-Infinity);
    const initial = spec.initialTokens ?? 0;
    if (!Number.isInteger(initial) || initial < 0 || initial > spec.depth) {
      throw new RangeError(`FIFO '${spec.name}': initialTokens must be an integer in [0, depth ${spec.depth}], got ${initial}`);
    }
    for (let k = 0; k < initial; k++) this.push({ index: k }, undefined, 0);
  }

  /** Whether a non-blocking test at `cycle` sees a token. */
  testableAt(cycle: number): boolean {
    return this.count > 0 && this.testable[this.head]! <= cycle;
  }

  /** Tokens written and not yet read. */
  get occupancy(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count === this.depth;
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /**
   * First cycle a token can be written (become readable), given the state known now: Infinity
   * while every slot holds an unread token (a read will tell).
   */
  writableAt(selfLoop: boolean): number {
    if (this.count === this.depth) return Infinity;
    return this.freedAt[(this.head + this.count) % this.depth]! + (selfLoop ? 0 : SLOT_TURNAROUND_CYCLES);
  }

  headMeta(): TokenMeta {
    if (this.count === 0) throw new Error(`FIFO '${this.name}' is empty`);
    return this.metas[this.head]!;
  }

  /** Cycle the oldest token was written (Infinity when empty). */
  headWriteCycle(): number {
    return this.count === 0 ? Infinity : this.written[this.head]!;
  }

  /** Writes a token readable from `cycle`. Throws when no slot is free: callers check `writableAt`. */
  push(meta: TokenMeta, payload: unknown, cycle: number, sameCycleWrite = false): void {
    if (this.count === this.depth) throw new Error(`FIFO '${this.name}' overflow: write to a full FIFO`);
    if (this.closed) throw new Error(`FIFO '${this.name}': write after its producer finished`);
    const slot = (this.head + this.count) % this.depth;
    this.metas[slot] = meta;
    this.payloads[slot] = payload;
    this.written[slot] = cycle;
    this.testable[slot] = sameCycleWrite ? cycle + 1 : cycle;
    this.count++;
    this.tokens++;
  }

  /**
   * Occupancy figures of the token in `slot`, computed when it is read (a token may be queued
   * before its write cycle, see the engine): at its write W, the earlier tokens read at W or
   * later were held (reads come after writes within a cycle), and those read after W - 2 kept
   * their slot from being reused. Earlier tokens' read cycles are in the preceding slots.
   */
  private account(slot: number): void {
    const w = this.written[slot]!;
    const reuse = w - (this.selfLoopSlots ? 0 : SLOT_TURNAROUND_CYCLES);
    // Counted: earlier tokens read after `reuse` (busy), and of those the ones read at w or later
    // (held). Their read cycles, newest token first, never increase (reads are in token order),
    // so each count is a prefix: found by binary search in a deep FIFO (an accumulator buffer
    // holds a whole block of tiles), by a short scan otherwise.
    const d = this.depth;
    let busy = 1;
    let held = 1;
    if (d <= 8) {
      // One scan for both prefixes (held's is inside busy's).
      const freed = this.freedAt;
      for (let k = 1, x = slot; k < d; k++) {
        x = x === 0 ? d - 1 : x - 1;
        const read = freed[x]!;
        if (!(read > reuse)) break;
        busy++;
        if (read >= w) held++;
      }
    } else {
      busy += this.recentReads(slot, reuse, -Infinity);
      held += this.recentReads(slot, reuse, w);
    }
    if (held > this.maxOccupancy) this.maxOccupancy = held;
    if (busy > this.stallFreeDepth) this.stallFreeDepth = busy;
  }

  /** How many of the depth - 1 tokens before the one in `slot` were read after `after` and at or after `from` (binary search: a deep FIFO). */
  private recentReads(slot: number, after: number, from: number): number {
    const d = this.depth;
    const freed = this.freedAt;
    let lo = 0; // tokens 1..lo back were read recently
    let hi = d; // token hi back was not (or hi = d: past the end)
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const read = freed[(slot - mid + d) % d]!;
      if (read > after && read >= from) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Payload and write cycle of the token `take` returned last. */
  takenPayload: unknown = undefined;
  takenWriteCycle = 0;

  /**
   * Removes the oldest token (the FIFO must hold one), read at `cycle`; returns its metadata
   * (its payload and write cycle: `takenPayload`, `takenWriteCycle`).
   */
  take(cycle: number): TokenMeta {
    const slot = this.head;
    const meta = this.metas[slot]!;
    this.takenWriteCycle = this.written[slot]!;
    this.takenPayload = this.pop(cycle);
    return meta;
  }

  /** Removes the oldest token, read at `cycle`; returns its payload (read its meta first). */
  pop(cycle: number): unknown {
    if (this.count === 0) throw new Error(`FIFO '${this.name}' underflow`);
    const slot = this.head;
    this.account(slot);
    const payload = this.payloads[slot];
    this.metas[slot] = undefined;
    this.payloads[slot] = undefined;
    this.freedAt[slot] = cycle;
    this.head = (slot + 1) % this.depth;
    this.count--;
    return payload;
  }
}
