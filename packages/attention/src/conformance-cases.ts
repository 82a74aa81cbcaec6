import type { AttentionJob, AttentionShape } from '@lut-llm/contracts';
import type { ConformanceCase } from '@lut-llm/contracts/conformance';
import { Rng } from '@lut-llm/vq';
import type { AttentionStageParams } from './actor.js';
import { naiveAttention } from './naive-attention.js';

/**
 * Every attention unit on itself, against naive float64 attention (the contract's tolerance:
 * 1e-4 of max|ref|): a small GQA shape (4 query heads on 2 KV heads, head dim 8), KV chunks of
 * 4 positions; a prefill job (3 tokens at position 0: the q firing only) then a decode job at
 * position 6 (its q firing, then history chunks of 4 and 2 positions through the carry loop,
 * carryOut -> carryIn, depth 1 as `invokeAttention` declares it).
 */
export function attentionConformanceCases(): ConformanceCase<AttentionStageParams>[] {
  const shape: AttentionShape = { heads: 4, kvHeads: 2, headDim: 8 };
  const rng = new Rng(31);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const qW = shape.heads * shape.headDim;
  const kvW = shape.kvHeads * shape.headDim;
  const jobs: AttentionJob[] = [
    { layer: 0, phase: 'prefill', queryTokens: 3, queryStart: 0 },
    { layer: 1, phase: 'decode', queryTokens: 1, queryStart: 6 },
  ];
  const kv = jobs.map((j) => ({ k: rand((j.queryStart + j.queryTokens) * kvW), v: rand((j.queryStart + j.queryTokens) * kvW) }));
  const q = jobs.map((j) => rand(j.queryTokens * qW));
  const rows = (x: Float32Array, from: number, to: number) => x.slice(from * kvW, to * kvW);

  return [
    {
      label: 'prefill 3 tokens at 0, then decode at position 6 (history chunks 4 + 2)',
      params: { shape, kvChunkPositions: 4, kvTilePositions: 4, queryTileRows: 2, jobs },
      inputs: {
        q: jobs.map((j, n) => ({
          meta: { ...j },
          payload: { q: q[n]!, k: rows(kv[n]!.k, j.queryStart, j.queryStart + j.queryTokens), v: rows(kv[n]!.v, j.queryStart, j.queryStart + j.queryTokens) },
        })),
        kv: [
          { meta: { layer: 1, positionStart: 0, positions: 4, chunk: 0, chunks: 2 }, payload: { k: rows(kv[1]!.k, 0, 4), v: rows(kv[1]!.v, 0, 4) } },
          { meta: { layer: 1, positionStart: 4, positions: 2, chunk: 1, chunks: 2 }, payload: { k: rows(kv[1]!.k, 4, 6), v: rows(kv[1]!.v, 4, 6) } },
        ],
      },
      expected: { out: jobs.map((j, n) => Float32Array.from(naiveAttention(q[n]!, kv[n]!.k, kv[n]!.v, shape, j.queryStart))) },
      selfLoops: { carryOut: { input: 'carryIn', depth: 1 } },
    },
  ];
}

