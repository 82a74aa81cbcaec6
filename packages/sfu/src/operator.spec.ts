import type { SfuTokenMeta } from '@lut-llm/contracts';
import { Rng } from '@lut-llm/vq';
import { from, lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SFU_PARAMS, resolveSfuParams, rmsNormFp32, sfu, swigluFp32 } from './index.js';

const rng = new Rng(4);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
const meta = (rows: number): SfuTokenMeta => ({ rows });

describe('sfu operator', () => {
  it('RMSNorm 2048: the kernel output; II 128, latency 128 + 48 + 128 + 8 = 312 per token (see cycle-model.spec)', async () => {
    const xs = [randn(2048), randn(2048)];
    const op = { kind: 'rms-norm', width: 2048, eps: 1e-6 } as const;
    const out = await lastValueFrom(from(xs.map((x) => ({ meta: meta(1), payload: { in: x } }))).pipe(sfu({ ...DEFAULT_SFU_PARAMS, op }), toArray()));
    expect(out.map((t) => [t.iiCycles, t.latencyCycles])).toEqual([
      [128, 312],
      [128, 312],
    ]);
    expect(Array.from(out[1]!.payload)).toEqual(Array.from(rmsNormFp32(xs[1]!, 2048, 1e-6, undefined, 16)));
  });

  it('SwiGLU, 2 rows of 6144 (PWL SiLU) on ports gate and up: II ceil(12288 / 16) = 768, latency 768 + 9 + 4 = 781', async () => {
    const gate = randn(2 * 6144);
    const up = randn(2 * 6144);
    const p = { ...resolveSfuParams({ rowsPerToken: 2 }), op: { kind: 'swiglu', width: 6144, silu: 'pwl9' } as const };
    const [t] = await lastValueFrom(of({ meta: meta(2), payload: { gate, up } }).pipe(sfu(p), toArray()));
    expect([t!.iiCycles, t!.latencyCycles]).toEqual([768, 781]);
    expect(Array.from(t!.payload)).toEqual(Array.from(swigluFp32(gate, up, 'pwl9')));
  });

  it('errors: too many rows, a missing port, a payload of the wrong length', async () => {
    const p = { ...DEFAULT_SFU_PARAMS, op: { kind: 'residual-add', width: 8 } as const };
    const run = (rows: number, payload: Record<string, Float32Array>) => lastValueFrom(of({ meta: meta(rows), payload }).pipe(sfu(p)));
    await expect(run(2, { in: randn(16), residual: randn(16) })).rejects.toThrow(/a token must carry 1\.\.1 rows \(rowsPerToken\), got 2/);
    await expect(run(1, { in: randn(8) })).rejects.toThrow(/residual-add needs a Float32Array on port 'residual'/);
    await expect(run(1, { in: randn(8), residual: randn(7) })).rejects.toThrow(/port 'residual' has 7 values, expected 1 rows x 8/);
  });

  it('README example: RMSNorm of a row of 3s is ~1 everywhere; II 128, latency 312', () => {
    const op = { kind: 'rms-norm', width: 2048, eps: 1e-6 } as const;
    const seen: [Float32Array, number, number][] = [];
    of({ meta: { rows: 1 }, payload: { in: new Float32Array(2048).fill(3) } })
      .pipe(sfu({ ...DEFAULT_SFU_PARAMS, op }))
      .subscribe((t) => seen.push([t.payload, t.iiCycles, t.latencyCycles]));
    expect(seen.map(([y, ii, lat]) => [y.length, ii, lat])).toEqual([[2048, 128, 312]]);
    for (const y of seen[0]![0]) expect(Math.abs(y - 1)).toBeLessThan(1e-6); // 3 / sqrt(9 + 1e-6) = 1 - 5.6e-8
  });
});
