// The worked example of README.md (keep them in sync).
import { describe, expect, it } from 'vitest';
import { expandGrid, parseGrid, runSweepLocal } from './index.js';

describe('README example', () => {
  it('gives the documented front and DSP counts', async () => {
    const grid = parseGrid({
      request: { promptTokens: 16, outputTokens: 4, decodeSamples: 2 },
      axes: { model: ['tiny'], cA: [32, 64], clockMhz: [200, 250] },
    });
    const rows = await runSweepLocal(expandGrid(grid), { workers: 2 });
    expect(rows.filter((r) => r.pareto).map((r) => r.settings)).toEqual([{ model: 'tiny', cA: 32, clockMhz: 250 }]);
    // The clock changes no number; INT4 tables (this preset) dominate the error, so c_a = 64 gains nothing.
    expect(rows[1]!.accuracy).toEqual(rows[0]!.accuracy);
    expect(rows.map((r) => r.accuracy!.sqnrDb.toFixed(2))).toEqual(['7.88', '7.88', '7.84', '7.84']);
    expect(rows.map((r) => r.onChip!.dsp)).toEqual([1536, 1536, 2560, 2560]);
  });
});
