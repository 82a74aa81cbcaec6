import { describe, expect, it } from 'vitest';
import { V80_PLATFORM, formatNumber, fp16DspLatency, prefillSweep } from '@lut-llm/accelerator';
import { tinyQwen3Config } from '@lut-llm/model';
import { cli, lineOf } from './spec-helpers.js';

describe('lut-llm compare: FP16 DSP baseline and --prefill-sweep', () => {
  it('prints the FP16 DSP row and the sweep with the figures of fp16DspLatency and prefillSweep', async () => {
    const r = await cli('compare', '--model', 'tiny', '--prompt', '8', '--output', '4', '--variant', 'co-quant', '--prefill-sweep', '16..64');
    expect(r.code).toBe(0);
    const tiny = tinyQwen3Config();
    const fp16 = fp16DspLatency(tiny, V80_PLATFORM, { promptTokens: 8, outputTokens: 4 });
    expect(lineOf(r.stdout, 'AMD Alveo V80 @ 227 MHz (FP16 DSP baseline)')).toContain(formatNumber(fp16.ttftSeconds * 1e3));
    expect(r.stdout).toContain('prefill sweep: Qwen3-tiny on AMD Alveo V80 @ 227 MHz');
    const points = prefillSweep(tiny, V80_PLATFORM, [16, 32, 64]);
    for (const p of points) {
      const cells = lineOf(r.stdout, `${p.promptTokens}  `).trim().split(/\s{2,}/);
      expect(cells[1]).toBe(formatNumber(p.lutCycles / 227e3));
      expect(cells[2]).toBe(formatNumber(p.fp16Cycles / 227e3));
      expect(cells[6]).toBe(`${p.speedup.toFixed(2)}x`);
    }
    expect(r.stdout).toMatch(/\nverdict: /);
  });

  it.each([['64..16'], ['16-2048'], ['0..8']])('refuses --prefill-sweep %s naming the flag', async (v) => {
    const r = await cli('compare', '--prefill-sweep', v);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd()).toBe(`lut-llm: --prefill-sweep must be FROM..TO with integers 1 <= FROM <= TO (e.g. 16..2048), got '${v}'`);
  });
});
