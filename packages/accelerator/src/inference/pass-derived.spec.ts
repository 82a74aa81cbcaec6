import { asBuiltAttentionCycles, resolveAttentionParams } from '@lut-llm/attention';
import { tinyQwen3Config } from '@lut-llm/model';
import { resolveSfuParams, sfuTokenCycles, type SfuOp } from '@lut-llm/sfu';
import { describe, expect, it } from 'vitest';
import { PLATFORM_PRESETS } from '../platform/index.js';
import { runPassTiming } from './run.js';

/**
 * Whole-model decode cycles of a tiny configuration, derived by hand from the stage cost models
 * and the HLS FIFO rule (core README, "FIFOs: the HLS/TAPA rule": a token is written at start +
 * latency; a slot freed by a read at t takes a write at t + 2; a blocked write freezes the
 * producer's pipeline). The stage cost models appear as named terms; which terms add and which
 * overlap is the derivation below, not the engine's.
 *
 * Configuration: tinyQwen3Config with one layer (hidden 256, intermediate 512, 4 query heads and
 * 2 KV heads of 64, vocab 512), co-quant, preset v80-int4-250 (250 MHz: 32 B per HBM channel per
 * cycle; centroids on 4 channels = 128 B/cycle; the KV cache on its 2 K + 2 V ports, one
 * interleaved group of 4 channels = 128 B/cycle that history reads and new K/V writes share
 * (inference/kv-channels.ts); HBM latency 64; as-built attention; KV chunks of 64 positions).
 *
 * LUTLinear terms (defaults of each stage, as in lut-linear/timing.spec): 2-dim sub-vectors, so
 * an op of D inputs has D / 2 positions = D / 32 blocks of 16 positions. Per block the centroid
 * loader reads 16 x 64 centroids x 2 x 4 B = 8192 B: 64 cycles on the centroid channels, readable
 * 64 later. The BPCSU takes a block 66 cycles (latency); the PSum bank holds 9 cycles and its sums
 * are readable 21 later; accumulator 4; dequantizer latency 7 (II 16 per 512 outputs); the output
 * writer streams 512 x 4 B = 2048 B at 64 B/cycle (II 32) and its token is readable 1 cycle after
 * it starts. The input splitter hands block 0 to the BPCSU 1 cycle after the vector arrives.
 *   TAIL = 66 + 9 + 21 + 4 + 7 + 1 = 108: last centroid tile readable -> the op's output readable.
 *
 * Why the centroid stream is the critical path here: the weight tiles (16 x (256 B indices +
 * 512 B INT4 table) = 12,288 B) take 12 cycles on 32 channels, the centroid tiles 64 on 4, so
 * every op waits for its centroid tiles. The ops' centroid loaders form one chain (one streaming
 * engine, DESIGN.md 1.3): op k's loader starts when op k - 1's last tile is readable (its `done`
 * token is written with that tile).
 */
const model = tinyQwen3Config({ layers: 1 });
const platform = PLATFORM_PRESETS['v80-int4-250'];
const H = model.hidden;
const TILE = 64; // centroid tile: 8192 B / 128 B per cycle
const LAT = 64; // HBM read latency
const TAIL = 66 + 9 + 21 + 4 + 7 + 1;
const sfu = resolveSfuParams({});
const lat = (op: SfuOp) => sfuTokenCycles(op, sfu, 1).latencyCycles;
const eps = model.rmsNormEps;
const rmsNorm = lat({ kind: 'rms-norm', width: H, eps }); // 88: 16 + 48 + 16 + 8 (one-pass)
const qNorm = lat({ kind: 'qk-norm', heads: model.heads, headDim: model.headDim, eps }); // 142: 3 x 26 + 4 + 48 + 4 + 8
const qRope = lat({ kind: 'rope', heads: model.heads, headDim: model.headDim, theta: model.ropeTheta }); // 26: 16 + 4 + 4 + 2
const residual = lat({ kind: 'residual-add', width: H }); // 20: 16 + 4
const swiglu = lat({ kind: 'swiglu', width: model.intermediate, silu: 'pwl9' }); // 45: 32 + 9 + 4
const attnParams = resolveAttentionParams({ implementation: 'as-built', shape: { heads: model.heads, kvHeads: model.kvHeads, headDim: model.headDim } } as never, 'attention');
const attention = (history: number) => asBuiltAttentionCycles(attnParams, { layer: 0, phase: 'decode', queryTokens: 1, queryStart: history }).cycles;
/** The centroid chain of an op of D inputs: D / 32 tiles of 64 cycles, the last readable 64 later. */
const chain = (D: number) => (D / 32) * TILE + LAT;

