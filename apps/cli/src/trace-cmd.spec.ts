import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReport } from '@lut-llm/trace-report';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { validateLiveConfig } from './live-config.js';
import { bufferIo } from './progress.js';

const dir = mkdtempSync(join(tmpdir(), 'lut-llm-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lut-llm trace', () => {
  it('refuses a design that does not fit the platform before tracing (formerly: minutes of emulation of Qwen3-32B)', async () => {
    const io = bufferIo();
    expect(await runCli(['trace', '--model', 'Qwen3-32B', '--out', join(dir, 'big')], io)).toBe(1);
    expect(io.stderr()).toMatch(/^lut-llm: Qwen3-32B with 130 positions on .* does not fit the platform:\n {2}HBM weights channels: .* 22\.80 GB over \(2\.33x the capacity\)\n\(--allow-infeasible/);
  });

  it('writes the report, a Perfetto trace and one self-contained HTML page', async () => {
    const io = bufferIo();
    const out = join(dir, 'tiny');
    expect(await runCli(['trace', '--model', 'tiny', '--prompt', '16', '--output', '2', '--out', out], io), io.stderr()).toBe(0);
    const report = parseReport(readFileSync(`${out}.report.json`, 'utf8'));
    expect(report.passes.map((p) => p.phase)).toEqual(['prefill', 'decode']);
    expect(report.comparison.map((c) => c.system)).toEqual([expect.stringMatching(/^LUT-LLM on /), expect.stringMatching(/A100/), expect.stringMatching(/MI210/)]);
    for (const p of report.passes) {
      for (const t of p.totals) expect(t.busy + t.causes.reduce((s, c) => s + c.cycles, 0) + t.idle, t.actor).toBe(p.cycles);
      expect(io.stdout()).toContain(`bottleneck ${p.bottlenecks[0]!.name}: `);
    }
    // Perfetto: complete events per unit and counters, the decode pass after the prefill pass.
    const perfetto = JSON.parse(readFileSync(`${out}.perfetto.json`, 'utf8')) as { traceEvents: { ph: string; ts?: number; pid: number }[] };
    const slices = perfetto.traceEvents.filter((e) => e.ph === 'X');
    expect(slices.length).toBeGreaterThan(0);
    expect(Math.max(...slices.map((e) => e.ts!))).toBeGreaterThanOrEqual(report.passes[0]!.cycles);
    expect(perfetto.traceEvents.some((e) => e.ph === 'C')).toBe(true);
    // The page loads nothing from elsewhere and carries the report itself.
    const html = readFileSync(`${out}.html`, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    const embedded = /<script id="lut-llm-report" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!;
    expect(parseReport(embedded)).toEqual(report);
  });

  it('refuses a decode pass without decode steps, naming the flag', async () => {
    const io = bufferIo();
    expect(await runCli(['trace', '--model', 'tiny', '--output', '1', '--out', join(dir, 'x')], io)).toBe(1);
    expect(io.stderr()).toMatch(/--passes decode traces the first decode step: it needs --output >= 2/);
    expect(await runCli(['trace', '--model', 'tiny', '--passes', 'warmup', '--out', join(dir, 'x')], io)).toBe(1);
    expect(io.stderr()).toMatch(/--passes: unknown pass 'warmup'/);
  });
});

describe('lut-llm serve: live run configurations', () => {
  it('accepts a preset run', () => {
    const r = validateLiveConfig({ model: 'Qwen3-1.7B', layers: 2, prompt: 128, output: 2, variant: 'co-quant', platform: 'v80' });
    expect(r).toMatchObject({ layers: 2, prompt: 128, output: 2, variant: 'co-quant', platformName: 'v80', passes: ['prefill', 'decode'] });
  });

  it('names every bad field, refuses files as platforms and unknown fields', () => {
    expect(() => validateLiveConfig({ model: 'Qwen3-1.7B', prompt: 0, output: 2.5 })).toThrow(/invalid configuration: prompt: .*; output: /);
    expect(() => validateLiveConfig({ model: 'Qwen3-1.7B', prompt: 8, output: 2, platform: '/etc/passwd' })).toThrow(/platform: '\/etc\/passwd' is not a preset/);
    expect(() => validateLiveConfig({ model: 'Qwen3-1.7B', prompt: 8, output: 2, depth: 3 })).toThrow(/Unrecognized key/);
    expect(() => validateLiveConfig({ model: 'gpt', prompt: 8, output: 2 })).toThrow(/unknown model 'gpt'/);
    expect(() => validateLiveConfig({ model: 'Qwen3-1.7B', prompt: 8, output: 2, layers: 99 })).toThrow(/--layers must be at most 28/);
    expect(() => validateLiveConfig('run everything')).toThrow(/invalid configuration/);
  });
});
