import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GPU_BASELINES,
  V80_PLATFORM,
  compareLutLinearVariants,
  formatNumber,
  gpuRoofline,
  lutLinearOptionsFor,
  runInference,
  type InferenceReport,
} from '@lut-llm/accelerator';
import { QWEN3_CONFIGS, tinyQwen3Config } from '@lut-llm/model';
import { runCli } from './cli.js';
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
    runInference({ model: QWEN3_CONFIGS['Qwen3-0.6B'], platform: V80_PLATFORM, layers: 2, promptTokens: 16, outputTokens: 4, decodeSamples: 2 });
  let expected: InferenceReport;
  let out: Awaited<ReturnType<typeof cli>>;
  const json = join(dir, 'run.json');

  it('prints the figures runInference computes for the same options, and writes them as JSON', async () => {
    out = await cli('run', ...argv, '--json', json);
    expected = same();
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('LUT-LLM emulator: Qwen3-0.6B on AMD Alveo V80 @ 227 MHz');
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
    expect(Number(achieved)).toBeCloseTo(((bytes / cycles) * 227) / 1e3, 1);
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

  it('writes a Perfetto trace of the first decode step', async () => {
    const file = join(dir, 'trace.json');
    const r = await cli('--model', 'tiny', '--prompt', '4', '--output', '2', '--trace', file);
    expect(r.code).toBe(0);
    const t = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: { ph: string; name: string; tid?: number; args?: { name?: string } }[] };
    const threads = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name);
    expect(threads).toContain('attention');
    expect(t.traceEvents.filter((e) => e.ph === 'X').length).toBeGreaterThan(100);
  });

  it('aggregates the trace into windows with --trace-window: far fewer slices, each a whole window', async () => {
    const exact = join(dir, 'exact.json');
    const windowed = join(dir, 'windowed.json');
    expect((await cli('--model', 'tiny', '--prompt', '4', '--output', '2', '--trace', exact)).code).toBe(0);
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

describe('lut-llm linear', () => {
  it('prints the three variants side by side with the cycles of compareLutLinearVariants', async () => {
    const r = await cli('linear', '--shape', '256x512', '--variant', 'all');
    expect(r.code).toBe(0);
    const { variant: _v, ...opts } = lutLinearOptionsFor(V80_PLATFORM, 'linear', 256, 512, 1, 'co-quant');
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
    expect(lineOf(r.stdout, 'NVIDIA A100 80GB SXM  ')).toContain(formatNumber(a100.tokensPerJoule));
    expect(lineOf(r.stdout, 'AMD Instinct MI210  ')).toContain('roofline');
    expect(lineOf(r.stdout, 'AMD Alveo V80 @ 227 MHz (LUT-LLM co-quant)')).toContain(formatNumber(coQuant.ttftMs));
    expect(r.stdout).toContain('roofline points, decode');
    expect(r.stdout).toMatch(/lm_head\s/);
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
  });
});

describe('errors: `lut-llm: <message>` naming the flag, exit code 1', () => {
  const badPlatform = join(dir, 'bad-platform.json');
  writeFileSync(badPlatform, JSON.stringify({ hbm: { channels: { weights: 0 } }, clockMhz: -1 }));
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, '{ nope');
  const cases: [string[], RegExp][] = [
    [['--prompt', '0'], /^lut-llm: --prompt must be an integer >= 1, got '0'$/],
    [['--prompt', '0x10'], /^lut-llm: --prompt must be an integer >= 1, got '0x10'$/],
    [['--output', '2.5'], /^lut-llm: --output must be an integer >= 1, got '2.5'$/],
    [['--model', 'Qwen3-2B'], /^lut-llm: --model: unknown model 'Qwen3-2B'; known models: Qwen3-0.6B, .*tiny$/],
    [['--variant', 'int4'], /^lut-llm: --variant: unknown variant 'int4'; expected one of co-quant, weight-only, activation-only$/],
    [['--decode-samples', '1'], /^lut-llm: --decode-samples must be 'all' or an integer >= 2/],
    [['--workers', '2'], /^lut-llm: --workers: worker pools are being redesigned \(issue 19\)/],
    [['--mode', 'fast'], /^lut-llm: --mode must be 'timing' or 'functional', got 'fast'$/],
    [['--layers', '29'], /^lut-llm: --layers must be at most 28 \(Qwen3-1.7B has 28 layers\), got 29$/],
    [['--prompt', '40000', '--output', '1000'], /^lut-llm: --prompt \+ --output = 41000 tokens exceeds Qwen3-1.7B's 40960 positions$/],
    [['--platform', join(dir, 'missing.json')], /^lut-llm: --platform: '.*missing\.json' is neither a preset \(v80, v80-250mhz\) nor an existing platform JSON file$/],
    [['--platform', badPlatform], /^lut-llm: --platform: invalid platform config \(.*bad-platform\.json\):(?=[\s\S]*\n {2}platform\.clockMhz: .*got -1)(?=[\s\S]*\n {2}platform\.hbm\.channels\.weights: expected an integer >= 1, got 0)/],
    [['--platform', notJson], /^lut-llm: --platform: invalid platform config .*not valid JSON/s],
    [['--clock-mhz', '0'], /^lut-llm: --clock-mhz must be a number > 0, got '0'$/],
    [['--clock-mhz', '900'], /^lut-llm: --clock-mhz 900: .*more than the device's 820 GB\/s/s],
    [['--output', '1', '--trace', join(dir, 't.json')], /^lut-llm: --trace writes the first decode step: it needs --output >= 2$/],
    [['--json', join(dir, 'no', 'such', 'dir.json')], /^lut-llm: --json: cannot write .*: directory .* does not exist$/],
    [['--mode', 'functional'], /^lut-llm: --mode functional runs on --model tiny only/],
    [['--mode', 'functional', '--model', 'tiny', '--variant', 'weight-only'], /^lut-llm: --mode functional does not take --variant weight-only/],
    [['--frobnicate'], /^lut-llm: unknown option '--frobnicate'$/],
    [['linear', '--shape', '2048'], /^lut-llm: --shape: shape '2048' is not of the form MxD/],
    [['linear', '--variant', 'co-quant,foo'], /^lut-llm: --variant: unknown variant 'foo'/],
    [['linear', '--tokens', '0'], /^lut-llm: --tokens must be an integer >= 1, got '0'$/],
    [['compare', '--decode-samples', 'some'], /^lut-llm: --decode-samples must be 'all' or an integer >= 2/],
  ];
  it.each(cases)('%j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