/**
 * Decode step at history h. Timeline (cycles from the start of the pass):
 * 1. QKV (256 -> 512, 8 blocks). Its centroid loader starts at 0: last tile readable at
 *    chain(256) = 576. Its input is early (embedding 8 + 64 = 72, attn-norm +88 = 160), so
 *    QKV's output is readable at 576 + TAIL = 684.
 * 2. q path (the longer of q and k): qk-norm + RoPE latencies: attention gets q at Q = 684 + 142 + 26 = 852.
 * 3. Attention (as built). h = 0: one firing of asBuilt(0) = 584 cycles: output at A = Q + 584.
 *    h = 64: the prefetcher reads the one 64-position chunk (64 x 2 x 2 x 64 x 4 B = 65,536 B) from
 *    cycle 0: 16 bursts of 4096 B (one per KV head, K or V), each dealt in 64 B beats over the 4
 *    channels, so 16,384 B per channel at 32 B/cycle: readable at K = 512 + 64 = 576 < Q + 1.
 *    The chunk firing starts when the q firing (1 cycle, at Q) is done and runs the rest of the
 *    job, asBuilt(64) - 1 cycles (the job costs asBuilt cycles in all, 1 of them spent on the q
 *    firing): A = max(Q + 1, K) + asBuilt(64) - 1 = Q + asBuilt(64).
 *    The layer's new K/V (1 position: 1024 B, 256 B per channel, 8 cycles) are written after the
 *    join at about Q, long after the read freed the channels at 512: no contention here.
 * 4. O (256 -> 256, 8 blocks). Its centroid loader starts when QKV's last tile is readable (576);
 *    tiles 0, 1 fill the 2-slot centroid FIFO (readable at 704, 768), tile 2 becomes readable at
 *    832 and finds the FIFO full: the loader's pipeline freezes with tiles 0..3 issued. The BPCSU
 *    reads tile 0 when the attention output reaches it, A + 1 (splitter); the freed slot takes
 *    tile 2 at A + 3, and the pipeline resumes: tiles 4..7 take 4 x 64 cycles, the last readable
 *    64 later. O's output: A + 3 + 256 + 64 + TAIL.
 * 5. residual add + ffn RMSNorm: gate/up's input at O + 20 + 88, long before its tiles (below).
 * 6. gate/up (256 -> 1024, 8 blocks, two 512-output groups). Loader starts at O's last tile
 *    (A + 3 + 256 + 64): last tile readable chain(256) later. Tail with two groups: BPCSU 66,
 *    PSum 9 + 21 and accumulator 4 bring the first group's last block to the dequantizer, +7 the
 *    writer starts group 0 (32 cycles), group 1 follows it (its dequantizer is done at +16 < +32):
 *    output readable at + 66 + 30 + 4 + 7 + 32 + 1.
 *    No freeze: block 0 is read at gate/up's input + 1, before tile 2 is readable.
 * 7. SwiGLU (+45): down's input, long before its tiles. down (512 -> 256, 16 blocks): loader starts
 *    at gate/up's last tile, last tile chain(512) later; output + TAIL.
 * 8. residual add + final RMSNorm (+20 + 88): the LM head's input, before its tiles. LM head
 *    (256 -> 512, 8 blocks): loader starts at down's last tile, last tile chain(256) later; the
 *    pass ends when its writer has stored the 2048 B of logits: + 66 + 30 + 4 + 7 + 32 (the
 *    logits' HBM write, 16 cycles on 4 output channels, starts at the writer's + 1 and ends first).
 */
