/**
 * Seeded deterministic pseudo-random number generator: xoshiro128** (Blackman & Vigna), state
 * seeded from one 32-bit seed through splitmix32. Same seed -> same sequence on every machine
 * (only 32-bit integer arithmetic via Math.imul and >>> 0 is used for the stream; `normal()` uses
 * Math.log/sqrt/cos/sin, which V8 implements identically on every platform it ships on).
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second Box-Muller output, returned by the next `normal()` call; NaN when empty. */
  private spareNormal = Number.NaN;

  /** @param seed any number; only its low 32 bits (after truncation) are used. */
  constructor(seed: number) {
    let x = (Math.trunc(seed) >>> 0) | 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is a fixed point
  }

  /** Uniform 32-bit unsigned integer in [0, 2^32). */
  nextU32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
    return r;
  }

  /** Uniform double in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextU32() * 2.3283064365386963e-10; // 2^-32
  }

  /** Standard normal sample (mean 0, std 1), Box-Muller; the pair's second value is cached. */
  normal(): number {
    const spare = this.spareNormal;
    if (spare === spare) {
      this.spareNormal = Number.NaN;
      return spare;
    }
    const u1 = (this.nextU32() + 1) * 2.3283064365386963e-10; // (0, 1]: log never sees 0
    const u2 = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). `n` must be an integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new RangeError(`Rng.int(n): n must be an integer in [1, 2^32], got ${String(n)}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let u = this.nextU32();
    while (u >= limit) u = this.nextU32();
    return u % n;
  }
}

/**
 * Derives an independent 32-bit seed from a base seed and a list of integer ids (e.g. a layer,
 * a position, a group), so each codebook gets its own stream no matter in which order (or on
 * which worker) the codebooks are computed. A murmur3-style mix of every id.
 */
export function deriveSeed(seed: number, ...ids: readonly number[]): number {
  let h = (Math.trunc(seed) >>> 0) ^ 0x5bd1e995;
  for (const id of ids) {
    let k = Math.trunc(id) >>> 0;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
