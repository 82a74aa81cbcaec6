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
 * The slots of a run's FIFOs in shared arrays (each FIFO owns `depth` consecutive slots from its
 * base): a run of a graph with thousands of FIFOs allocates five arrays, not five per FIFO.
 */
export class FifoStore {
  readonly metas: (TokenMeta | undefined)[];
  readonly payloads: unknown[];
  /** Per slot: the cycle its token was written (readable from). */
  readonly written: Float64Array;
  /** Per slot: first cycle a non-blocking test sees its token (a same-cycle latency-0 write: the next). */
  readonly testable: Float64Array;
  /** Per slot: cycle at which it was last freed (-Infinity: never used). */
  readonly freedAt: Float64Array;
  private next = 0;

  constructor(fifos: readonly FifoSpec[]) {
    let slots = 0;
    for (const f of fifos) slots += Number.isInteger(f.depth) && f.depth > 0 ? f.depth : 0;
    this.metas = new Array<TokenMeta | undefined>(slots).fill(undefined);
    this.payloads = new Array<unknown>(slots).fill(undefined);
    this.written = new Float64Array(slots);
    this.testable = new Float64Array(slots);
    this.freedAt = new Float64Array(slots).fill(-Infinity);
  }

  /** The base of `depth` fresh slots. */
  take(depth: number, name: string): number {
    const base = this.next;
    if (base + depth > this.written.length) throw new RangeError(`FIFO '${name}': no room for its ${depth} slots in the run's FIFO store`);
    this.next += depth;
    return base;
  }
}

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
  // The slots (see FifoStore): slot k of this FIFO is index base + k of the store's arrays.
  private readonly metas: (TokenMeta | undefined)[];
  private readonly payloads: unknown[];
  private readonly written: Float64Array;
  private readonly testable: Float64Array;
  private readonly freedAt: Float64Array;
  private readonly base: number;
  /** Store index of the oldest token's slot (base <= head < base + depth). */
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

  constructor(spec: FifoSpec, selfLoop = false, store?: FifoStore) {
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
    const st = store ?? new FifoStore([spec]);
    this.metas = st.metas;
    this.payloads = st.payloads;
    this.written = st.written;
    this.testable = st.testable;
    this.freedAt = st.freedAt;
    this.base = st.take(spec.depth, spec.name);
    this.head = this.base;
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
    return this.freedAt[this.slotAfter(this.head, this.count)]! + (selfLoop ? 0 : SLOT_TURNAROUND_CYCLES);
  }

  /** Store index of the slot `k` places after store index `slot` (0 <= k < depth), wrapping around. */
  private slotAfter(slot: number, k: number): number {
    const x = slot + k;
    return x >= this.base + this.depth ? x - this.depth : x;
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
    const slot = this.slotAfter(this.head, this.count);
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
      const base = this.base;
      for (let k = 1, x = slot; k < d; k++) {
        x = x === base ? base + d - 1 : x - 1;
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
      const read = freed[this.slotAfter(slot, d - mid)]!;
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
    this.head = this.slotAfter(slot, 1);
    this.count--;
    return payload;
  }
}