function derivedDecodeCycles(history: number): { total: number; qkvOut: number; attentionOut: number; oOut: number; downLastTile: number } {
  const qkvOut = chain(256) + TAIL;
  const q = qkvOut + qNorm + qRope;
  const attentionOut = history === 0 ? q + attention(0) : Math.max(q + 1, (history * 2 * model.kvHeads * model.headDim * 4) / 128 + LAT) + attention(history) - 1;
  const oLastTile = attentionOut + 1 + 2 + 4 * TILE + LAT;
  const oOut = oLastTile + TAIL;
  const gateUpLastTile = oLastTile + chain(256);
  const downLastTile = gateUpLastTile + chain(512);
  const lmHeadLastTile = downLastTile + chain(256);
  const total = lmHeadLastTile + 66 + 30 + 4 + 7 + 32;
  // The conditions the derivation relies on: gate/up, down and the LM head get their input
  // before their loaders freeze, i.e. the BPCSU reads block 0 (input + 1) at least 2 cycles before
  // tile 2 is readable (loader start + 3 x 64 + 64), so every tile is written when it lands and
  // the op waits only for its last tile (blocks after 0 are read as their tiles land: the BPCSU
  // takes a block every 16 cycles, the tiles come every 64).
  const noFreeze = (input: number, loaderStart: number) => expect(input + 1 + 2).toBeLessThanOrEqual(loaderStart + 3 * TILE + LAT);
  noFreeze(oOut + residual + rmsNorm, oLastTile);
  noFreeze(gateUpLastTile + 66 + 30 + 4 + 7 + 32 + 1 + swiglu, gateUpLastTile);
  noFreeze(downLastTile + TAIL + residual + rmsNorm, downLastTile);
  return { total, qkvOut, attentionOut, oOut, downLastTile };
}

describe('whole-model decode of one tiny layer: cycles derived by hand', () => {
  it('the named terms have the values the comments derive', () => {
    expect([rmsNorm, qNorm, qRope, residual, swiglu]).toEqual([88, 142, 26, 20, 45]);
    expect([attention(0), attention(64)]).toEqual([584, 926]);
    expect([chain(256), chain(512), TAIL]).toEqual([576, 1088, 108]);
  });

  it('history 0: 576 + 108 + 142 + 26 + 584 + 3 + 256 + 64 + 576 + 1088 + 576 + 139 = 4138', () => {
    const d = derivedDecodeCycles(0);
    expect(d.total).toBe(576 + 108 + 142 + 26 + 584 + 3 + 256 + 64 + 576 + 1088 + 576 + 139);
    const r = runPassTiming({ model, platform, phase: 'decode', tokens: 1, history: 0 });
    expect(r.cycles).toBe(d.total);
    // The spans: layer 0 takes its input after the embedding read (8 + 64); the LM head's input
    // is down's output + residual + final norm.
    expect(r.embeddingCycles).toBe(8 + LAT);
    expect(r.embeddingCycles + r.layerCycles[0]!).toBe(d.downLastTile + TAIL + residual + rmsNorm);
    expect(r.lmHeadCycles).toBe(d.total - (d.downLastTile + TAIL + residual + rmsNorm));
  });

  it('history 64: the KV chunk (576) lands before q (852); the pass is 4138 + (926 - 584) = 4480', () => {
    const d = derivedDecodeCycles(64);
    expect(d.attentionOut).toBe(853 + 925);
    expect(d.total).toBe(4138 + (926 - 584));
    expect(d.total).toBe(4480);
    const r = runPassTiming({ model, platform, phase: 'decode', tokens: 1, history: 64 });
    expect(r.cycles).toBe(d.total);
    // The read (0 .. 512) and the write (after q) never overlap: no KV channel waits.
    const kv = r.resources.filter((x) => x.resource.startsWith('hbm.kv['));
    expect(kv.map((x) => x.resource)).toEqual(['hbm.kv[0]', 'hbm.kv[1]', 'hbm.kv[2]', 'hbm.kv[3]']);
    expect(kv.map((x) => x.unitsServed)).toEqual([16_640, 16_640, 16_640, 16_640]);
    expect(kv.reduce((s, x) => s + x.contentionCycles, 0)).toBe(0);
  });
});

/**
 * Prefill of 4 tokens at history 0 (same configuration). Differences from decode: the vectors are
 * 4 rows, so the SFU latencies are sfuTokenCycles(op, 4 rows) and the splitter, dequantizer and
 * writer stream 4x the bytes (writer II 4 x 32 = 128), the BPCSU and the PSum bank still take a
 * block in 66 and 9 + 21 cycles (block cycles max(T, 16) = 16; accumulator II T = 4, latency 4).
 * And every op's input now arrives AFTER its centroid loader has frozen: the loader starts at the
 * previous op's last tile, fills the 2-slot FIFO with tiles 0, 1, finds it full when tile 2 lands
 * (start + 3 x 64 + 64) and freezes with tiles 0..3 issued. When the op's input arrives at X, the
 * BPCSU reads tile 0 at X + 1, the freed slot takes tile 2 at X + 3, the pipeline resumes and the
 * remaining n - 4 tiles follow: the last is readable at X + 3 + (n - 4) x 64 + 64, and the op's
 * output TAIL (108; gate/up with two 512-output groups: 66 + 30 + 4 + 7 + 128 + 1 = 236) later.
 *   embedding: 4 x 1024 B / 128 = 32, + 64 = 96; attn-norm + 184 -> QKV input 280
 *   QKV out 280 + 3 + 256 + 64 + 108 = 711; q-norm + 454, RoPE + 74 -> attention's q at 1239
 *   attention (as built, 4 queries at position 0): + 1784 -> 3023
 *   O out 3023 + 3 + 256 + 64 + 108 = 3454; residual + 68, ffn-norm + 184 -> gate/up input 3706
 *   gate/up out 3706 + 3 + 256 + 64 + 236 = 4265; SwiGLU + 141 -> down input 4406
 *   down (16 blocks) out 4406 + 3 + 768 + 64 + 108 = 5349; residual + 68, final norm + 184 -> 5601
 *   LM head (the last token only: T = 1, writer II 32) ends 5601 + 3 + 256 + 64 + 66 + 30 + 4 + 7 + 32 = 6063.
 */
