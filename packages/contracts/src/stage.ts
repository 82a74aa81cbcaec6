import type { ActorSpec } from '@lut-llm/core';

/**
 * What every stage implementation exports, so that an alternate implementation of a stage
 * (another package, or another export of the same package) can be swapped in by configuration.
 *
 * `P` is the stage's parameter record (hardware parameters: lanes, chain length, latencies...),
 * every field documented with its default and the reason for it.
 */
export interface StageImplementation<P> {
  /** The stage this implements, e.g. 'centroid-search'. */
  readonly stage: string;
  /** This implementation's name, e.g. 'bpcsu' or 'naive-argmin'. */
  readonly implementation: string;
  /** Default parameters (the reference design's). */
  readonly defaults: P;
  /** Builds the actor for one instance of the stage, named `name`. */
  actor(name: string, params: P): ActorSpec;
}
