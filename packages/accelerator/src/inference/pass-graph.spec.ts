import { attentionJobCycles, resolveAttentionParams } from '@lut-llm/attention';
import { QWEN3_CONFIGS, qWidth, kvWidth, type Qwen3Config } from '@lut-llm/model';
import { resolveSfuParams, sfuTokenCycles } from '@lut-llm/sfu';
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

/**
 * Where the weight channels idle in the decode step above (Qwen3-0.6B, 2 layers, history 100, V80
 * at 227 MHz: 32 weight channels x 32 B = 1024 B/cycle; VQ v 2, cA 64, cW 16, 8-bit tables), as
 * a band [lo, hi] of idle cycles derived from the structure, not measured. The cycles are
 * W + idle, W = the weight bytes / 1024 (the channels' busy time).
 *
 * Terms (stage defaults, as in pass-derived.spec): an op of D inputs has D / 32 blocks of 16
 * positions; per block the centroid loader reads 16 x 64 x 2 x 4 B = 8192 B on 4 x 32 B/cycle =
 * 64 cycles; a weight tile (one block x one 512-output group) is 16 x (256 B indices + 64 x 16 B
 * table) = 20,480 B = 20 cycles. HBM read latency 64. An op's output tail after its last weight
 * tile: BPCSU 66 + PSum 9 + 21 + accumulator 4 + dequantizer 7 + writer 32 per group (512 x 4 B
 * at 64 B/cycle) + 1. The weight loaders form one chain (one streaming engine): op k's loader
 * starts when op k - 1's last tile is readable, and runs at most 6 tiles ahead of its matcher
 * (2-slot FIFO + 4 issued in the frozen pipeline). The prefetcher reads layer l's KV history
 * (100 x 2 x 8 x 128 x 4 B = 819,200 B on 2 x 32 B/cycle = 12,800 cycles) from cycle 0, layer by
 * layer; its 4-chunk buffer holds both layers' 2 chunks. Attention: pipelined (the V80 default).
 *
 * Certain idle (lo):
 *  - the logits write (151,936 x 4 B on 4 x 32 B/cycle) follows the LM head's last weight tile;
 *  - layer 0's O projection waits for attention, which needs layer 0's whole history (readable
 *    at 12,800 + 64); until then the channels can serve only QKV0 and O0's 6 run-ahead tiles;
 *  - down (3072 inputs, 96 blocks) and O (2048 inputs, 64 blocks) are centroid-bound: 2 x 20 = 40 weight cycles per 64-cycle
 *    centroid tile; beyond the centroid loader's own 6-tile run-ahead, 24 idle cycles a block.
 * Bounded idle (hi), each term an upper bound on one cause:
 *  - the first op waits for its input: embedding (1024 x 4 B / 128 + 64) + RMSNorm + BPCSU;
 *  - 8 hand-overs between ops: at most 2 x 64 (the last tile's latency, the first tile's);
 *  - an op whose input is the previous op's output (+ residual and RMSNorm, or SwiGLU) waits at
 *    most that chain: tail + SFU latencies + BPCSU;
 *  - O0 waits at most until layer 0's history is readable + attention + BPCSU, less QKV0's 5120;
 *  - O1 waits at most QKV1's tail + q-norm + RoPE + attention + BPCSU (its KV is in the buffer by
 *    25,664, long before QKV1 ends);
 *  - centroid-bound O and down: 24 a block, all blocks;
 *  - each op's last block sends its groups through the writer at 32 cycles against 20-cycle
 *    tiles: at most 12 a group;
 *  - after the LM head's last tile: its tail, a read latency, and the logits write.
 */
