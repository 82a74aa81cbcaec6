import { describe, expect, it } from 'vitest';
import { QWEN3_CONFIGS, tinyQwen3Config } from '@lut-llm/model';
import { loadPlatformConfig } from '../platform/load.js';
import { V80_250MHZ, V80_PLATFORM } from '../platform/presets.js';
import { analyticalDecodeCycles, analyticalLatency, analyticalPrefillCycles, type AnalyticalBreakdown, type AnalyticalOpName } from './analytical.js';
import { formatAnalyticalBreakdown, formatComparison } from './format.js';
import { gpuRoofline } from './gpu-roofline.js';
import { A100_80GB_SXM, MI210 } from './gpu-specs.js';
import { analyticalParams, LUT_LLM_ANALYTICAL_DEFAULTS } from './lut-llm-params.js';
import { chunkedHistoryReads } from './workload.js';

const QWEN3_1_7B = QWEN3_CONFIGS['Qwen3-1.7B'];

function opOf(b: AnalyticalBreakdown, name: AnalyticalOpName) {
  const o = b.ops.find((x) => x.name === name);
  if (o === undefined) throw new Error(`no op ${name}`);
  return o;
}

describe('analyticalDecodeCycles: Qwen3-1.7B on the V80 at 227 MHz', () => {
  const b = analyticalDecodeCycles(QWEN3_1_7B, V80_PLATFORM, 256);

  it('qkv: streaming 10 MiB of indices + tables over 1024 B/cycle (hand computed)', () => {
    // qkv is 2048 -> 4096: P = 2048 / 2 = 1024 positions, 4096 / 512 = 8 groups.
    // indices: 1024 positions x 4096 outputs x 4 bits / 8 = 2,097,152 B
    // tables:  1024 x 8 groups x (64 x 16 entries x 1 B)  = 8,388,608 B
    // weight stream: 10,485,760 B / (32 channels x 32 B) = 10,240 cycles
    // centroids: 1024 x 64 x 2 x 4 B = 524,288 B / (4 x 32 B) = 4,096 cycles
    // scales: 8 groups x 8 B = 64 B / 32 B = 2 cycles
    // centroid search: 1024 / 16 BPCSUs = 64 cycles; look-ups: (1024 / 16) x (4096 / 512) = 512 cycles
    // -> max = 10,240 (weight stream) + 64 cycles HBM read latency = 10,304 cycles per layer.
    const qkv = opOf(b, 'qkv');
    expect(qkv.terms).toEqual({ weightStream: 10_240, centroidStream: 4_096, scaleStream: 2, centroidSearch: 64, lookup: 512 });
    expect(qkv.bound).toBe('weightStream');
    expect(qkv.fillCycles).toBe(64);
    expect(qkv.cyclesPerInstance).toBe(10_304);
    expect(qkv.instances).toBe(28);
    expect(qkv.totalCycles).toBe(10_304 * 28);
  });

  it('attention: FP32 KV history over the 2 K + 2 V channels, partly hidden under QKV, the new K/V written over the same channels (hand computed)', () => {
    // history 255 positions x (2 x 8 x 128) x 4 B = 2,088,960 B / (4 x 32 B) per cycle = 16,320
    // cycles; 10,304 of them hide under the QKV round -> 6,016 exposed; the new K/V, 8,192 B / 128
    // = 64 cycles on the same channels -> kvExposed 6,080.
    // compute: 16 x 128 x 256 MACs / 256 per cycle = 2,048.
    const att = opOf(b, 'attention');
    expect(att.terms).toEqual({ compute: 2_048, kvExposed: 6_016 + 64 });
    expect(att.details['kvReadCycles']).toBe(16_320);
    expect(att.details['kvWriteCycles']).toBe(64);
    expect(att.details['hiddenUnderQkv']).toBe(10_304);
    expect(att.cyclesPerInstance).toBe(6_080);
  });

  it('the LM head streams 297 groups (151936 / 512 rounded up)', () => {
    // indices 1024 x 151936 / 2 = 77,791,232 B; tables 1024 x 297 x 1024 = 311,427,072 B
    // -> 389,218,304 B / 1024 = 380,096 cycles + 64
    const lm = opOf(b, 'lm_head');
    expect(lm.terms['weightStream']).toBe(380_096);
    expect(lm.terms['logitsWrite']).toBe((151_936 * 4) / 128);
    expect(lm.cyclesPerInstance).toBe(380_160);
  });

  it('the whole decode step at context 256 (hand summed)', () => {
    // embedding 2048 x 4 B / 128 + 64 = 128; qkv 10,304 x 28; attention 6,080 x 28 (above);
    // o (1024 x 2048 / 2 + 1024 x 4 x 1024 = 5 MiB -> 5,120 + 64) x 28; gate_up (30 MiB -> 30,720 + 64) x 28;
    // down (P = 3072: 3 MiB + 12 MiB -> 15,360 + 64) x 28; SFU 27,648 elements / 16 = 1,728 x 28;
    // final norm 4096 / 16 = 256; LM head 380,160.
    const expected = 128 + 10_304 * 28 + 6_080 * 28 + 5_184 * 28 + 30_784 * 28 + 15_424 * 28 + 1_728 * 28 + 256 + 380_160;
    expect(expected).toBe(2_326_656);
    expect(b.totalCycles).toBe(expected);
    expect(b.seconds).toBe(2_326_656 / 227e6);
    expect(b.ops.reduce((s, o) => s + o.totalCycles, 0)).toBe(b.totalCycles);
    expect(formatAnalyticalBreakdown(b)).toContain('2326656 cycles');
  });

  it('is decode-bound by the weight channels: halving them doubles the weight stream of every projection', () => {
    const half = analyticalDecodeCycles(QWEN3_1_7B, loadPlatformConfig({ preset: 'v80', hbm: { channels: { weights: 16 } } }), 256);
    for (const name of ['qkv', 'o', 'gate_up', 'down'] as const) {
      expect(opOf(half, name).terms['weightStream']).toBe(2 * opOf(b, name).terms['weightStream']!);
    }
  });

  it('the clock changes seconds, not cycles', () => {
    const fast = analyticalDecodeCycles(QWEN3_1_7B, V80_250MHZ, 256);
    expect(fast.totalCycles).toBe(b.totalCycles);
    expect(fast.seconds).toBeCloseTo((b.seconds * 227) / 250, 12);
  });

  it('INT4 tables halve the table bytes: qkv tables 8 MiB -> 4 MiB, stream (2 + 4) MiB / 1024 B = 6,144 cycles', () => {
    const int4 = analyticalDecodeCycles(QWEN3_1_7B, loadPlatformConfig({ preset: 'v80', vq: { lutBits: 4 } }), 256);
    expect(opOf(int4, 'qkv').terms['weightStream']).toBe(6_144);
  });

  it('reads stage overrides and rejects bad contexts', () => {
    // The emulator's own key: 8 position lanes = 8 BPCSUs and 8 matchers.
    const cfg = loadPlatformConfig({ preset: 'v80', stages: { 'lut-linear': { positionLanes: 8 } } });
    expect(analyticalParams(cfg)).toEqual({ ...LUT_LLM_ANALYTICAL_DEFAULTS, bpcsus: 8, matchers: 8 });
    expect(opOf(analyticalDecodeCycles(QWEN3_1_7B, cfg, 256), 'qkv').terms['lookup']).toBe(1024);
    expect(() => analyticalDecodeCycles(QWEN3_1_7B, V80_PLATFORM, 0)).toThrow(/context must be an integer >= 1/);
  });
});

