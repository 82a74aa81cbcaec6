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

  // Exact ties (issue 23: a build that rounds half up instead of half to even must fail here).
  // Activation centroids a0 = (1, 0), a1 = (0, 1) and weight centroids w0 = (A, B), w1 = (C, D)
  // make the table [a][w] = [[A, C], [B, D]] exactly (one product is by 1, the other by 0), so
  // every entry / scale can be put on a .5 tie by hand. Layout of lut: [a][w] = [A, C, B, D].
  const table = (A: number, B: number, C: number, D: number, lutBits: 8 | 4) =>
    buildLut(Float32Array.from([1, 0, 0, 1]), Float32Array.from([A, B, C, D]), 1, 1, resolveVqConfig({ cA: 2, cW: 2, lutBits }));

  it('entry ties round half to even: INT4, entries 0, 15, 2.5, 0.5 -> scale 1, zero point -8, q = [-8, -6, 7, -8]', () => {
    // scale = (15 - 0) / (7 - (-8)) = 1; zp = -8 - round(0 / 1) = -8; q = round(t) - 8:
    // 0 -> -8, 2.5 -> 2 - 8 = -6 (half up: -5), 15 -> 7, 0.5 -> 0 - 8 = -8 (half up: -7).
    const t = table(0, 15, 2.5, 0.5, 4);
    expect([t.lutScale[0], t.lutZeroPoint[0]]).toEqual([1, -8]);
    expect(Array.from(t.lut)).toEqual([-8, -6, 7, -8]);
  });

  it('entry ties round half to even: INT8, entries 0, 255, 2.5, 3.5 -> scale 1, zero point -128, q = [-128, -126, 127, -124]', () => {
    // scale = 255 / 255 = 1; zp = -128; 2.5 -> 2 - 128 = -126 (half up: -125); 3.5 -> 4 - 128 = -124.
    const t = table(0, 255, 2.5, 3.5, 8);
    expect([t.lutScale[0], t.lutZeroPoint[0]]).toEqual([1, -128]);
    expect(Array.from(t.lut)).toEqual([-128, -126, 127, -124]);
  });

  it('zero-point ties round half to even: INT4, entries -7.5, 7.5, -2.5, 3.5 -> zero point 0, q = [-8, -2, 7, 4]', () => {
    // scale = 15 / 15 = 1; zp = -8 - round(-7.5) = -8 - (-8) = 0 (half up: round(-7.5) = -7, zp = -1);
    // q = round(t) + 0: -7.5 -> -8, -2.5 -> -2, 7.5 -> 8 saturates to 7, 3.5 -> 4.
    // Half up everywhere would give zp -1 and q = [-8, -3, 7, 3].
    const t = table(-7.5, 7.5, -2.5, 3.5, 4);
    expect([t.lutScale[0], t.lutZeroPoint[0]]).toEqual([1, 0]);
    expect(Array.from(t.lut)).toEqual([-8, -2, 7, 4]);
  });
});
