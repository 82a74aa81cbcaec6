import { portRuns, type ActorSpec } from '@lut-llm/core';
import { LutPsumError } from './params.js';

/**
 * A matcher's index register: it takes a block's activation indices (or, weight-only, its
 * activations) once and presents them for every output tile of the block, as the hardware keeps
 * `idx` in a register across its group loop. The held tile circulates on a private depth-1
 * self-loop stream (`holdIn` <- `holdOut`), which keeps the kernel a pure function of its inputs.
 *
 * Firing i (tile i mod tilesPerBlock of its block) reads `in` on the first tile of a block and
 * `holdIn` otherwise; writes `out`, and `holdOut` unless it is the block's last tile.
 * Cost: II 1, latency 0 (a register).
 */
export function indexRegisterActor(name: string, tilesPerBlock: number, widthBytes: number): ActorSpec {
  if (!Number.isInteger(tilesPerBlock) || tilesPerBlock < 1) {
    throw new LutPsumError(`${name}: tilesPerBlock must be an integer >= 1, got ${String(tilesPerBlock)}`);
  }
  const last = tilesPerBlock - 1;
  // Port indices: inputs in, holdIn; outputs out, holdOut (declaration order below).
  const READ_IN = [0];
  const READ_HOLD = [1];
  const WRITE_BOTH = [0, 1];
  const WRITE_OUT = [0];
  return {
    name,
    inputs: { in: { widthBytes }, holdIn: { widthBytes } },
    outputs: { out: { widthBytes }, holdOut: { widthBytes } },
    // As runs (the engine looks them up instead of calling a rate per firing).
    reads: portRuns([[1, READ_IN], [last, READ_HOLD]], { repeat: true }),
    writes: portRuns([[last, WRITE_BOTH], [1, WRITE_OUT]], { repeat: true }),
    cost: { iiCycles: 1, latencyCycles: 0 },
    // The held tile itself goes out (and back into the register): nothing new per firing.
    emit: (f, out) => {
      const m = f.in[0] ?? f.in[1];
      out[0] = m;
      out[1] = m;
    },
    kernel: (inputs) => {
      const p = inputs['in'] ?? inputs['holdIn'];
      return { out: p, holdOut: p };
    },
  };
}