describe('analyticalPrefillCycles', () => {
  it('128 tokens: each projection is look-up bound (qkv 128 x 512 = 65,536 + 64)', () => {
    const b = analyticalPrefillCycles(QWEN3_1_7B, V80_PLATFORM, 128);
    const qkv = opOf(b, 'qkv');
    expect(qkv.bound).toBe('lookup');
    expect(qkv.cyclesPerInstance).toBe(65_600);
    // The LM head runs once, for the last token.
    expect(opOf(b, 'lm_head').cyclesPerInstance).toBe(380_160);
  });

  it('longer prompts stream the tables once per 128-token chunk', () => {
    const b = analyticalPrefillCycles(QWEN3_1_7B, V80_PLATFORM, 256);
    expect(opOf(b, 'qkv').terms['weightStream']).toBe(2 * 10_240);
    expect(opOf(b, 'qkv').terms['lookup']).toBe(256 * 512);
    // chunk 2 reads the 128 positions of chunk 1 from HBM
    expect(opOf(b, 'attention').details['historyPositions']).toBe(128);
  });

  it('chunked history reads', () => {
    expect(chunkedHistoryReads(1, 128, 256)).toBe(255);
    expect(chunkedHistoryReads(128, 128, 128)).toBe(0);
    expect(chunkedHistoryReads(300, 128, 300)).toBe(0 + 128 + 256);
  });

  it('a small Qwen3-shaped config is centroid-bound in prefill (hand computed)', () => {
    // tiny: hidden 256, q 4 x 64 + k, v 2 x 64 -> qkv 256 -> 512: P = 128 positions, 1 group.
    // weights: 128 x 512 / 2 B indices + 128 x 1 x 1024 B tables = 163,840 B / 1024 = 160 cycles
    // centroids: 128 x 64 x 2 x 4 B = 65,536 B / 128 = 512 cycles (the bound: 4 channels only)
    // look-ups: 8 tokens x 128 / 16 x 1 group = 64 cycles; + 64 read latency -> 576 per layer.
    // down (512 -> 256): P = 256 -> centroids 1024 cycles + 64 = 1088.
    const tiny = tinyQwen3Config();
    const b = analyticalPrefillCycles(tiny, V80_PLATFORM, 8);
    const qkv = opOf(b, 'qkv');
    expect([qkv.terms['weightStream'], qkv.terms['centroidStream'], qkv.terms['lookup']]).toEqual([160, 512, 64]);
    expect(qkv.bound).toBe('centroidStream');
    expect(qkv.cyclesPerInstance).toBe(576);
    expect(qkv.instances).toBe(tiny.layers);
    expect(opOf(b, 'down').cyclesPerInstance).toBe(1088);
    expect(b.ops.reduce((s, o) => s + o.totalCycles, 0)).toBe(b.totalCycles);
  });
});

