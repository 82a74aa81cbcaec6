import type { ConformanceCase } from '@lut-llm/contracts/conformance';
import { Rng, synthesizeQuantizedLinear } from '@lut-llm/vq';
import type { DequantizerParams } from './params.js';

/**
 * Conformance cases for any dequantizer: 3 output tiles of 32 outputs (groups of 64: tiles 0-1 in
 * group 0, tile 2 in group 1), T = 2, random INT32 sums. Reference, written here in float64:
 *   y[t][n] = (acc[t][n] - zeroPoint[g(n)] x P) x scale[g(n)], rounded once to FP32.
 */
export function dequantizerConformanceCases(): ConformanceCase<DequantizerParams>[] {
  const T = 2;
  const layer = synthesizeQuantizedLinear(96, 16, { groupSize: 64 }, new Rng(5));
  const rng = new Rng(9);
  const tiles = [0, 32, 64].map((outStart, tile) => {
    const outEnd = outStart + 32;
    const acc = Int32Array.from({ length: T * 32 }, () => Math.round(rng.normal() * 5000));
    const y = new Float32Array(T * 32);
    for (let t = 0; t < T; t++) {
      for (let n = outStart; n < outEnd; n++) {
        const g = Math.floor(n / 64);
        y[t * 32 + n - outStart] = (acc[t * 32 + n - outStart]! - layer.lutZeroPoint[g]! * layer.positions) * layer.lutScale[g]!;
      }
    }
    const base = { op: 'conformance', tokens: T, tile, tilesPerBlock: 3, outStart, outEnd };
    return { acc, y, base, group: Math.floor(outStart / 64) };
  });
  return [
    {
      label: '3 tiles of 32 outputs, T = 2, two weight groups',
      params: {},
      inputs: {
        in: tiles.map((t) => ({ meta: { kind: 'accumulated', numeric: 'int32', ...t.base }, payload: { kind: 'int32', acc: t.acc } })),
        scales: tiles.map((t) => ({ meta: { kind: 'scales', group: t.group, ...t.base }, payload: { layer } })),
      },
      expected: { out: tiles.map((t) => ({ y: t.y })) },
    },
  ];
}
