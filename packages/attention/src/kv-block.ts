import type { AttentionShape } from '@lut-llm/contracts';

/**
 * A block of keys and values of consecutive positions positionStart .. positionStart + positions - 1,
 * each [positions][kvHeads * headDim] FP32.
 */
export interface KvBlock {
  readonly positionStart: number;
  readonly positions: number;
  readonly k: Float32Array;
  readonly v: Float32Array;
}

/** Throws a RangeError naming the mismatch when a block's arrays do not match its positions. */
export function checkKvBlock(block: KvBlock, shape: AttentionShape, who: string): void {
  const row = shape.kvHeads * shape.headDim;
  const n = block.positions * row;
  if (block.k.length !== n || block.v.length !== n) {
    throw new RangeError(
      `${who}: KV block of ${block.positions} positions x ${shape.kvHeads} KV heads x ${shape.headDim} needs ${n} keys and values, got ${block.k.length} and ${block.v.length}`,
    );
  }
}

/** Throws when q is not [queryTokens][heads * headDim]. */
export function checkQueries(q: Float32Array, queryTokens: number, shape: AttentionShape, who: string): void {
  const n = queryTokens * shape.heads * shape.headDim;
  if (q.length !== n) throw new RangeError(`${who}: q has ${q.length} values, expected ${queryTokens} tokens x ${shape.heads} heads x ${shape.headDim} = ${n}`);
}
