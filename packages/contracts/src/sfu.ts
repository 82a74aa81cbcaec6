import type { TokenMeta } from '@lut-llm/core';

/** Operations of the special function unit (DESIGN.md 1.2 item 6). */
export type SfuOpKind = 'rms-norm' | 'layer-norm' | 'qk-norm' | 'rope' | 'silu' | 'swiglu' | 'residual-add' | 'softmax';

/** SiLU evaluation: exact x * sigmoid(x), or the reference design's 9-segment piecewise-linear form. */
export type SiluVariant = 'exact' | 'pwl9';

/**
 * Metadata of an SFU token: `rows` rows of the op's row length (one row per token of the
 * sequence: hidden, intermediate or heads x headDim values). Payloads are Float32Array
 * [rows][rowLength], one per input port.
 */
export interface SfuTokenMeta extends TokenMeta {
  readonly rows: number;
  /** Position of the first row (RoPE needs it; rows are consecutive positions). */
  readonly positionStart?: number;
}

/** Input ports of each op (the output port is always `out`). */
export const SFU_INPUT_PORTS: Readonly<Record<SfuOpKind, readonly string[]>> = {
  'rms-norm': ['in'],
  'layer-norm': ['in'],
  'qk-norm': ['in'],
  rope: ['in'],
  silu: ['in'],
  swiglu: ['gate', 'up'],
  'residual-add': ['in', 'residual'],
  softmax: ['in'],
};
