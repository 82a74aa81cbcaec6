import type { KvCacheLayout } from '@lut-llm/contracts';

/**
 * Default KV-cache layout: Qwen3-1.7B (28 layers, 8 KV heads, head dim 128), 40960 positions
 * reserved per layer (Qwen3's max_position_embeddings), FP32 elements (the attention unit's
 * arithmetic; 2 would model an FP16 cache for timing). 8 KiB per position per layer, 320 MiB
 * per layer, 8.75 GiB for the 28 layers: fits the V80's 32 GB of HBM.
 */
export const QWEN3_1_7B_KV_LAYOUT: KvCacheLayout = { layers: 28, kvHeads: 8, headDim: 128, maxPositions: 40960, bytesPerElement: 4 };

/** Merges overrides into the default layout and validates it (RangeError naming the field). */
export function kvCacheLayout(overrides: Partial<KvCacheLayout> = {}): KvCacheLayout {
  for (const k of Object.keys(overrides)) {
    if (!(k in QWEN3_1_7B_KV_LAYOUT)) throw new RangeError(`KV layout: unknown field '${k}'`);
  }
  const l: KvCacheLayout = { ...QWEN3_1_7B_KV_LAYOUT, ...overrides };
  for (const k of ['layers', 'kvHeads', 'headDim', 'maxPositions', 'bytesPerElement'] as const) {
    if (!Number.isInteger(l[k]) || l[k] < 1) throw new RangeError(`KV layout: ${k} must be an integer >= 1, got ${l[k]}`);
  }
  return l;
}

/** Bytes of one contiguous run: one (layer, KV head, K or V) over all reserved positions. */
export function kvRunBytes(l: KvCacheLayout): number {
  return l.maxPositions * l.headDim * l.bytesPerElement;
}

/** Bytes of K and V of one position of one layer: 2 x kvHeads x headDim x bytesPerElement. */
export function kvBytesPerPosition(l: KvCacheLayout): number {
  return 2 * l.kvHeads * l.headDim * l.bytesPerElement;
}

/** Bytes reserved per layer: maxPositions x kvBytesPerPosition. */
export function kvLayerBytes(l: KvCacheLayout): number {
  return l.maxPositions * kvBytesPerPosition(l);
}

/** Bytes reserved for the whole cache. */
export function kvCacheBytes(l: KvCacheLayout): number {
  return l.layers * kvLayerBytes(l);
}

/**
 * Byte address (from the cache's base) of element `dim` of K (kind 'k') or V of one layer, KV
 * head and position, in the layout [layer][kvHead][kind][position][headDim]:
 *   ((((layer x kvHeads + kvHead) x 2 + kind) x maxPositions + position) x headDim + dim) x bytesPerElement
 */
export function kvAddress(l: KvCacheLayout, at: { layer: number; kvHead: number; kind: 'k' | 'v'; position: number; dim?: number }): number {
  const dim = at.dim ?? 0;
  const check = (name: string, v: number, n: number) => {
    if (!Number.isInteger(v) || v < 0 || v >= n) throw new RangeError(`KV address: ${name} ${v} is outside 0..${n - 1}`);
  };
  check('layer', at.layer, l.layers);
  check('kvHead', at.kvHead, l.kvHeads);
  check('position', at.position, l.maxPositions);
  check('dim', dim, l.headDim);
  const kind = at.kind === 'k' ? 0 : 1;
  return ((((at.layer * l.kvHeads + at.kvHead) * 2 + kind) * l.maxPositions + at.position) * l.headDim + dim) * l.bytesPerElement;
}

/**
 * Throws when `positions` (history + new tokens) exceed the reserved KV capacity: a longer
 * context is an error, never a silently wrong answer.
 */
export function checkKvCapacity(l: KvCacheLayout, positions: number, who: string): void {
  if (positions > l.maxPositions) {
    throw new RangeError(`${who}: context needs ${positions} KV positions but the KV cache reserves ${l.maxPositions} positions per layer (layout.maxPositions)`);
  }
}

/** HBM bursts of a chunk read: one per (KV head, K or V), each positions x headDim x bytesPerElement bytes. */
export function kvChunkBursts(l: KvCacheLayout, positions: number): { bursts: number; bytesPerBurst: number } {
  return { bursts: 2 * l.kvHeads, bytesPerBurst: positions * l.headDim * l.bytesPerElement };
}
