import { QWEN3_CONFIGS, qWidth, kvWidth, type Qwen3Config } from '@lut-llm/model';
import { describe, expect, it } from 'vitest';
import { V80_PLATFORM, loadPlatformConfig } from '../platform/index.js';
import { runPassTiming, runInference } from './run.js';

const model: Qwen3Config = QWEN3_CONFIGS['Qwen3-0.6B'];
const decode = { model, platform: V80_PLATFORM, tokens: 1, history: 100, phase: 'decode' as const, layers: 2 };

/** Bytes a co-quantized D -> M op streams over the weight channels: 4-bit indices + INT8 1 KiB tables. */
function coQuantBytes(D: number, M: number): number {
  const P = D / 2;
  return P * (M / 2) + P * Math.ceil(M / 512) * 64 * 16;
}

describe('whole-model pass graph (timing)', () => {
  const step = runPassTiming(decode);

  it('streams exactly the indices and tables of every op once per decode step', () => {
    const H = model.hidden;
    const perLayer = coQuantBytes(H, qWidth(model) + 2 * kvWidth(model)) + coQuantBytes(qWidth(model), H) + coQuantBytes(H, 2 * model.intermediate) + coQuantBytes(model.intermediate, H);
    expect(step.weightBytes).toBe(2 * perLayer + coQuantBytes(H, model.vocab));
  });

  it('is bound by the weight channels in decode, which run near their peak', () => {
    expect(step.bottleneck.name).toBe('hbm.weights');
    // Not quite the peak: with the reference design's stream depths (2 weight tiles, 16 index
    // tiles; core's HLS FIFOs) a weight loader cannot run more than two tiles ahead of its
    // matcher, so the channels idle while an op waits for its input (the O projection's weights
    // wait for attention: ~9k of ~256k cycles here). The old 2 + latency depths hid that (> 0.9).
    expect(step.weightGBps / step.weightPeakGBps).toBeGreaterThan(0.85);
    // Lower bound: the weight bytes at 32 x 32 B per cycle.
    expect(step.cycles).toBeGreaterThanOrEqual(Math.ceil(step.weightBytes / 1024));
  });

  it('reports each layer and the LM head: the spans partition the pass', () => {
    expect(step.layerCycles).toHaveLength(2);
    expect(step.embeddingCycles + step.layerCycles[0]! + step.layerCycles[1]! + step.lmHeadCycles).toBe(step.cycles);
    // A layer streams its four ops' indices and tables at 32 x 32 B per cycle at best.
    const H = model.hidden;
    const layerBytes = coQuantBytes(H, qWidth(model) + 2 * kvWidth(model)) + coQuantBytes(qWidth(model), H) + coQuantBytes(H, 2 * model.intermediate) + coQuantBytes(model.intermediate, H);
    for (const c of step.layerCycles) expect(c).toBeGreaterThanOrEqual(Math.ceil(layerBytes / 1024));
    // The LM head streams 1024 x 151936 / 2... bytes: at least its bytes over the weight channels.
    expect(step.lmHeadCycles).toBeGreaterThanOrEqual(Math.ceil(coQuantBytes(H, model.vocab) / 1024));
  });

  it('applies the HBM efficiency to every stream: 32 B per channel at 250 MHz, 29 at 400 MHz (12.8 GB/s x 425/460)', () => {
    const at = (clockMhz: number) => runPassTiming({ ...decode, layers: 1, platform: loadPlatformConfig({ clockMhz }) }).resources;
    const unitsPerCycle = (rs: ReturnType<typeof at>, name: string) => rs.find((r) => r.resource === name)!.unitsPerCycle;
    const slow = at(250);
    const fast = at(400);
    // The KV channels are one group of separate channels (hbm.kv[0..3]), each 32 or 29 B/cycle.
    for (const [name, channels] of [['hbm.weights', 32], ['hbm.kv[0]', 1], ['hbm.centroids', 4], ['hbm.input', 4]] as const) {
      expect(unitsPerCycle(slow, name)).toBe(channels * 32);
      expect(unitsPerCycle(fast, name)).toBe(channels * 29);
    }
  });

  it('halving the weight channels nearly doubles the step; the bottleneck stays the channels', () => {
    const half = runPassTiming({ ...decode, platform: loadPlatformConfig({ preset: 'v80', hbm: { channels: { weights: 16 } } }) });
    expect(half.bottleneck.name).toBe('hbm.weights');
    // Doubling the bytes-per-channel time doubles everything but the exposed waits above.
    expect(half.cycles / step.cycles).toBeGreaterThan(1.8);
    expect(half.cycles / step.cycles).toBeLessThan(2.05);
  });

  it('prefetch hides part of a long KV history; the rest leaves the step bound by the KV channels', () => {
    const long = { ...decode, history: 4000 };
    const on = runPassTiming(long);
    const off = runPassTiming({ ...long, prefetch: false });
    // Without prefetch a layer's history read starts after its QKV projection; with it, the
    // read starts as soon as the 4-chunk buffer has room, so the gain is at most what the buffer
    // and the preceding weight streams can cover, far less than a whole read (4000 positions x
    // 2 x 8 heads x 128 x 4 B over the 2 K + 2 V channels, 4 x 32 B/cycle).
    const kvReadCycles = (4000 * 2 * model.kvHeads * model.headDim * 4) / 128;
    expect(off.cycles).toBeGreaterThan(on.cycles);
    expect(off.cycles - on.cycles).toBeLessThan(kvReadCycles);
    expect(on.bottleneck.name).toMatch(/^hbm\.kv\[[0-3]\]$/);
  });

  it('is deterministic', () => {
    const again = runPassTiming(decode);
    expect(again.cycles).toBe(step.cycles);
    expect(again.summary).toEqual(step.summary);
  });

  it('a prefill chunk is bound by look-ups, not HBM (tables are reused for every token)', () => {
    // A small vocabulary keeps the LM head (one token, HBM-bound) from dominating two layers.
    const small = { ...decode, model: { ...model, vocab: 512 } };
    const pre = runPassTiming({ ...small, phase: 'prefill', tokens: 32, history: 0 });
    const dec = runPassTiming(small);
    // A tile's look-ups take T = 32 cycles per matcher, its 20 KiB of tables and indices 20.
    expect(pre.bottleneck.name).toMatch(/^lut-linear\//);
    expect(dec.bottleneck.name).toBe('hbm.weights');
    expect(pre.weightBytes).toBe(dec.weightBytes); // streamed once for all 32 tokens
  });

  it('rejects platform settings it would otherwise ignore', () => {
    const bad = (stages: object, extra: object = {}) => runPassTiming({ ...decode, platform: loadPlatformConfig({ stages, ...extra }) });
    expect(() => bad({ 'lut-linar': { positionLanes: 32 } })).toThrow(/platform.stages\["lut-linar"\]: unknown stage/);
    expect(() => bad({ 'lut-linear': { prefillChunkTokenz: 64 } })).toThrow(/platform.stages\["lut-linear"\].prefillChunkTokenz: unknown parameter/);
    expect(() => bad({ 'lut-linear': { positionLanes: '32' } })).toThrow(/platform.stages\["lut-linear"\].positionLanes: expected an integer >= 1, got "32"/);
    expect(() => bad({}, { fifoDepthOverrides: { bogus: 3 } })).toThrow(/platform.fifoDepthOverrides\["bogus"\]: no FIFO of that name/);
    // A real LUTLinear stream name is accepted and changes the result (on the same preset as
    // `decode`: depth 1 passes a weight tile every 2 cycles at best, so tiles whose HBM read ends
    // back to back wait on the registered full flag).
    const shallow = runPassTiming({ ...decode, platform: loadPlatformConfig({ preset: 'v80', fifoDepthOverrides: { 'weight-tiles': 1 } }) });
    expect(shallow.cycles).toBeGreaterThan(step.cycles);
  });

  it('rejects bad passes with the culprit named', () => {
    expect(() => runPassTiming({ ...decode, variant: 'int4' as never })).toThrow(/variant must be one of co-quant, weight-only, activation-only, got 'int4'/);
    expect(() => runPassTiming({ ...decode, prefetch: 'no' as never })).toThrow(/prefetch must be true or false, got "no"/);
    expect(() => runPassTiming({ ...decode, layers: 0 })).toThrow(/layers must be an integer in 1..28, got 0/);
    expect(() => runPassTiming({ ...decode, model: { ...model, layers: 2.5 } })).toThrow(/layers/);
    expect(() => runPassTiming({ ...decode, tokens: 0 })).toThrow(/tokens must be an integer >= 1, got 0/);
    expect(() => runPassTiming({ ...decode, layers: 99 })).toThrow(/layers must be an integer in 1..28, got 99/);
    expect(() => runPassTiming({ ...decode, history: 40960 })).toThrow(/exceed the model's 40960/);
  });
});

describe('runInference', () => {
  it('adds prefill and interpolated decode steps into TTFT, latency, throughput and energy', () => {
    const r = runInference({ model, layers: 1, promptTokens: 16, outputTokens: 9, decodeSamples: 2 });
    expect(r.prefill).toHaveLength(1);
    expect(r.decodeSamples.map((s) => s.history)).toEqual([16, 23]);
    expect(r.decodeCycles).toHaveLength(8);
    // The interpolated steps lie between the emulated ends, and the ends are exact.
    expect(r.decodeCycles[0]).toBe(r.decodeSamples[0]!.cycles);
    expect(r.decodeCycles[7]).toBe(r.decodeSamples[1]!.cycles);
    const mhz = r.clockMhz;
    expect(r.ttftMs).toBeCloseTo(r.prefill[0]!.cycles / (mhz * 1e3), 9);
    const total = r.prefill[0]!.cycles + r.decodeCycles.reduce((a, b) => a + b, 0);
    expect(r.e2eMs).toBeCloseTo(total / (mhz * 1e3), 9);
    expect(r.tokensPerSecond).toBeCloseTo(9 / (r.e2eMs / 1e3), 6);
    expect(r.decodeJoulesPerToken).toBeCloseTo((190 * r.decodeMsPerToken) / 1e3, 9);
  });

  it('refuses a request beyond the public build\'s limits by name, and emulates it as a what-if when asked', () => {
    // default platform: v80-int4-250, MAX_SEQ_LEN 128, MAX_KV_LEN 256
    expect(() => runInference({ model, layers: 1, promptTokens: 129, outputTokens: 2 })).toThrow(/a prompt of 129 tokens exceeds MAX_SEQ_LEN = 128 .*Refused.*--beyond-built-limits/);
    // 128 + 130 - 1 = 257 positions of K/V > 256
    expect(() => runInference({ model, layers: 1, promptTokens: 128, outputTokens: 130 })).toThrow(/hold 257 positions of K\/V, more than MAX_KV_LEN = 256/);
    expect(() => runInference({ model, layers: 1, promptTokens: 64, outputTokens: 2, prefillChunkTokens: 32 })).toThrow(/chunks of 32 tokens/);
    const r = runInference({ model, layers: 1, promptTokens: 129, outputTokens: 2, beyondBuiltLimits: true });
    expect(r.beyondBuiltLimits).toEqual(['a prompt of 129 tokens exceeds MAX_SEQ_LEN = 128 (tokens per prefill call of the built design)']);
    // 128 + 129 - 1 = 256 positions: within the limits
    expect(runInference({ model, layers: 1, promptTokens: 128, outputTokens: 129, decodeSamples: 2 }).beyondBuiltLimits).toEqual([]);
    // the idealised preset has no limits
    expect(runInference({ model, layers: 1, platform: V80_PLATFORM, promptTokens: 129, outputTokens: 2 }).beyondBuiltLimits).toEqual([]);
  });

  it('reports per-layer cycles over the request: prefill sums the passes, decode averages the emulated steps', () => {
    const r = runInference({ model, layers: 2, platform: V80_PLATFORM, promptTokens: 16, outputTokens: 4, decodeSamples: 2 });
    expect(r.prefillLayerCycles).toEqual(r.prefill[0]!.layerCycles);
    expect(r.prefillLmHeadCycles).toBe(r.prefill[0]!.lmHeadCycles);
    expect(r.decodeLayerCycles).toEqual([0, 1].map((l) => (r.decodeSamples[0]!.layerCycles[l]! + r.decodeSamples[1]!.layerCycles[l]!) / 2));
    expect(r.decodeLmHeadCycles).toBe((r.decodeSamples[0]!.lmHeadCycles + r.decodeSamples[1]!.lmHeadCycles) / 2);
  });

  it('rejects decodeSamples of 1 and a request longer than the model', () => {
    expect(() => runInference({ model, layers: 1, promptTokens: 4, outputTokens: 4, decodeSamples: 1 })).toThrow(/decodeSamples must be 'all' or an integer >= 2, got 1/);
    expect(() => runInference({ model, promptTokens: 40000, outputTokens: 1000 })).toThrow(/exceeds the model's 40960 positions/);
  });
});
