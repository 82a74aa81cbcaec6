import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GPU_BASELINES,
  V80_INT4_250,
  compareAttentionUnits,
  compareLutLinearVariants,
  formatNumber,
  gpuRoofline,
  lutLinearOptionsFor,
  runInference,
  type InferenceReport,
} from '@lut-llm/accelerator';
import { QWEN3_CONFIGS, tinyQwen3Config } from '@lut-llm/model';
import { SILU_PWL9_MAX_ABS_ERROR } from '@lut-llm/sfu';
import { runCli } from './cli.js';
import { PWL9_MAX_ABS_ERROR } from './functional.js';
import { bufferIo } from './progress.js';

const dir = mkdtempSync(join(tmpdir(), 'lut-llm-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const io = bufferIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** The line of `text` that starts (after indentation) with `label`. */
function lineOf(text: string, label: string): string {
  const l = text.split('\n').find((x) => x.trimStart().startsWith(label));
  if (l === undefined) throw new Error(`no line starting with '${label}' in:\n${text}`);
  return l;
}

describe('lut-llm run (timing mode)', () => {
  const argv = ['--model', 'Qwen3-0.6B', '--layers', '2', '--prompt', '16', '--output', '4', '--decode-samples', '2'];
  const same = () =>
    runInference({ model: QWEN3_CONFIGS['Qwen3-0.6B'], platform: V80_INT4_250, layers: 2, promptTokens: 16, outputTokens: 4, decodeSamples: 2 });
  let expected: InferenceReport;
  let out: Awaited<ReturnType<typeof cli>>;
  const json = join(dir, 'run.json');

  it('prints the figures runInference computes for the same options, and writes them as JSON', async () => {
    out = await cli('run', ...argv, '--json', json);
    expected = same();
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('LUT-LLM emulator: Qwen3-0.6B on AMD Alveo V80 public build (INT4 tables) @ 250 MHz');
    expect(out.stdout).toContain('only 2 of 28 decoder layers emulated');
    expect(lineOf(out.stdout, 'time to first token (TTFT)')).toMatch(new RegExp(`\\s${formatNumber(expected.ttftMs).replace('.', '\\.')} ms$`));
    expect(lineOf(out.stdout, 'decode latency')).toContain(` ${formatNumber(expected.decodeMsPerToken)} ms/token`);
    expect(lineOf(out.stdout, 'end-to-end latency')).toContain(` ${formatNumber(expected.e2eMs)} ms`);
    expect(lineOf(out.stdout, 'throughput')).toContain(` ${formatNumber(expected.tokensPerSecond)} tokens/s`);
    expect(lineOf(out.stdout, 'decode efficiency')).toContain(` ${formatNumber(expected.tokensPerJoule)} tokens/J`);
    const dec = expected.decodeSamples[expected.decodeSamples.length - 1]!;
    expect(lineOf(out.stdout, 'decode:')).toContain(`decode: ${dec.bottleneck.name} at ${(100 * dec.bottleneck.utilisation).toFixed(1)}%`);
    expect(out.stdout).toContain(`why: ${dec.bottleneck.why}`);
    const pre = expected.prefill[0]!;
    expect(lineOf(out.stdout, 'prefill:')).toContain(`prefill: ${pre.bottleneck.name}`);
    expect(out.stdout).toContain(`cycles: prefill ${pre.cycles.toLocaleString('en-US')}, decode ${expected.decodeCycles.reduce((a, c) => a + c, 0).toLocaleString('en-US')}`);
    expect(out.stdout).toContain('note: 2 of 3 decode steps emulated (KV history 16, 18); the cycles of the other 1 are interpolated');
    const report = JSON.parse(readFileSync(json, 'utf8')) as InferenceReport;
    expect(report.ttftMs).toBe(expected.ttftMs);
    expect(report.decodeCycles).toEqual(expected.decodeCycles);
    expect(report.prefill[0]!.events).toBeUndefined();
  });

  it('prints the decode weight bandwidth against the peak, the unit table and the analytical cross-check', () => {
    const w = out.stdout.split('\n').find((l) => l.startsWith('HBM weight stream'))!;
    const [, achieved, peak] = /: ([\d.]+) GB\/s achieved of ([\d.]+) GB\/s peak/.exec(w)!;
    const bytes = expected.decodeSamples.reduce((a, p) => a + p.weightBytes, 0);
    const cycles = expected.decodeSamples.reduce((a, p) => a + p.cycles, 0);
    expect(Number(achieved)).toBeCloseTo(((bytes / cycles) * 250) / 1e3, 1);
    expect(Number(peak)).toBeCloseTo(expected.decodeSamples[0]!.weightPeakGBps, 1);
    expect(lineOf(out.stdout, 'lut-linear/weight-loader')).toMatch(/lut-linear\/weight-loader\s+9\s+[\d.]+%\s+[\d.]+%/);
    expect(lineOf(out.stdout, 'cross-check:')).toMatch(/analytical model [\d.]+ ms\/token \(decode at context 17\) vs emulated [\d.]+ ms\/token/);
  });

  it('is the default command', async () => {
    const r = await cli('--model', 'tiny', '--prompt', '8', '--output', '3');
    expect(r.code).toBe(0);
    const e = runInference({ model: tinyQwen3Config(), promptTokens: 8, outputTokens: 3 });
    expect(r.stdout).toContain('LUT-LLM emulator: Qwen3-tiny');
    expect(lineOf(r.stdout, 'time to first token')).toContain(` ${formatNumber(e.ttftMs)} ms`);
    expect(r.stdout).toContain('note: all 2 decode steps emulated');
  });

  it('writes an exact Perfetto trace of the first decode step with --trace-window exact, its size estimated first', async () => {
    const file = join(dir, 'trace.json');
    const r = await cli('--model', 'tiny', '--prompt', '4', '--output', '2', '--trace', file, '--trace-window', 'exact');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/exact trace of decode step 1 \(KV history 4\): about \d+ MB estimated/);
    expect(r.stdout).toMatch(/Perfetto trace of decode step 1 \(KV history 4\), every state change \([\d,]+ records/);
    const t = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: { ph: string; name: string; tid?: number; args?: { name?: string } }[] };
    const threads = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name);
    expect(threads).toContain('attention (attention)');
    expect(t.traceEvents.filter((e) => e.ph === 'X').length).toBeGreaterThan(100);
  });

  it('aggregates the trace into windows with --trace-window: far fewer slices, each a whole window', async () => {
    const exact = join(dir, 'exact.json');
    const windowed = join(dir, 'windowed.json');
    expect((await cli('--model', 'tiny', '--prompt', '4', '--output', '2', '--trace', exact, '--trace-window', 'exact')).code).toBe(0);
    const r = await cli('--model', 'tiny', '--prompt', '4', '--output', '2', '--trace', windowed, '--trace-window', '500');
    expect(r.code).toBe(0);
    type T = { traceEvents: { ph: string; dur?: number; ts?: number }[] };
    const e = JSON.parse(readFileSync(exact, 'utf8')) as T;
    const w = JSON.parse(readFileSync(windowed, 'utf8')) as T;
    const slices = w.traceEvents.filter((x) => x.ph === 'X');
    expect(slices.length).toBeGreaterThan(0);
    expect(slices.length).toBeLessThan(e.traceEvents.filter((x) => x.ph === 'X').length);
    expect(slices.every((x) => x.dur === 500 && x.ts! % 500 === 0)).toBe(true);
  });
});

