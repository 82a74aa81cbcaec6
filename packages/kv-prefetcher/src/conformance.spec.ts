import { checkStageConformance, describeStageConformance } from '@lut-llm/contracts/conformance';
import { expect, it } from 'vitest';
import { KV_PREFETCHER_PLUGINS, kvPrefetcherConformanceCases } from './plugins.js';

// Both shipped prefetchers with their HBM channel group declared around them (the plugin's
// resources()): the chunks' K/V, rates, determinism, cycles = the stated costs incl. the HBM reads.
for (const plugin of KV_PREFETCHER_PLUGINS) describeStageConformance(plugin, kvPrefetcherConformanceCases());

/**
 * By hand: a position is 2 (K, V) x 2 heads x 4 dims x 4 B = 64 B; the chunks hold 3, 3, 1 | 3, 1
 * positions = 192, 192, 64 | 192, 64 B, i.e. 12, 12, 4, 12, 4 cycles at 16 B/cycle. II 1, so each
 * read starts when the previous one ends: ends at 12, 24, 28, 40, 44; ready 5 cycles later at 17,
 * 29, 33, 45, 49; the sink reads the last at 49 and completes at 50. On demand, the triggers
 * (written at cycles 0 and 1) are there before chunks 0 and 3 start: the same 50.
 */
it('prefetch and on-demand alone: 50 cycles, derived by hand from the chunk bytes and the HBM rate', () => {
  for (const plugin of KV_PREFETCHER_PLUGINS) expect(checkStageConformance(plugin, kvPrefetcherConformanceCases()[0]!).cycles).toBe(50);
});

it("the chunks' K/V are compared: a case without them, with empty references, or one value off fails", () => {
  const kase = kvPrefetcherConformanceCases()[0]!;
  const kv = kase.expected.kv;
  for (const plugin of KV_PREFETCHER_PLUGINS) {
    expect(() => checkStageConformance(plugin, { ...kase, expected: {} })).toThrow("no reference payloads for output port 'kv'");
    expect(() => checkStageConformance(plugin, { ...kase, expected: { kv: kv.map(() => ({})) } })).toThrow('kv[0].k: not in the reference payload (fields none)');
    // Chunk 4 is job 1's positions 3..3: its V row is -1000 - (24..31) - 0.5; one value changed.
    const v = kv[4]!.v.slice();
    v[5] = v[5]! + 1;
    expect(() => checkStageConformance(plugin, { ...kase, expected: { kv: kv.map((c, i) => (i === 4 ? { k: c.k, v } : c)) } })).toThrow('kv[4].v[5] = -1029.5, reference -1028.5 (exact)');
  }
});
