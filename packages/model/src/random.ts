import { deriveSeed, Rng } from '@lut-llm/vq';

/**
 * The seeded random streams of the synthetic weights: packages/vq's `Rng` (xoshiro128**, the one
 * PRNG of the repository), seeded with `deriveSeed(seed, ...stream)`. Two different stream paths
 * (e.g. [layer, tensor, part]) give independent streams, so any layer's weights can be generated
 * without generating the layers before it.
 */
export function seededRandom(seed: number, ...stream: number[]): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 0x1_0000_0000) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  for (const s of stream) {
    if (!Number.isInteger(s) || s < 0 || s >= 0x1_0000_0000) throw new RangeError(`stream id must be an integer in [0, 2^32), got ${s}`);
  }
  return new Rng(deriveSeed(seed, ...stream));
}
