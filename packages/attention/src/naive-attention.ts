import type { AttentionShape } from '@lut-llm/contracts';

/** Obviously-correct causal GQA attention in float64: softmax(q k^T / sqrt(d)) v per query head. */
export function naiveAttention(q: Float32Array, k: Float32Array, v: Float32Array, shape: AttentionShape, queryStart: number): Float64Array {
  const { heads, kvHeads, headDim: D } = shape;
  const T = q.length / (heads * D);
  const out = new Float64Array(q.length);
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < heads; h++) {
      const kvh = Math.floor(h / (heads / kvHeads));
      const n = queryStart + t + 1;
      const s: number[] = [];
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += q[(t * heads + h) * D + d]! * k[(j * kvHeads + kvh) * D + d]!;
        s.push(dot / Math.sqrt(D));
      }
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let d = 0; d < D; d++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += (e[j]! / z) * v[(j * kvHeads + kvh) * D + d]!;
        out[(t * heads + h) * D + d] = acc;
      }
    }
  }
  return out;
}
