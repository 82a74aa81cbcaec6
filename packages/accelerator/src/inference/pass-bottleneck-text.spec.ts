import { describe, expect, it } from 'vitest';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { PLATFORM_PRESETS } from '../platform/index.js';
import { runPassTiming } from './pass-timing.js';

/**
 * The bottleneck's "why" that `run` and `compare` print: counts with thousands separators, as
 * every other count the CLI prints ("busy in 1260224 of 1789313 cycles (1290469376 bytes)" was
 * hard to read), and the same values as the pass's own figures.
 */
describe('pass bottleneck text', () => {
  it('prints its counts with thousands separators; the total is the pass cycles', () => {
    const model = QWEN3_CONFIGS['Qwen3-1.7B']!;
    for (const phase of ['decode', 'prefill'] as const) {
      const r = runPassTiming({ model, platform: PLATFORM_PRESETS['v80-int4-250'], phase, tokens: phase === 'decode' ? 1 : 16, history: phase === 'decode' ? 16 : 0, layers: 1 });
      const m = /^busy(?: in)? ([\d,]+) of ([\d,]+) cycles/.exec(r.bottleneck.why);
      expect(m, r.bottleneck.why).not.toBeNull();
      const [busy, total] = [m![1]!, m![2]!];
      expect(total).toBe(r.cycles.toLocaleString('en-US'));
      expect(busy).toBe(Number(busy.replaceAll(',', '')).toLocaleString('en-US'));
      expect(r.cycles).toBeGreaterThan(9999);
      expect(total).toContain(',');
      // Resource bottleneck: its bytes too ('(1,290,469,376 bytes)').
      if (r.bottleneck.why.startsWith('busy in')) expect(r.bottleneck.why).toMatch(/ cycles \(\d{1,3}(,\d{3})* bytes\)$/);
    }
  });
});