describe('hardware as built: presets, --lut-bits, built limits, per-layer cycles, attention units', () => {
  it('--lut-bits 8 on linear streams 8-bit tables; the platform name says so', async () => {
    const r = await cli('linear', '--shape', '256x512', '--variant', 'co-quant', '--lut-bits', '8');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('on AMD Alveo V80 public build (INT8 tables) @ 250 MHz');
    const { variant: _v, ...opts } = lutLinearOptionsFor({ ...V80_INT4_250, vq: { ...V80_INT4_250.vq, lutBits: 8 } }, 'linear', 256, 512, 1, 'co-quant');
    expect(lineOf(r.stdout, 'cycles').trim().split(/\s+/)[1]).toBe(compareLutLinearVariants(opts, ['co-quant'])[0]!.cycles.toLocaleString('en-US'));
    expect((await cli('linear', '--lut-bits', '6')).stderr).toMatch(/--lut-bits must be 4 or 8 \(bits per 2D table entry\), got '6'/);
  });

  it('refuses a prompt over MAX_SEQ_LEN by name; --beyond-built-limits runs it and says it is a what-if', async () => {
    const refused = await cli('--model', 'tiny', '--prompt', '129', '--output', '2');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/a prompt of 129 tokens exceeds MAX_SEQ_LEN = 128/);
    const r = await cli('--model', 'tiny', '--prompt', '129', '--output', '2', '--beyond-built-limits');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('WHAT-IF beyond the built design (--beyond-built-limits)');
    expect(r.stdout).toContain('a prompt of 129 tokens exceeds MAX_SEQ_LEN = 128');
  });

  it('prints per-layer cycles and the LM head, as runInference reports them', async () => {
    const r = await cli('--model', 'tiny', '--prompt', '8', '--output', '3');
    const e = runInference({ model: tinyQwen3Config(), promptTokens: 8, outputTokens: 3 });
    expect(lineOf(r.stdout, 'layer 1')).toContain(`${e.prefillLayerCycles[1]!.toLocaleString('en-US')} (`);
    expect(lineOf(r.stdout, 'LM head')).toContain(`${e.prefillLmHeadCycles.toLocaleString('en-US')} (`);
  });
});

