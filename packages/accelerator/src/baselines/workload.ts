import { parameterCounts, type Qwen3Config } from '@lut-llm/model';

/** K and V elements one token adds to the cache of ONE layer: 2 x kvHeads x headDim. */
export function kvElementsPerTokenPerLayer(model: Qwen3Config): number {
  return 2 * model.kvHeads * model.headDim;
}

/**
 * Query-key pairs of one layer when a pass processes `tokens` new tokens ending at position
 * `context` (causal): token i of the pass (1-based) attends context - tokens + i keys, so the sum
 * is tokens x (context - tokens) + tokens (tokens + 1) / 2. Decode: tokens = 1 -> context.
 * Prefill of a T-token prompt: tokens = context = T -> T (T + 1) / 2.
 */
export function attendedKeys(tokens: number, context: number): number {
  if (!Number.isSafeInteger(tokens) || tokens < 1) throw new RangeError(`tokens must be an integer >= 1, got ${tokens}`);
  if (!Number.isSafeInteger(context) || context < tokens) {
    throw new RangeError(`context must be an integer >= tokens (${tokens}), got ${context}`);
  }
  return tokens * (context - tokens) + (tokens * (tokens + 1)) / 2;
}

/**
 * Multiply-accumulates of attention in ONE layer: QK^T and PV each cost heads x headDim per
 * attended key, so 2 x heads x headDim x attendedKeys. FLOPs are twice that.
 */
export function attentionMacsPerLayer(model: Qwen3Config, tokens: number, context: number): number {
  return 2 * model.heads * model.headDim * attendedKeys(tokens, context);
}

/** Weights of the four per-layer projections over all layers (excluding the LM head). */
export function layerLinearWeights(model: Qwen3Config): number {
  const counts = parameterCounts(model);
  return (counts.attentionPerLayer + counts.mlpPerLayer) * model.layers;
}

/** Weights of the LM head (vocab x hidden; it runs every token even when tied to the embedding). */
export function lmHeadWeights(model: Qwen3Config): number {
  return model.vocab * model.hidden;
}

/** RMSNorm weights of the whole model: per layer 2 hidden + 2 headDim (q/k norms), plus the final norm. */
export function normWeights(model: Qwen3Config): number {
  const counts = parameterCounts(model);
  return counts.normsPerLayer * model.layers + counts.finalNorm;
}

/**
 * KV-cache positions a LUT-LLM pass reads from HBM: the pass's `tokens` run in chunks of `chunk`
 * tokens and each chunk reads every position written before it (its own K/V stay on chip); the
 * cache held context - tokens positions before the pass. Decode (tokens = 1): context - 1.
 */
export function chunkedHistoryReads(tokens: number, chunk: number, context: number): number {
  attendedKeys(tokens, context); // validates tokens and context
  if (!Number.isSafeInteger(chunk) || chunk < 1) throw new RangeError(`chunk must be an integer >= 1, got ${chunk}`);
  const before = context - tokens;
  const chunks = Math.ceil(tokens / chunk);
  // sum over k = 0..chunks-1 of (before + k x chunk)
  return chunks * before + (chunk * (chunks - 1) * chunks) / 2;
}