describe('whole-model prefill of 4 tokens through one tiny layer: cycles derived by hand', () => {
  const T = 4;
  const lat4 = (op: SfuOp) => sfuTokenCycles(op, sfu, T).latencyCycles;
  const rms4 = lat4({ kind: 'rms-norm', width: H, eps }); // 3 x 32 + 16 + 48 + 16 + 8 = 184
  const qNorm4 = lat4({ kind: 'qk-norm', heads: model.heads, headDim: model.headDim, eps }); // 15 x 26 + 4 + 48 + 4 + 8 = 454
  const qRope4 = lat4({ kind: 'rope', heads: model.heads, headDim: model.headDim, theta: model.ropeTheta }); // 64 + 10 = 74
  const residual4 = lat4({ kind: 'residual-add', width: H }); // 64 + 4 = 68
  const swiglu4 = lat4({ kind: 'swiglu', width: model.intermediate, silu: 'pwl9' }); // 128 + 13 = 141
  const attention4 = asBuiltAttentionCycles(attnParams, { layer: 0, phase: 'prefill', queryTokens: T, queryStart: 0 }).cycles;
  /** An op whose loader froze with 4 tiles issued before its input arrived at `input`: last tile readable. */
  const lastTile = (input: number, blocks: number) => input + 3 + (blocks - 4) * TILE + LAT;

  it('the named terms have the values the comment derives', () => {
    expect([rms4, qNorm4, qRope4, residual4, swiglu4, attention4]).toEqual([184, 454, 74, 68, 141, 1784]);
  });

  it('96 + 184 + (3 + 256 + 64 + 108) + 454 + 74 + 1784 + ... = 6063, and each loader froze before its input came', () => {
    const emb = (T * H * 4) / 128 + LAT;
    const qkvIn = emb + rms4;
    const qkvLast = lastTile(qkvIn, 8);
    const qkvOut = qkvLast + TAIL;
    const attnOut = qkvOut + qNorm4 + qRope4 + attention4;
    const oLast = lastTile(attnOut, 8);
    const oOut = oLast + TAIL;
    const guIn = oOut + residual4 + rms4;
    const guLast = lastTile(guIn, 8);
    const guOut = guLast + 66 + 30 + 4 + 7 + T * 32 + 1;
    const downIn = guOut + swiglu4;
    const downLast = lastTile(downIn, 16);
    const lmIn = downLast + TAIL + residual4 + rms4;
    const total = lastTile(lmIn, 8) + 66 + 30 + 4 + 7 + 32;
    expect([qkvIn, qkvOut, attnOut, oOut, guIn, guOut, downIn, lmIn, total]).toEqual([280, 711, 3023, 3454, 3706, 4265, 4406, 5601, 6063]);
    // The freeze premise: each loader (started at the previous op's last tile, the first at 0)
    // had tile 2 land (start + 256) before the op read tile 0 (input + 1).
    const starts = [0, qkvLast, oLast, guLast, downLast];
    const inputs = [qkvIn, attnOut, guIn, downIn, lmIn];
    starts.forEach((s, k) => expect(s + 3 * TILE + LAT).toBeLessThanOrEqual(inputs[k]! + 1));
    const r = runPassTiming({ model, platform, phase: 'prefill', tokens: T, history: 0 });
    expect(r.cycles).toBe(total);
    expect(r.embeddingCycles).toBe(emb);
    expect(r.embeddingCycles + r.layerCycles[0]!).toBe(lmIn);
  });
});
