import { LutLinearError } from './errors.js';

/**
 * Parses a layer shape written `MxD` (out-features x in-features, the layout of W [M][D], as vq's
 * bench writes Qwen3's 2048x6144 down_proj and 6144x2048 up/gate_proj).
 */
export function parseLinearShape(text: string): { readonly outFeatures: number; readonly inFeatures: number } {
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(text);
  if (!m) throw new LutLinearError(`shape '${text}' is not of the form MxD (out-features x in-features), e.g. 2048x6144`);
  const outFeatures = Number(m[1]);
  const inFeatures = Number(m[2]);
  if (outFeatures < 1 || inFeatures < 1) throw new LutLinearError(`shape '${text}': both dimensions must be >= 1`);
  return { outFeatures, inFeatures };
}
