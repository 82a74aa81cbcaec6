import type { ConformanceCase } from '@lut-llm/contracts/conformance';
import { Rng } from '@lut-llm/vq';
import type { SfuStageParams } from './actor.js';

/**
 * The streaming SFU on itself. References are written here in FP64, independently of the
 * kernels (the contract's tolerance, 1e-5 of max|ref|, covers the FP32 lane-tree sums):
 *   RMSNorm: y = x / sqrt(mean(x^2) + eps) * w;  residual add: y = x + r.
 */
export function sfuConformanceCases(): ConformanceCase<SfuStageParams>[] {
  const rng = new Rng(11);
  const rows = (n: number, width: number) => Float32Array.from({ length: n * width }, () => rng.normal() * 3);

  function rmsNormRef(x: Float32Array, width: number, eps: number, w: Float32Array): Float32Array {
    const y = new Float32Array(x.length);
    for (let r = 0; r < x.length / width; r++) {
      let ss = 0;
      for (let i = 0; i < width; i++) ss += x[r * width + i]! ** 2;
      const inv = 1 / Math.sqrt(ss / width + eps);
      for (let i = 0; i < width; i++) y[r * width + i] = x[r * width + i]! * inv * w[i]!;
    }
    return y;
  }

  const width = 40;
  const weight = Float32Array.from({ length: width }, (_, i) => 0.5 + i / width);
  const normIn = [rows(2, width), rows(1, width), rows(2, width)];
  const rmsNorm: ConformanceCase<SfuStageParams> = {
    label: 'RMSNorm width 40, 16 lanes, tokens of 2, 1, 2 rows',
    params: { rowsPerToken: 2, op: { kind: 'rms-norm', width, eps: 1e-6, weight } },
    inputs: { in: normIn.map((x) => ({ meta: { rows: x.length / width }, payload: x })) },
    expected: { out: normIn.map((x) => rmsNormRef(x, width, 1e-6, weight)) },
  };
  const addIn = [rows(3, width), rows(3, width)];
  const addR = [rows(3, width), rows(3, width)];
  const residual: ConformanceCase<SfuStageParams> = {
    label: 'residual add width 40, 3 rows per token (two input ports)',
    params: { rowsPerToken: 3, op: { kind: 'residual-add', width } },
    inputs: {
      in: addIn.map((x) => ({ meta: { rows: 3 }, payload: x })),
      residual: addR.map((x) => ({ meta: { rows: 3 }, payload: x })),
    },
    expected: { out: addIn.map((x, t) => x.map((v, i) => v + addR[t]![i]!)) },
  };

  return [rmsNorm, residual];
}
