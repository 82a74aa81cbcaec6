import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { V80_PLATFORM, runPassTiming } from '@lut-llm/accelerator';
import { tinyQwen3Config } from '@lut-llm/model';
import { AtomicFile } from './files.js';
import { writePassTrace } from './trace.js';
import { PROGRESS_DELAY_MS, PassProgress } from './progress.js';
import { plannedPasses } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'lut-llm-cli-support-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writePassTrace (streamed from the engine, never held)', () => {
  const model = tinyQwen3Config();
  const pass = { model, platform: V80_PLATFORM, phase: 'decode', tokens: 1, history: 4 } as const;
  const summary = runPassTiming(pass).summary;
  type Rec = { ph: string; name: string; pid: number; tid?: number; dur?: number; ts?: number; cat?: string; args?: Record<string, unknown> };
  const read = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: Rec[] }).traceEvents;

  it('exact: every actor\'s busy slices add up to its busy cycles in the summary, on a track named after it', () => {
    const file = join(dir, 'exact.json');
    const r = writePassTrace(file, pass, { window: 'exact', clockMhz: 227, title: 't' });
    expect(r.cycles).toBe(summary.cycles);
    const recs = read(file);
    expect(r.records).toBe(recs.length);
    const names = new Map(recs.filter((x) => x.name === 'thread_name').map((x) => [`${x.pid}/${x.tid}`, (x.args!['name'] as string).replace(/ \(.*\)$/, '')]));
    const busy = new Map<string, number>();
    for (const x of recs) if (x.ph === 'X' && x.cat === 'actor' && x.name === 'busy') busy.set(names.get(`${x.pid}/${x.tid}`)!, (busy.get(names.get(`${x.pid}/${x.tid}`)!) ?? 0) + x.dur!);
    for (const a of summary.actors) expect(busy.get(a.actor) ?? 0, a.actor).toBe(a.busyCycles);
  });

  it('groups tracks by layer (one process each, sorted) and by unit inside a layer', () => {
    const file = join(dir, 'windowed.json');
    writePassTrace(file, pass, { window: 1000, clockMhz: 227, title: 't' });
    const recs = read(file);
    const processes = recs.filter((x) => x.name === 'process_name').map((x) => [x.pid, x.args!['name']]);
    expect(processes.slice(0, 3)).toEqual([
      [1, 'shared units (attention, KV prefetcher, LM head, host I/O)'],
      [2, 'layer 0'],
      [3, 'layer 1'],
    ]);
    const layer0 = recs.filter((x) => x.name === 'thread_name' && x.pid === 2).map((x) => x.args!['name'] as string);
    expect(layer0.every((n) => n.startsWith('L0.'))).toBe(true);
    const units = layer0.map((n) => /\((.*)\)$/.exec(n)![1]!);
    expect(units).toEqual([...units].sort());
    // windowed slices land on those tracks, one window long
    const slices = recs.filter((x) => x.ph === 'X');
    expect(slices.length).toBeGreaterThan(0);
    expect(slices.every((x) => x.dur === 1000 && x.ts! % 1000 === 0 && recs.some((m) => m.name === 'thread_name' && m.pid === x.pid && m.tid === x.tid))).toBe(true);
  });

  it('leaves no file (and no temporary file) when the pass fails', () => {
    const file = join(dir, 'failed.json');
    expect(() => writePassTrace(file, { ...pass, history: -1 }, { window: 'exact', clockMhz: 227, title: 't' })).toThrow(/history/);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('failed.json'))).toEqual([]);
  });
});

describe('AtomicFile', () => {
  it('replaces the target only on commit; an aborted write leaves the old content', () => {
    const file = join(dir, 'atomic.txt');
    writeFileSync(file, 'old');
    const a = new AtomicFile('--json', file);
    a.write('new, partial');
    expect(readFileSync(file, 'utf8')).toBe('old');
    a.abort();
    expect(readFileSync(file, 'utf8')).toBe('old');
    const b = new AtomicFile('--json', file);
    b.write('new');
    b.commit();
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir).filter((f) => f.startsWith('.atomic.txt'))).toEqual([]);
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
  // Never skipped: an unbuilt CLI is a failure that says what to do.
  it('exists: the build ran', () => {
    expect(existsSync(main), `${main} is missing: run \`npm run build\` (npm test builds first)`).toBe(true);
  });
  it('prints the help with every command and exits 0', () => {
    const r = spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const c of ['run [options]', 'compare [options]', 'linear [options]', 'demo [options]']) expect(r.stdout).toContain(c);
  });
  it('stops quietly with exit 0 when its reader closes early (`lut-llm --help | head -1`)', () => {
    const r = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${main}" --help | head -1`], { encoding: 'utf8' });
    expect(r.stdout).toBe('Usage: lut-llm [options] [command]\n');
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
  });
  it('runs a request on the lanes it starts with the process (early-lanes.ts): the same output as --pass-workers 0', () => {
    const request = ['--model', 'tiny', '--prompt', '12', '--prefill-chunk', '8', '--output', '6', '--beyond-built-limits', '--quiet', '--json', '-'];
    const serial = spawnSync(process.execPath, [main, ...request, '--pass-workers', '0'], { encoding: 'utf8' });
    const lanes = spawnSync(process.execPath, [main, ...request, '--pass-workers', '2'], { encoding: 'utf8' });
    expect([serial.status, lanes.status], lanes.stderr).toEqual([0, 0]);
    const figures = (json: string): unknown => JSON.parse(json, (k, v: unknown) => (k === 'wallMs' ? undefined : v));
    expect(figures(lanes.stdout)).toEqual(figures(serial.stdout));
  });
  it('prints `lut-llm: <message>` without a stack trace and exits 1 on a bad flag', () => {
    const r = spawnSync(process.execPath, [main, 'run', '--prompt', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("lut-llm: --prompt must be an integer >= 1, got '0'\n");
    expect(r.stdout).toBe('');
  });
});