describe('analyticalLatency and the comparison table', () => {
  it('TTFT is the prefill; decode steps grow the context; energy at 190 W', () => {
    const est = analyticalLatency(QWEN3_1_7B, V80_PLATFORM, { promptTokens: 128, outputTokens: 3 });
    expect(est.ttftSeconds).toBe(analyticalPrefillCycles(QWEN3_1_7B, V80_PLATFORM, 128).seconds);
    const d1 = analyticalDecodeCycles(QWEN3_1_7B, V80_PLATFORM, 129).seconds;
    const d2 = analyticalDecodeCycles(QWEN3_1_7B, V80_PLATFORM, 130).seconds;
    expect(est.decodeSecondsPerToken).toBeCloseTo((d1 + d2) / 2, 15);
    expect(est.endToEndSeconds).toBeCloseTo(est.ttftSeconds + d1 + d2, 15);
    expect(est.energyPerTokenJoules).toBeCloseTo((190 * est.endToEndSeconds) / 3, 12);
  });

  it('formatComparison prints one row per system with the units in the header', () => {
    const req = { promptTokens: 128, outputTokens: 16 };
    const text = formatComparison([
      analyticalLatency(QWEN3_1_7B, V80_PLATFORM, req),
      gpuRoofline(A100_80GB_SXM, QWEN3_1_7B, req),
      gpuRoofline(MI210, QWEN3_1_7B, req),
    ]);
    const [header] = text.split('\n');
    expect(header).toMatch(/system +method +TTFT ms +decode ms\/token +tokens\/s +tokens\/J/);
    expect(text).toContain('AMD Alveo V80 @ 227 MHz (LUT-LLM)');
    expect(text).toContain('NVIDIA A100 80GB SXM');
    expect(text).toContain('AMD Instinct MI210');
    expect(text).toContain('UPPER bound on GPU performance');
  });
});
