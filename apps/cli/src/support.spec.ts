import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runGraph, toPerfettoTrace } from '@lut-llm/core';
import { demoGraph } from './demo.js';
import { writePerfettoTrace } from './files.js';
import { PROGRESS_DELAY_MS, PassProgress } from './progress.js';
import { plannedPasses } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'lut-llm-cli-support-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writePerfettoTrace', () => {
  it('writes exactly what core toPerfettoTrace returns, streamed record by record', () => {
    const res = runGraph(demoGraph({ tiles: 16 }), { trace: 'full' });
    const opts = { clockMhz: 227, title: 'demo' };
    const direct = toPerfettoTrace(res.events, opts);
    const file = join(dir, 'demo.json');
    const n = writePerfettoTrace(file, res.events, opts);
    const written = JSON.parse(readFileSync(file, 'utf8')) as typeof direct;
    expect(n).toBe(direct.traceEvents.length);
    expect(written.metadata).toEqual(direct.metadata);
    expect(written.traceEvents).toEqual(direct.traceEvents);
  });
});

describe('PassProgress', () => {
  afterEach(() => vi.restoreAllMocks());
  const tty = () => {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    }) as Writable & { isTTY: boolean; columns: number; cursorTo: () => boolean; clearLine: () => boolean; moveCursor: () => boolean };
    Object.assign(stream, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    return { stream, text: () => text };
  };

  it('draws nothing during the first second, then a bar on the terminal', () => {
    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const t = tty();
    const p = new PassProgress(t.stream, 4);
    now += PROGRESS_DELAY_MS / 2;
    p.update(1, 'prefill chunk 1/1');
    expect(t.text()).toBe('');
    now += PROGRESS_DELAY_MS;
    p.update(2, 'decode step 1/127');
    p.stop();
    expect(t.text()).toContain('emulating');
    expect(t.text()).toContain('decode step 1/127');
  });

  it('never draws without a terminal', () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const p = new PassProgress(null, 4);
    now += 10 * PROGRESS_DELAY_MS;
    expect(() => p.update(3, 'x')).not.toThrow();
    p.stop();
  });

  it('counts the passes runInference emulates', () => {
    expect(plannedPasses(128, 128, 128, 3)).toBe(4);
    expect(plannedPasses(300, 2, 128, 3)).toBe(4);
    expect(plannedPasses(16, 4, 128, 'all')).toBe(4);
    expect(plannedPasses(16, 1, 128, 3)).toBe(1);
  });
});

describe('the built lut-llm binary (apps/cli/dist/main.js, built by npm test)', () => {
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  it.runIf(existsSync(main))('prints the help with every command and exits 0', () => {
    const r = spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const c of ['run [options]', 'compare [options]', 'linear [options]', 'demo [options]']) expect(r.stdout).toContain(c);
  });
  it.runIf(existsSync(main))('prints `lut-llm: <message>` without a stack trace and exits 1 on a bad flag', () => {
    const r = spawnSync(process.execPath, [main, 'run', '--prompt', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("lut-llm: --prompt must be an integer >= 1, got '0'\n");
    expect(r.stdout).toBe('');
  });
});
