import { kvWidth, qWidth, type Qwen3Config } from './config.js';
import type { LinearName } from './shapes.js';
import { checkLayerWeights, type Qwen3LayerWeights } from './weights.js';

/** Stacks row-major matrices with the same number of columns (concatenation along the output dimension). */
export function concatRows(...matrices: Float32Array[]): Float32Array {
  const out = new Float32Array(matrices.reduce((s, m) => s + m.length, 0));
  let pos = 0;
  for (const m of matrices) {
    out.set(m, pos);
    pos += m.length;
  }
  return out;
}

/**
 * The weights of a layer's four linear ops as the accelerator runs them (see linearShapes):
 * qkv = rows of q_proj, then k_proj, then v_proj; gate_up = rows of gate_proj then up_proj.
 * o and down are the original arrays (not copied).
 */
export function layerLinearWeights(
  cfg: Qwen3Config,
  w: Qwen3LayerWeights,
  layer = 0,
): Readonly<Record<Exclude<LinearName, 'lm_head'>, Float32Array>> {
  checkLayerWeights(cfg, w, layer);
  return {
    qkv: concatRows(w.qProj, w.kProj, w.vProj),
    o: w.oProj,
    gate_up: concatRows(w.gateProj, w.upProj),
    down: w.downProj,
  };
}

/** Column offsets of q, k, v inside a row of the fused qkv output. */
export function qkvSplit(cfg: Qwen3Config): { readonly q: number; readonly k: number; readonly v: number; readonly width: number } {
  const q = qWidth(cfg);
  const kv = kvWidth(cfg);
  return { q: 0, k: q, v: q + kv, width: q + 2 * kv };
}
