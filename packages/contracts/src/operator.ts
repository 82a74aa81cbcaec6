import type { TokenMeta } from '@lut-llm/core';

/**
 * The element shapes of the stage operators (DESIGN.md 2.2, "every stage package exports its
 * stage as an RxJS operator over tiles"). A stage operator is an RxJS `OperatorFunction` from
 * input tiles to `StageTile`s: for each input element it runs the stage's kernel synchronously
 * (no scheduler, no buffering) and attaches the stage's own cost for that tile, computed by the
 * stage's cycle model, the same one its engine actor charges.
 *
 * What an operator does NOT do: model FIFOs, back-pressure, shared memory ports or HBM channels.
 * Those belong to the engine (core), which runs the same cost model in virtual time. The cycles
 * on a `StageTile` are the stage alone, as if its inputs were always there and its output never
 * blocked: the `iiCycles` sum over a stream is the stage's busy time, a lower bound on the run.
 */

/** A tile travelling between stage operators: the token metadata and its payload (typed arrays). */
export interface TileToken<M extends TokenMeta, P> {
  readonly meta: M;
  readonly payload: P;
}

/** One firing of a stage as seen by an operator: the tile it produced and what it cost the stage. */
export interface StageTile<M extends TokenMeta, P> extends TileToken<M, P> {
  /** Initiation interval: cycles the stage is busy with this tile before it can start the next. */
  readonly iiCycles: number;
  /** Cycles from the firing's start until its output is readable (pipeline depth included). */
  readonly latencyCycles: number;
}