function decodeIdleBand(): { lo: number; hi: number } {
  const H = model.hidden;
  const blocks = (D: number) => D / 32;
  const groups = (M: number) => Math.ceil(M / 512);
  const CENTROID_TILE = (16 * 64 * 2 * 4) / (4 * 32);
  const WEIGHT_TILE = (16 * (512 / 2 + 64 * 16)) / 1024;
  const LAT = 64;
  const BPCSU = 66;
  const tail = (g: number) => 66 + 9 + 21 + 4 + 7 + 32 * g + 1;
  const sfu = resolveSfuParams({});
  const lat = (op: Parameters<typeof sfuTokenCycles>[0]) => sfuTokenCycles(op, sfu, 1).latencyCycles;
  const eps = model.rmsNormEps;
  const rmsNorm = lat({ kind: 'rms-norm', width: H, eps });
  const residual = lat({ kind: 'residual-add', width: H });
  const swiglu = lat({ kind: 'swiglu', width: model.intermediate, silu: 'pwl9' });
  const qNorm = lat({ kind: 'qk-norm', heads: model.heads, headDim: model.headDim, eps });
  const rope = lat({ kind: 'rope', heads: model.heads, headDim: model.headDim, theta: model.ropeTheta });
  const attnParams = resolveAttentionParams({ shape: { heads: model.heads, kvHeads: model.kvHeads, headDim: model.headDim } } as never, 'attention');
  const attention = attentionJobCycles(attnParams, { layer: 0, phase: 'decode', queryTokens: 1, queryStart: decode.history });
  const kvReadable = (decode.history * 2 * model.kvHeads * model.headDim * 4) / (2 * 32) + LAT;
  const logitsWrite = (model.vocab * 4) / (4 * 32);
  const qkvGroups = groups(qWidth(model) + 2 * kvWidth(model));
  const qkvWeightCycles = blocks(H) * qkvGroups * WEIGHT_TILE;
  const excess = CENTROID_TILE - 2 * WEIGHT_TILE; // O and down: 2 groups (1024 outputs)
  const lo = logitsWrite + (kvReadable - qkvWeightCycles - 6 * WEIGHT_TILE) + 2 * (blocks(model.intermediate) - 6) * excess + 2 * (blocks(qWidth(model)) - 6) * excess;
  const normChain = (prevGroups: number) => tail(prevGroups) + residual + rmsNorm + BPCSU;
  const waits = 2 * normChain(2) /* gate_up after O */ + 2 * (tail(groups(2 * model.intermediate)) + swiglu + BPCSU) /* down */ + 2 * normChain(2) /* QKV1, LM head after down */;
  const oWaits = kvReadable + attention + BPCSU - qkvWeightCycles + (tail(qkvGroups) + qNorm + rope + attention + BPCSU);
  const drain = 12 * (groups(model.vocab) + 2 * (qkvGroups + 2 + groups(2 * model.intermediate) + 2));
  const hi =
    (H * 4) / 128 + LAT + rmsNorm + BPCSU + 8 * 2 * LAT + waits + oWaits + 2 * (blocks(model.intermediate) + blocks(qWidth(model))) * excess + drain + tail(1) + LAT + logitsWrite;
  // The terms the comment names, so a change of a stage default shows here first.
  expect([CENTROID_TILE, WEIGHT_TILE, kvReadable, logitsWrite, qkvWeightCycles, excess]).toEqual([64, 20, 12_864, 4748, 5120, 24]);
  expect([rmsNorm, residual, swiglu, qNorm, rope, attention]).toEqual([184, 68, 205, 492, 140, 948]);
  return { lo, hi };
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
    // Not quite the peak: a weight loader runs only a few tiles ahead of its matcher, so the
    // channels idle while an op waits for its input (layer 0's O projection waits for its KV
    // history), while O and down are centroid-bound, and during the logits write. The idle
    // cycles lie in the band derived in decodeIdleBand (above); so does the utilisation W / (W + idle).
    const W = step.weightBytes / 1024;
    const { lo, hi } = decodeIdleBand();
    expect([lo, hi]).toEqual([19_476, 32_396]);
    expect(step.cycles - W).toBeGreaterThanOrEqual(lo);
    expect(step.cycles - W).toBeLessThanOrEqual(hi);
    expect(step.weightGBps / step.weightPeakGBps).toBeCloseTo(W / step.cycles, 9);
    expect(step.weightGBps / step.weightPeakGBps).toBeGreaterThanOrEqual(W / (W + hi)); // 0.876
    expect(step.weightGBps / step.weightPeakGBps).toBeLessThanOrEqual(W / (W + lo)); // 0.921
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
    // Halving the channels doubles the busy time W; the idle cycles (waits for inputs, the
    // centroid-bound excess, the logits write) are fixed chains that a slower weight stream can
    // only hide more of: 0 <= idle(half) <= idle(full). With u = W / (W + idle) the ratio
    // (2 W + idle(half)) / (W + idle) therefore lies in [2 u, 1 + u] (about [1.78, 1.89]).
    const W = step.weightBytes / 1024;
    const u = W / step.cycles;
    expect(half.cycles - 2 * W).toBeGreaterThanOrEqual(0);
    expect(half.cycles - 2 * W).toBeLessThanOrEqual(step.cycles - W);
    expect(half.cycles / step.cycles).toBeGreaterThanOrEqual(2 * u);
    expect(half.cycles / step.cycles).toBeLessThanOrEqual(1 + u);
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
