import { describe, expect, it } from 'vitest';
import { resolveVqConfig } from './config.js';
import { buildLut, tableEntries } from './lut-build.js';
import { Rng } from './rng.js';

function codebooks(P: number, groups: number, cA: number, cW: number, v: number, seed: number) {
  const r = new Rng(seed);
  return {
    act: Float32Array.from({ length: P * cA * v }, () => r.normal()),
    weight: Float32Array.from({ length: P * groups * cW * v }, () => 0.1 * r.normal()),
  };
}

describe('buildLut (asymmetric per-group table quantization)', () => {
  for (const lutBits of [8, 4] as const) {
    it(`INT${lutBits}: every entry within scale/2 of its real value, extremes hit qmin/qmax`, () => {
      const cfg = resolveVqConfig({ cA: 8, cW: 4, lutBits });
      const P = 5;
      const groups = 3;
      const { act, weight } = codebooks(P, groups, cfg.cA, cfg.cW, cfg.v, lutBits);
      const { lut, lutScale, lutZeroPoint } = buildLut(act, weight, P, groups, cfg);
      const [qmin, qmax] = lutBits === 8 ? [-128, 127] : [-8, 7];
      const buf = new Float64Array(cfg.cA * cfg.cW);
      for (let g = 0; g < groups; g++) {
        const s = lutScale[g]!;
        const zp = lutZeroPoint[g]!;
        let sawMin = false;
        let sawMax = false;
        for (let p = 0; p < P; p++) {
          tableEntries(act, weight, p, g, groups, cfg.v, cfg.cA, cfg.cW, buf);
          for (let i = 0; i < buf.length; i++) {
            const q = lut[(p * groups + g) * buf.length + i]!;
            expect(q).toBeGreaterThanOrEqual(qmin);
            expect(q).toBeLessThanOrEqual(qmax);
            expect(Math.abs(s * (q - zp) - buf[i]!)).toBeLessThanOrEqual(s / 2 + 1e-12);
            if (q === qmin) sawMin = true;
            if (q === qmax) sawMax = true;
          }
        }
        expect(sawMin && sawMax).toBe(true);
      }
    });
  }

  it('a constant table dequantizes exactly; an all-zero table gives 0', () => {
    const cfg = resolveVqConfig({ cA: 2, cW: 2 });
    const act = Float32Array.from([1, 0, 1, 0]);
    const weight = Float32Array.from([0.75, 9, 0.75, -9]); // every entry = 0.75
    const t = buildLut(act, weight, 1, 1, cfg);
    for (const q of t.lut) expect(t.lutScale[0]! * (q - t.lutZeroPoint[0]!)).toBeCloseTo(0.75, 6);
    const z = buildLut(act, new Float32Array(4), 1, 1, cfg);
    for (const q of z.lut) expect(z.lutScale[0]! * (q - z.lutZeroPoint[0]!)).toBe(0);
  });
});
