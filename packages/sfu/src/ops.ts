import type { SfuOpKind, SiluVariant } from '@lut-llm/contracts';

/**
 * The operation one SFU actor performs, with its constants. Rows are Float32Array slices of
 * `sfuRowLength(op)` values (hidden, intermediate, or heads x headDim for the per-head ops).
 * Weights default to ones (timing-only runs need none).
 */
export type SfuOp =
  /** y = x / sqrt(mean(x^2) + eps) * weight (Qwen3RMSNorm). */
  | { readonly kind: 'rms-norm'; readonly width: number; readonly eps: number; readonly weight?: Float32Array }
  /** y = (x - mean) / sqrt(var + eps) * weight + bias. */
  | { readonly kind: 'layer-norm'; readonly width: number; readonly eps: number; readonly weight?: Float32Array; readonly bias?: Float32Array }
  /** Qwen3 q_norm / k_norm: RMSNorm of each head's headDim values with a headDim weight. */
  | { readonly kind: 'qk-norm'; readonly heads: number; readonly headDim: number; readonly eps: number; readonly weight?: Float32Array }
  /** Rotary embedding, Hugging Face rotate-half convention (pairs i, i + headDim/2); theta default 1e6 (Qwen3). */
  | { readonly kind: 'rope'; readonly heads: number; readonly headDim: number; readonly theta?: number }
  | { readonly kind: 'silu'; readonly width: number; readonly silu: SiluVariant }
  /** SiLU(gate) * up (ports `gate`, `up`). */
  | { readonly kind: 'swiglu'; readonly width: number; readonly silu: SiluVariant }
  /** in + residual (ports `in`, `residual`). */
  | { readonly kind: 'residual-add'; readonly width: number }
  /** Softmax of each row (max subtracted). */
  | { readonly kind: 'softmax'; readonly width: number };

/** Values per row of an op. */
export function sfuRowLength(op: SfuOp): number {
  return op.kind === 'qk-norm' || op.kind === 'rope' ? op.heads * op.headDim : op.width;
}

/** Checks an op's constants; throws a RangeError naming the field. */
export function validateSfuOp(op: SfuOp, who = 'sfu'): void {
  const kinds: readonly SfuOpKind[] = ['rms-norm', 'layer-norm', 'qk-norm', 'rope', 'silu', 'swiglu', 'residual-add', 'softmax'];
  if (!kinds.includes(op.kind)) throw new RangeError(`${who}: unknown op '${String((op as { kind: unknown }).kind)}'`);
  const posInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${who}: ${op.kind} ${name} must be an integer >= 1, got ${v}`);
  };
  if (op.kind === 'qk-norm' || op.kind === 'rope') {
    posInt('heads', op.heads);
    posInt('headDim', op.headDim);
  } else {
    posInt('width', op.width);
  }
  if (op.kind === 'rms-norm' || op.kind === 'layer-norm' || op.kind === 'qk-norm') {
    if (!(op.eps > 0)) throw new RangeError(`${who}: ${op.kind} eps must be > 0, got ${op.eps}`);
    const n = op.kind === 'qk-norm' ? op.headDim : op.width;
    if (op.weight && op.weight.length !== n) throw new RangeError(`${who}: ${op.kind} weight has ${op.weight.length} values, expected ${n}`);
    if (op.kind === 'layer-norm' && op.bias && op.bias.length !== n) throw new RangeError(`${who}: layer-norm bias has ${op.bias.length} values, expected ${n}`);
  }
  if (op.kind === 'rope') {
    if (op.headDim % 2 !== 0) throw new RangeError(`${who}: rope headDim must be even, got ${op.headDim}`);
    if (op.theta !== undefined && (!(op.theta > 0) || !Number.isFinite(op.theta))) throw new RangeError(`${who}: rope theta must be a finite number > 0, got ${op.theta}`);
  }
  if ((op.kind === 'silu' || op.kind === 'swiglu') && op.silu !== 'exact' && op.silu !== 'pwl9') {
    throw new RangeError(`${who}: ${op.kind} silu must be 'exact' or 'pwl9', got '${String(op.silu)}'`);
  }
}