describe('lut-llm linear', () => {
  it('prints the three variants side by side with the cycles of compareLutLinearVariants', async () => {
    const r = await cli('linear', '--shape', '256x512', '--variant', 'all');
    expect(r.code).toBe(0);
    const { variant: _v, ...opts } = lutLinearOptionsFor(V80_INT4_250, 'linear', 256, 512, 1, 'co-quant');
    const reports = compareLutLinearVariants(opts);
    expect(r.stdout).toContain('LUTLinear 256x512 (MxD), T = 1');
    expect(lineOf(r.stdout, 'co-quant')).toMatch(/co-quant\s+weight-only\s+activation-only/);
    const cells = lineOf(r.stdout, 'cycles').trim().split(/\s+/).slice(1);
    expect(cells).toEqual(reports.map((x) => x.cycles.toLocaleString('en-US')));
    expect(r.stdout).toContain('bottleneck detail:');
  });

  it('runs one variant as GEMM with --tokens', async () => {
    const r = await cli('linear', '--shape', '256x512', '--variant', 'weight-only', '--tokens', '8');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GEMM (8 tokens');
    expect(r.stdout).toContain('T = 8');
    expect(r.stdout).not.toContain('co-quant');
  });
});

describe('lut-llm compare', () => {
  it('puts the variants side by side, then LUT-LLM vs the GPU rooflines with tokens/J', async () => {
    const r = await cli('compare', '--model', 'tiny', '--prompt', '8', '--output', '4', '--roofline');
    expect(r.code).toBe(0);
    expect(lineOf(r.stdout, 'TTFT (ms)')).toBeDefined();
    expect(r.stdout).toMatch(/\s+co-quant\s+weight-only\s+activation-only\n/);
    const coQuant = runInference({ model: tinyQwen3Config(), promptTokens: 8, outputTokens: 4, decodeSamples: 2 });
    expect(lineOf(r.stdout, 'TTFT (ms)').trim().split(/\s+/)[2]).toBe(formatNumber(coQuant.ttftMs));
    const a100 = gpuRoofline(GPU_BASELINES.a100, tinyQwen3Config(), { promptTokens: 8, outputTokens: 4 });
    expect(lineOf(r.stdout, 'NVIDIA A100 80GB SXM roofline bound')).toContain(formatNumber(a100.tokensPerJoule));
    expect(lineOf(r.stdout, 'AMD Instinct MI210 roofline bound')).toContain('ideal roofline');
    expect(lineOf(r.stdout, 'AMD Alveo V80 public build (INT4 tables) @ 250 MHz (LUT-LLM co-quant)')).toContain(formatNumber(coQuant.ttftMs));
    expect(r.stdout).toContain('roofline points, decode');
    expect(r.stdout).toMatch(/lm_head\s/);
    // attention as built vs pipelined, per layer, from the attention cycle models
    const [pre] = compareAttentionUnits(tinyQwen3Config(), V80_INT4_250, 8, 4);
    expect(r.stdout).toContain("this platform emulates 'as-built'");
    expect(lineOf(r.stdout, 'prefill of 8 tokens')).toContain(`${pre!.cycles['as-built'].toLocaleString('en-US')} (`);
    expect(lineOf(r.stdout, 'prefill of 8 tokens')).toContain(`${pre!.cycles.pipelined.toLocaleString('en-US')} (`);
  });
});

describe('lut-llm run --mode functional', () => {
  it('runs the tiny model with real numbers and matches the LUT reference (exact SiLU) to float rounding', async () => {
    const r = await cli('--mode', 'functional', '--model', 'tiny', '--prompt', '4', '--output', '2', '--silu', 'exact');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('functional mode: Qwen3-tiny');
    const m = /vs the LUT reference .*: mean cosine ([\d.]+), min ([\d.]+), top-1 agreement (\d+)%/.exec(r.stdout)!;
    expect(Number(m[2])).toBeGreaterThan(0.9999);
    expect(m[3]).toBe('100');
    expect(r.stdout).toMatch(/vs FP32: mean cosine [\d.]+/);
    expect(r.stdout).toContain('  --silu exact: mean and min cosine >= 0.9999, top-1 100% (float rounding only)  <- this run: met');
  });

  it('--workers 2: the numbers as a stream on a worker pool, the same logits (cosine lines) as inline in the engine', async () => {
    const args = ['--mode', 'functional', '--model', 'tiny', '--prompt', '4', '--output', '2', '--silu', 'exact'];
    const [inline, pooled] = [await cli(...args), await cli(...args, '--workers', '2')];
    expect(pooled.code).toBe(0);
    const cosines = (out: string) => out.split('\n').filter((l) => /cosine/.test(l));
    expect(cosines(pooled.stdout).length).toBeGreaterThan(1);
    expect(cosines(pooled.stdout)).toEqual(cosines(inline.stdout));
  });

  it('explains beside the figures why the default PWL SiLU does not match the LUT reference, with the PWL error of packages/sfu', async () => {
    const r = await cli('--mode', 'functional', '--model', 'tiny', '--prompt', '4', '--output', '2');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("the reference design's 9-segment PWL SiLU");
    expect(lineOf(r.stdout, '--silu pwl9')).toMatch(/no bit-match\. The 9-segment PWL is off by up to 0\.0325 per element.*<- this run$/);
    expect(PWL9_MAX_ABS_ERROR).toBe(SILU_PWL9_MAX_ABS_ERROR);
  });
});

describe('errors: `lut-llm: <message>` naming the flag, exit code 1', () => {
  const badPlatform = join(dir, 'bad-platform.json');
  writeFileSync(badPlatform, JSON.stringify({ hbm: { channels: { weights: 0 } }, clockMhz: -1 }));
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, '{ nope');
  const hugeDefault = join(dir, 'huge-default.json');
  writeFileSync(hugeDefault, JSON.stringify({ fifoDepthDefault: 10_000_000 }));
  const hugeOverride = join(dir, 'huge-override.json');
  writeFileSync(hugeOverride, JSON.stringify({ fifoDepthOverrides: { 'weight-tiles': 1_000_000_000 } }));
  // A tiny decode pass has 186 FIFOs, 58 of them at fifoDepthDefault: 58 x 2^19 = 30,408,704 slots, plus
  // 343 fixed ones: the 9 LUTLinear ops' 8 streams at the reference design's depths (7 x 2 + 16 for the
  // activation indices = 30 each: 270), 39 stage-internal slots, 24 hand-over tokens, the KV
  // prefetcher's 4 chunks and the 3 depth-2 marker streams of the per-layer report (6): within the
  // per-FIFO bound, over the total.
  const manySlots = join(dir, 'many-slots.json');
  writeFileSync(manySlots, JSON.stringify({ fifoDepthDefault: 2 ** 19 }));
  const badLanes = join(dir, 'bad-lanes.json');
  writeFileSync(badLanes, JSON.stringify({ stages: { 'lut-linear': { positionLanes: 0 } } }));
  const unknownParam = join(dir, 'unknown-param.json');
  writeFileSync(unknownParam, JSON.stringify({ stages: { 'lut-psum': { foo: 1 } } }));
  const unknownStage = join(dir, 'unknown-stage.json');
  writeFileSync(unknownStage, JSON.stringify({ stages: { 'lut-linearr': { positionLanes: 16 } } }));
  const cases: [string[], RegExp][] = [
    [['--prompt', '0'], /^lut-llm: --prompt must be an integer >= 1, got '0'$/],
    [['--prompt', '0x10'], /^lut-llm: --prompt must be an integer >= 1, got '0x10'$/],
    [['--output', '2.5'], /^lut-llm: --output must be an integer >= 1, got '2.5'$/],
    [['--model', 'Qwen3-2B'], /^lut-llm: --model: unknown model 'Qwen3-2B'; known models: Qwen3-0.6B, .*tiny$/],
    [['--variant', 'int4'], /^lut-llm: --variant: unknown variant 'int4'; expected one of co-quant, weight-only, activation-only$/],
    [['--decode-samples', '1'], /^lut-llm: --decode-samples must be 'all' or an integer >= 2/],
    [['--workers', '2'], /^lut-llm: --workers only applies to --mode functional/],
    [['--mode', 'functional', '--model', 'tiny', '--workers', '-1'], /^lut-llm: --workers must be an integer >= 0/],
    // Formerly a hang (1000 worker threads starting); bounded at 64 (~33 MB of RSS per warm worker, measured).
    [['--mode', 'functional', '--model', 'tiny', '--workers', '1000'], /^lut-llm: --workers must be at most 64 \(a worker thread is a V8 isolate of ~33 MB/],
    [['--model', 'tiny', '--pass-workers', '65'], /^lut-llm: --pass-workers must be at most 64 /],
    [['--mode', 'fast'], /^lut-llm: --mode must be 'timing' or 'functional', got 'fast'$/],
    [['--layers', '29'], /^lut-llm: --layers must be at most 28 \(Qwen3-1.7B has 28 layers\), got 29$/],
    [['--prompt', '40000', '--output', '1000'], /^lut-llm: --prompt \+ --output = 41000 tokens exceeds Qwen3-1.7B's 40960 positions$/],
    [['--platform', join(dir, 'missing.json')], /^lut-llm: --platform: '.*missing\.json' is neither a preset \(v80-int4-250, v80-int8-227, v80, v80-250mhz\) nor an existing platform JSON file$/],
    [['--platform', badPlatform], /^lut-llm: --platform: invalid platform config \(.*bad-platform\.json\):(?=[\s\S]*\n {2}platform\.clockMhz: .*got -1)(?=[\s\S]*\n {2}platform\.hbm\.channels\.weights: expected an integer >= 1, got 0)/],
    [['--platform', notJson], /^lut-llm: --platform: invalid platform config .*not valid JSON/s],
    [['--clock-mhz', '0'], /^lut-llm: --clock-mhz must be a number > 0, got '0'$/],
    [['--clock-mhz', '900'], /^lut-llm: --clock-mhz 900: .*more than the device's 820 GB\/s/s],
    [['--output', '3', '--trace', join(dir, 't.json'), '--trace-pass', 'decode:3'], /^lut-llm: --trace-pass decode:3: the request has 2 decode step\(s\) \(--output 3\)$/],
    [['--trace', join(dir, 't.json'), '--trace-pass', 'decode:0'], /^lut-llm: --trace-pass must be 'prefill', 'prefill:<chunk>' or 'decode:<step>' \(1-based\), got 'decode:0'$/],
    [['--trace', join(dir, 't.json'), '--trace-window', '-5'], /^lut-llm: --trace-window must be a number of cycles >= 1 or 'exact', got '-5'$/],
    [['--json', join(dir, 'no', 'such', 'dir.json')], /^lut-llm: --json: cannot write .*: directory .* does not exist$/],
    [['--mode', 'functional'], /^lut-llm: --mode functional runs on --model tiny only/],
    [['--mode', 'functional', '--model', 'tiny', '--variant', 'weight-only'], /^lut-llm: --mode functional does not take --variant weight-only/],
    [['--frobnicate'], /^lut-llm: unknown option '--frobnicate'$/],
    [['linear', '--shape', '2048'], /^lut-llm: --shape: shape '2048' is not of the form MxD/],
    [['linear', '--variant', 'co-quant,foo'], /^lut-llm: --variant: unknown variant 'foo'/],
    [['linear', '--tokens', '0'], /^lut-llm: --tokens must be an integer >= 1, got '0'$/],
    [['compare', '--decode-samples', 'some'], /^lut-llm: --decode-samples must be 'all' or an integer >= 2/],
    // did-you-mean, flags that do not apply to the chosen mode
    [['rnu'], /^lut-llm: unknown command 'rnu'; did you mean 'run'\? \(commands: run, stages, compare, linear, fifos, platform, demo, trace, serve, sweep, worker, what-if, fifo-size\)$/],
    [['comprae', '--roofline'], /^lut-llm: unknown command 'comprae'; did you mean 'compare'\?/],
    [['frobnicate'], /^lut-llm: unknown command 'frobnicate' \(commands: /],
    [['--model', 'tiny', '--seed', '3'], /^lut-llm: --seed only applies to --mode functional/],
    [['--model', 'tiny', '--silu', 'exact'], /^lut-llm: --silu only applies to --mode functional/],
    [['--model', 'tiny', '--trace-window', '500'], /^lut-llm: --trace-window needs --trace <file>$/],
    [['--model', 'tiny', '--trace-pass', 'prefill'], /^lut-llm: --trace-pass needs --trace <file>$/],
    [['--model', 'Qwen3-0.6B', '--prompt', '4', '--output', '2', '--trace', join(dir, 't.json'), '--trace-window', '1'], /^lut-llm: --trace-window 1: the per-window sums of the trace \(estimated, extrapolated to 28 layers from the pass emulated with 1 and 2 layers\) must be at most 2,097,152 .*, got [\d,]+$/],
    // infeasible designs, named with their shortfall
    [['--model', 'Qwen3-32B', '--platform', 'v80'], /^lut-llm: Qwen3-32B with 256 positions on AMD Alveo V80 @ 227 MHz does not fit the platform:\n {2}HBM weights channels: the LUT tables and weight indices of Qwen3-32B need 39\.98 GB \(1\.25 GB per channel\), the 32 weights channels hold 17\.18 GB \(0\.54 GB each\): 22\.80 GB over \(2\.33x the capacity\)\n\(--allow-infeasible emulates it/],
    [['compare', '--model', 'Qwen3-32B'], /^lut-llm: Qwen3-32B with 256 positions .* does not fit the platform:\n {2}HBM weights channels/],
    // 9,401 positions x 229,376 B = 2,156,363,776 B over the 4 K/V channels (2 GiB; 9,362 positions fit)
    [['--prompt', '9400', '--output', '1'], /^lut-llm: Qwen3-1.7B with 9401 positions .* does not fit the platform:\n {2}HBM kvRead \+ kvWrite channels: the KV cache of 9401 positions need 2\.16 GB/],
    // former crashes and hangs: bounds checked before any work, naming the flag
    [['linear', '--shape', '1000000x1000000', '--platform', 'v80'], /^lut-llm: linear 1000000x1000000 does not fit the platform:\n {2}HBM weights channels: .* need 1250\.45 GB/],
    // the public build's INT4 tables stream 6 bits per weight instead of 10: 1250.45 x 6/10 ~ 750.2 GB
    [['linear', '--shape', '1000000x1000000'], /^lut-llm: linear 1000000x1000000 does not fit the platform:\n {2}HBM weights channels: .* need 750\.22 GB/],
    [['linear', '--shape', '1000000x1000000', '--allow-infeasible'], /^lut-llm: --shape 1000000x1000000: its tiles \(position blocks x output tiles\) must be at most 4,194,304 .*, got 61,062,500$/],
    [['demo', '--depth', '100000000'], /^lut-llm: --depth must be at most 1,048,576 .*, got 100,000,000$/],
    [['demo', '--tiles', '100000000'], /^lut-llm: --tiles must be at most 4,194,304 .*, got 100,000,000$/],
    [['--set', 'fifo.weight-tiles=1000000000'], /^lut-llm: --set fifo.weight-tiles must be at most 1,048,576 .*, got 1,000,000,000$/],
    [['--set', 'weight-tiles=8'], /^lut-llm: --set must be fifo.<name>=<depth> with an integer depth >= 1, got 'weight-tiles=8'$/],
    [['--set', 'fifo.no-such-fifo=8'], /^lut-llm: --platform \/ --set: platform.fifoDepthOverrides\["no-such-fifo"\]: no FIFO of that name in the pass graph/],
    [['--platform', hugeDefault], /^lut-llm: the platform: fifoDepthDefault must be at most 1,048,576 .*, got 10,000,000$/],
    [['--platform', hugeOverride], /^lut-llm: the platform: fifoDepthOverrides\["weight-tiles"\] must be at most 1,048,576 .*, got 1,000,000,000$/],
    [['--platform', manySlots, '--model', 'tiny'], /^lut-llm: the platform: the FIFO depths \(total slots over the 186 FIFOs of one pass\) must be at most 16,777,216 .*, got 30,409,047$/],
    // output paths checked before the emulation
    [['--model', 'tiny', '--json', '/proc/x'], /^lut-llm: --json: cannot write '\/proc\/x': /],
    [['--model', 'tiny', '--json', dir], /^lut-llm: --json: cannot write '.*': it is a directory$/],
    [['--model', 'tiny', '--trace', join(dir, 'missing', 't.json')], /^lut-llm: --trace: cannot write .*: directory .* does not exist$/],
    [['--model', 'tiny', '--trace', '-'], /^lut-llm: --trace: '-' \(stdout\) is not supported for this output; give a file name$/],
    [['demo', '--dot', '/proc/x.dot'], /^lut-llm: --dot: cannot write '\/proc\/x.dot': /],
    [['linear', '--platform', badLanes], /^lut-llm: --platform: platform.stages\["lut-linear"\].positionLanes: expected an integer >= 1, got 0$/],
    [['compare', '--model', 'tiny', '--platform', badLanes], /^lut-llm: --platform \/ --set: platform.stages\["lut-linear"\].positionLanes: expected an integer >= 1, got 0$/],
    [['platform', '--platform', unknownParam], /^lut-llm: --platform \/ --set: lutPsum2d: unknown parameter 'foo' \(known: /],
    [['linear', '--platform', unknownStage], /^lut-llm: --platform: platform.stages\["lut-linearr"\]: unknown stage \(known: lut-linear, /],
  ];
  it.each(cases)('%j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('infeasible designs: refused, or a labelled what-if with --allow-infeasible', () => {
  // One weight channel (0.54 GB) cannot hold Qwen3-0.6B's tables and indices with INT8 tables
  // (10 bits x ~0.6 G weights ~ 0.75 GB; with the public build's INT4 tables, 6 bits, it would fit).
  const oneChannel = join(dir, 'one-weight-channel.json');
  writeFileSync(oneChannel, JSON.stringify({ hbm: { channels: { weights: 1 } } }));
  const argv = ['--model', 'Qwen3-0.6B', '--layers', '1', '--prompt', '4', '--output', '2', '--platform', oneChannel, '--lut-bits', '8'];

  it('is refused, naming the channel group and the shortfall', async () => {
    const r = await cli(...argv);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^lut-llm: Qwen3-0.6B with 6 positions on .* does not fit the platform:\n {2}HBM weights channels: .* the 1 weights channels hold 0\.54 GB/);
  });

  it('is emulated and labelled a what-if in the text and the JSON with --allow-infeasible', async () => {
    const json = join(dir, 'what-if.json');
    const r = await cli(...argv, '--allow-infeasible', '--json', json);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('WHAT-IF (--allow-infeasible): this design does not fit the platform; the figures below describe hardware that cannot be built as configured:');
    const j = JSON.parse(readFileSync(json, 'utf8')) as { whatIf: boolean; feasibility: { feasible: boolean; problems: string[] } };
    expect(j.whatIf).toBe(true);
    expect(j.feasibility.feasible).toBe(false);
    expect(j.feasibility.problems[0]).toMatch(/^HBM weights channels/);
    const c = await cli('compare', ...argv.filter((a) => a !== '--layers' && a !== '1'), '--model', 'tiny', '--allow-infeasible', '--variant', 'co-quant');
    expect(c.code).toBe(0); // tiny fits even one channel: no label
    expect(c.stdout).not.toContain('WHAT-IF');
  });
});

describe('on-chip budget: refused naming the resource and the excess, or a labelled what-if', () => {
  // The design's URAM (packages/accelerator estimateOnChip, derived by hand there and here for tiny):
  // accumulator 128 tokens x 512 lanes x 32 bits -> ceil(16384 / 72) = 228 URAM lanes, 128 deep;
  // activations 128 x max(256, 256, 512) FP32 words, 9216 per URAM -> ceil(65536 / 9216) = 8;
  // K/V of MAX_KV_LEN 256 x 2 x 2 heads = 1024 words of 64 x 32 = 2048 bits -> 29 lanes: 228 + 8 + 29 = 265.
  const small = join(dir, 'small-uram.json');
  writeFileSync(small, JSON.stringify({ onChip: { uram288: 100 } }));
  const argv = ['--model', 'tiny', '--prompt', '4', '--output', '2', '--platform', small];

  it('run refuses it before emulating, naming the URAM need, the budget and the excess', async () => {
    const r = await cli(...argv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^lut-llm: Qwen3-tiny with 6 positions on .* does not fit the platform:\n {2}on-chip URAM: 265 needed \(estimate\), the platform has 100: 165 over \(2\.65x\)\n\(--allow-infeasible/);
  });

  it('run --allow-infeasible emulates it, labelled in the text and the JSON (with the estimate)', async () => {
    const json = join(dir, 'on-chip-what-if.json');
    const r = await cli(...argv, '--allow-infeasible', '--json', json);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^WHAT-IF \(--allow-infeasible\)/);
    expect(lines[1]).toBe('  on-chip URAM: 265 needed (estimate), the platform has 100: 165 over (2.65x)');
    expect(r.stdout).toMatch(/^on-chip estimate against the platform's onChip budget: \d+ of 7,482 BRAM18 \(\d+%\), 265 of 100 URAM \(265%\), /m);
    const j = JSON.parse(readFileSync(json, 'utf8')) as { whatIf: boolean; feasibility: { feasible: boolean; onChip: { variant: string; estimate: { uram: number; budget: { uram: number } } }[] } };
    expect(j.whatIf).toBe(true);
    expect(j.feasibility.feasible).toBe(false);
    expect(j.feasibility.onChip[0]).toMatchObject({ variant: 'co-quant', estimate: { uram: 265, budget: { uram: 100 } } });
  });

  it('compare checks every variant and names the one that does not fit', async () => {
    // weight-only: FP32 accumulator of 128 lanes x 32 bits -> 57 URAM lanes: 57 + 8 + 29 = 94 <= 100, fits.
    const r = await cli('compare', ...argv, '--variant', 'co-quant,weight-only');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not fit the platform:\n {2}co-quant: on-chip URAM: 265 needed \(estimate\), the platform has 100: 165 over \(2\.65x\)\n\(--allow-infeasible/);
  });

  it('linear checks the LUTLinear unit sized for its op; --allow-infeasible labels the JSON', async () => {
    // 2048 x 2048 GEMV: accumulator 1 token x 512 x 32 bits = 228 URAM lanes, activations 2048 FP32 = 1 URAM.
    const r = await cli('linear', '--shape', '2048x2048', '--variant', 'co-quant', '--platform', small);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^lut-llm: linear 2048x2048 does not fit the platform:\n {2}on-chip URAM: 229 needed \(estimate\), the platform has 100: 129 over \(2\.29x\)/);
    const w = await cli('linear', '--shape', '2048x2048', '--variant', 'co-quant', '--platform', small, '--allow-infeasible', '--json', '-');
    expect(w.code).toBe(0);
    expect(JSON.parse(w.stdout)).toMatchObject({ whatIf: true, feasibility: { feasible: false } });
    expect(w.stderr.split('\n')[0]).toMatch(/^WHAT-IF/);
  });
});

describe('outputs', () => {
  it('--json - writes the JSON alone to stdout (the text report to stderr), without wall times', async () => {
    const r = await cli('--model', 'tiny', '--prompt', '4', '--output', '2', '--json', '-');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as InferenceReport & { whatIf: boolean };
    expect(j.model).toBe('Qwen3-tiny');
    expect(j.whatIf).toBe(false);
    expect(r.stdout).not.toContain('wallMs');
    expect(r.stderr).toContain('LUT-LLM emulator: Qwen3-tiny');
    expect(r.stderr).toMatch(/\(emulated 2 passes in [\d.]+ s wall time\)/);
    expect(existsSync('-')).toBe(false);
  });

  it('platform says which FIFO depths fifoDepthDefault does not set, and where to list them', async () => {
    const r = await cli('platform');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('FIFO depth: 2 by default');
    expect(lineOf(r.stdout, 'FIFO depths not set by fifoDepthDefault')).toMatch(/LUTLinear streams .* 16 for the activation indices and 2 for the others.*`lut-llm fifos` lists every FIFO/);
  });

  it('--version prints the package version', async () => {
    const io = bufferIo();
    expect(await runCli(['--version'], io)).toBe(0);
    expect(io.stdout()).toBe('0.1.0\n');
  });

  it('a whole-model trace is windowed by default; --trace-pass prefill traces the prefill chunk', async () => {
    const file = join(dir, 'prefill.json');
    const r = await cli('--model', 'tiny', '--prompt', '8', '--output', '2', '--trace', file, '--trace-pass', 'prefill');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Perfetto trace of prefill chunk 1 \(8 tokens at position 0\), in windows of 2000 cycles/);
    const t = JSON.parse(readFileSync(file, 'utf8')) as { metadata: { 'lut-llm-emu': { windowCycles: number; title: string } } };
    expect(t.metadata['lut-llm-emu'].windowCycles).toBe(2000);
  });
});

describe('lut-llm fifos', () => {
  it('lists every FIFO pattern with depth, width, the source of its depth and its peak occupancy; --set changes a depth', async () => {
    const r = await cli('fifos', '--model', 'tiny', '--prompt', '4', '--set', 'fifo.psums=8', '--platform', 'v80');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^FIFOs of Qwen3-tiny on AMD Alveo V80 @ 227 MHz: 186 FIFOs in \d+ name patterns/);
    // LUTLinear defaults: the reference design's TAPA stream depths (2, TAPA's default, for the weight tiles;
    // 16 for the activation indices), since a FIFO holds only tokens written and not yet read
    expect(lineOf(r.stdout, 'L<n>.qkv.activation-indices')).toMatch(/L<n>\.qkv\.activation-indices\s+2\s+16\s+.*LUTLinear default/);
    expect(lineOf(r.stdout, 'L<n>.qkv.weight-tiles')).toMatch(/L<n>\.qkv\.weight-tiles\s+2\s+2\s+\d+\s+\d+\s+[\d,]+\s+fifo\.weight-tiles\s+LUTLinear default/);
    expect(lineOf(r.stdout, 'L<n>.qkv.psums')).toMatch(/L<n>\.qkv\.psums\s+2\s+8\s+\d+\s+[1-8]\s+[\d,]+\s+fifo\.psums\s+--set$/);
    expect(lineOf(r.stdout, 'L<n>.attn-norm.out')).toMatch(/\s2\s.*fifo\.L<n>\.attn-norm\.out\s+platform fifoDepthDefault \(2\)$/);
    expect(lineOf(r.stdout, 'kv-prefetcher.kv')).toMatch(/\s4\s.*fifo\.kv-prefetcher\.kv\s+platform stages\["kv-prefetcher"\]\.bufferChunks \(4\)$/);
  });
});
