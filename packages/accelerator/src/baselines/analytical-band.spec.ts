import { QWEN3_CONFIGS } from '@lut-llm/model';
import { describe, expect, it } from 'vitest';
import { runPassTiming, type PassReport } from '../inference/run.js';
import { PLATFORM_PRESETS, type PlatformPresetName } from '../platform/index.js';
import { analyticalDecodeCycles, analyticalPrefillCycles, type AnalyticalBreakdown } from './analytical.js';

/**
 * The analytical per-operator model and the emulator agree within a stated band (issue 23).
 * Configuration: Qwen3-0.6B's shapes with 2 layers (all of the model's operators, the full LM
 * head; 2 layers keep the emulation fast), on the presets v80 and v80-int4-250.
 *
 * Why they differ at all (analytical.ts lists what it is blind to):
 * - above 1 (emulator slower): FIFO stalls (a weight loader runs at most 2 tiles ahead of its
 *   matcher, so the weight channels idle while an op waits for its input vector), the stages'
 *   pipeline latencies (tens of cycles per stage, several stages per op, ~10 ops per layer) and
 *   the hand-overs between ops (an op's output is complete only when its last block leaves the
 *   dequantizer and writer). In prefill the SFU and LUTLinear hand-overs are per chunk of T rows
 *   and the look-up pipeline drains and refills between ops, so the gap is wider there.
 * - below 1 (emulator faster): the analytical model runs the operators strictly one after
 *   another, each with a full HBM latency fill; the emulator overlaps op boundaries (the next op's
 *   tables stream while the SFU and attention work, the KV history prefetches under LUTLinear).
 * Bands: decode [0.95, 1.15] (weight-stream bound on both sides, the differences are the exposed
 * waits above, a few percent of a step); prefill [1.0, 1.35] (look-up bound; the analytical model
 * counts no pipeline drain between ops, so it can only be lower).
 *
 * Known gap, asserted separately below: the analytical model prices attention with the streaming
 * unit's formula, not the as-built unit that v80-int4-250 selects (`stages.attention.implementation
 * = 'as-built'`), so on that preset its prefill is ~2x below the emulator; outside attention the
 * prefill band above holds.
 */
const model = { ...QWEN3_CONFIGS['Qwen3-0.6B'], layers: 2 };
const DECODE_BAND = [0.95, 1.15] as const;
const PREFILL_BAND = [1.0, 1.35] as const;

const inBand = (ratio: number, band: readonly [number, number], what: string) => {
  expect(ratio, `${what}: emulated / analytical = ${ratio.toFixed(3)}`).toBeGreaterThanOrEqual(band[0]);
  expect(ratio, `${what}: emulated / analytical = ${ratio.toFixed(3)}`).toBeLessThanOrEqual(band[1]);
};
const attentionBusy = (r: PassReport) => r.units.find((u) => u.unit === 'attention')!.busyCycles;
const attentionTerm = (a: AnalyticalBreakdown) => {
  const op = a.ops.find((o) => o.name === 'attention')!;
  return op.instances * Math.max(...Object.values(op.terms));
};

describe('analytical model vs emulator: named configurations agree within the stated band', () => {
  const cases: [PlatformPresetName, number][] = [
    ['v80', 128],
    ['v80', 1024],
    ['v80-int4-250', 128],
  ];
  for (const [preset, history] of cases) {
    it(`decode, ${preset}, history ${history}: within [${DECODE_BAND.join(', ')}]`, () => {
      const platform = PLATFORM_PRESETS[preset];
      const emu = runPassTiming({ model, platform, phase: 'decode', tokens: 1, history });
      const ana = analyticalDecodeCycles(model, platform, history + 1);
      inBand(emu.cycles / ana.totalCycles, DECODE_BAND, `${preset} decode ${history}`);
    });
  }

  it(`prefill of 32 tokens, v80: within [${PREFILL_BAND.join(', ')}]`, () => {
    const platform = PLATFORM_PRESETS['v80'];
    const emu = runPassTiming({ model, platform, phase: 'prefill', tokens: 32, history: 0 });
    const ana = analyticalPrefillCycles(model, platform, 32);
    inBand(emu.cycles / ana.totalCycles, PREFILL_BAND, 'v80 prefill 32');
  });

  it('prefill of 32 tokens, v80-int4-250: the as-built attention is the known gap; without it, within the prefill band', () => {
    const platform = PLATFORM_PRESETS['v80-int4-250'];
    const emu = runPassTiming({ model, platform, phase: 'prefill', tokens: 32, history: 0 });
    const ana = analyticalPrefillCycles(model, platform, 32);
    // The gap: the as-built unit's attention work alone exceeds the whole analytical attention term many times over.
    expect(attentionBusy(emu)).toBeGreaterThan(10 * attentionTerm(ana));
    // Attention is serial in a layer (O waits for its output): take it out of both sides.
    inBand((emu.cycles - attentionBusy(emu)) / (ana.totalCycles - attentionTerm(ana)), PREFILL_BAND, 'v80-int4-250 prefill 32 without attention');
  });
});
