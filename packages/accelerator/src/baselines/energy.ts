/**
 * The energy model, for the V80 and the GPUs alike: energy = board power x time. With a board's
 * maximum (or rated) power this is an UPPER bound on energy (a lower bound on tokens/J): the board
 * rarely draws its maximum, and idle/host power is not counted either way.
 */

function check(what: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${what} must be a finite number > 0, got ${String(value)}`);
  }
}

/** Joules spent on one token that takes `latencySeconds` on a board drawing `boardWatts`: W x s. */
export function energyPerToken(latencySeconds: number, boardWatts: number): number {
  check('latencySeconds', latencySeconds);
  check('boardWatts', boardWatts);
  return latencySeconds * boardWatts;
}

/** Tokens per joule when each token takes `latencySeconds` at `boardWatts`: 1 / (W x s). */
export function tokensPerJoule(latencySeconds: number, boardWatts: number): number {
  return 1 / energyPerToken(latencySeconds, boardWatts);
}
