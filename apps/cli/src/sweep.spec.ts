import { describe, expect, it } from 'vitest';
import { formatNumber, fp16DspLatency, prefillSweep } from '@lut-llm/accelerator';
import { tinyQwen3Config } from '@lut-llm/model';
import { resolvePlatform } from './options.js';
import { RUN_DEFAULTS } from './run.js';
import { cli, lineOf } from './spec-helpers.js';

/** The platform `compare` runs on by default (whatever preset that is). */
const platform = resolvePlatform(RUN_DEFAULTS.platform);

describe('lut-llm compare: FP16 DSP baseline and --prefill-sweep', () => {
  it('prints the FP16 DSP row and the sweep with the figures of fp16DspLatency and prefillSweep', async () => {
    const r = await cli('compare', '--model', 'tiny', '--prompt', '8', '--output', '4', '--variant', 'co-quant', '--prefill-sweep', '16..64');
    expect(r.code).toBe(0);
    const tiny = tinyQwen3Config();
    const fp16 = fp16DspLatency(tiny, platform, { promptTokens: 8, outputTokens: 4 });
    expect(lineOf(r.stdout, `${platform.name} (FP16 DSP baseline)`)).toContain(formatNumber(fp16.ttftSeconds * 1e3));
    expect(r.stdout).toContain(`prefill sweep: Qwen3-tiny on ${platform.name}`);
    const points = prefillSweep(tiny, platform, [16, 32, 64]);
    for (const p of points) {
      const cells = lineOf(r.stdout, `${p.promptTokens}  `).trim().split(/\s{2,}/);
      expect(cells[1]).toBe(formatNumber(p.lutCycles / (platform.clockMhz * 1e3)));
      expect(cells[2]).toBe(formatNumber(p.fp16Cycles / (platform.clockMhz * 1e3)));
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
