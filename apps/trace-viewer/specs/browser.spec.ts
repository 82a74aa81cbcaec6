import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLATFORM_PRESETS, runPassTiming } from '@lut-llm/accelerator';
import { QWEN3_CONFIGS } from '@lut-llm/model';
import { parseReport, REPORT_VERSION, type TraceReport } from '@lut-llm/trace-report';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/src/cli.ts';
import { bufferIo } from '../../cli/src/progress.ts';
import { startServer, type LiveServer } from '../../cli/src/serve.ts';

/**
 * The trace viewer in a real browser: Debian's chromium (apt; .ci/run installs it) driven by
 * playwright-core. Reports come from `lut-llm trace` run in-process; the page is the
 * self-contained HTML it writes, opened from file://. Screenshots and the measured load and pan
 * times go to out/trace-viewer/ (test artifacts).
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'out', 'trace-viewer');
const WAIT_MS = 60_000;
const model = QWEN3_CONFIGS['Qwen3-1.7B'];

let ctx: BrowserContext | undefined;
let page: Page;
let work: string;
let server: LiveServer | undefined;
const measured: Record<string, unknown> = {};

async function trace(out: string, ...args: string[]): Promise<TraceReport> {
  const io = bufferIo();
  const code = await runCli(['trace', '--quiet', '--out', join(work, out), ...args], io);
  if (code !== 0) throw new Error(`lut-llm trace ${args.join(' ')} failed: ${io.stderr()}`);
  return parseReport(readFileSync(join(work, `${out}.report.json`), 'utf8'));
}

async function open(url: string): Promise<number> {
  const t0 = Date.now();
  await page.goto(url, { timeout: WAIT_MS });
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset['state'] ?? ''), null, { timeout: WAIT_MS });
  return Date.now() - t0;
}

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, timeout: WAIT_MS });
const topBottleneck = () => page.textContent('[data-testid="top-bottleneck"]', { timeout: WAIT_MS });
const rendered = () => page.evaluate(() => Number(document.body.dataset['render'] ?? 0));
async function rerendered(before: number): Promise<void> {
  await page.waitForFunction((n) => Number(document.body.dataset['render'] ?? 0) > n && document.body.dataset['state'] === 'ready', before, { timeout: WAIT_MS });
}

/**
 * Fail, never skip: without chromium every test of this file fails with this message (a hook
 * error alone would leave the tests counted as skipped in the pass/fail line of .ci/run).
 */
const missingBrowser = existsSync(CHROMIUM) ? null : `chromium is not installed at ${CHROMIUM}: install Debian's package (apt-get install -y chromium; .ci/run does it as root) or set CHROMIUM_PATH`;
function needBrowser(): void {
  if (missingBrowser) throw new Error(missingBrowser);
}

beforeAll(async () => {
  if (missingBrowser) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'trace-viewer-'));
  ctx = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    timeout: WAIT_MS,
    viewport: { width: 1400, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  ctx.setDefaultTimeout(WAIT_MS);
  page = ctx.pages()[0] ?? (await ctx.newPage());
}, 60_000);

afterAll(async () => {
  try {
    await server?.close();
  } finally {
    await ctx?.close();
    if (!missingBrowser) writeFileSync(join(ARTIFACTS, 'measurements.json'), JSON.stringify(measured, null, 2));
    if (work) rmSync(work, { recursive: true, force: true });
  }
}, 60_000);

describe('trace viewer in chromium', () => {
  let a: TraceReport;

  it('shows the bottleneck the pass summary names, for each pass, from a file:// page', async () => {
    needBrowser();
    a = await trace('a', '--layers', '2');
    await open(`file://${join(work, 'a.html')}`);
    expect(await page.evaluate(() => (window as unknown as { __viewer: { error: string | null } }).__viewer.error)).toBeNull();
    // The summary `lut-llm run` prints (the accelerator's pass report) names the same bottleneck.
    for (const [i, p] of a.passes.entries()) {
      const summary = runPassTiming({ model, platform: PLATFORM_PRESETS.v80, phase: p.phase as 'prefill' | 'decode', tokens: p.tokens!, history: p.history!, layers: 2 });
      if (i > 0) {
        const before = await rendered();
        await page.selectOption('[data-testid="pass"]', String(i));
        await rerendered(before);
      }
      expect(await topBottleneck()).toBe(summary.bottleneck.name);
      expect(p.bottlenecks[0]!.name).toBe(summary.bottleneck.name);
      await shot(`report-${p.phase}`);
    }
    // The decode step of a 2-layer Qwen3-1.7B streams weights: the HBM weight channel limits it.
    expect(await topBottleneck()).toBe('hbm.weights');
    expect(await page.textContent('[data-testid="headline"]')).toMatch(/waits on hbm\.weights \d+% of the pass.*so more HBM channels/);
  });

  it('filters the other views when a unit of the task graph is clicked', async () => {
    needBrowser();
    const unit = 'lut-linear/lut-psum';
    const at = await page.evaluate((n) => (window as unknown as { __viewer: { nodePixel: (n: string) => [number, number] | null } }).__viewer.nodePixel(n), unit);
    expect(at, `node ${unit} drawn`).not.toBeNull();
    await page.evaluate(([x, y]) => window.scrollTo(0, Math.max(0, y! - 300)), at!);
    const scrolled = await page.evaluate(() => window.scrollY);
    const before = await rendered();
    await page.mouse.click(at![0], at![1] - scrolled);
    await rerendered(before);
    expect(await page.textContent('[data-testid="selection"]')).toBe(`filter: group ${unit}`);
    // The causes table lists only that unit's actors.
    const actors = await page.$$eval('[data-testid="causes"] tr td:first-child', (tds) => tds.map((t) => t.textContent ?? ''));
    expect(actors.length).toBeGreaterThan(0);
    for (const a of actors) expect(a).toMatch(/lut-psum$/);
    await shot('filtered-lut-psum');
    const b = await rendered();
    await page.click('[data-testid="clear"]');
    await rerendered(b);
    expect(await page.textContent('[data-testid="selection"]')).toBe('');
  });

  it('zooms the timeline into finer windows (level of detail)', async () => {
    needBrowser();
    await page.locator('[data-testid="timeline"]').scrollIntoViewIfNeeded();
    const box = (await page.locator('[data-testid="timeline"]').boundingBox())!;
    const coarse = Number(await page.getAttribute('[data-testid="lod"]', 'data-window-cycles'));
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 24; i++) {
      await page.mouse.wheel(0, -400);
      await page.waitForTimeout(30);
    }
    await page.waitForFunction((c) => Number(document.getElementById('lod')!.dataset['windowCycles']) < c, coarse, { timeout: WAIT_MS });
    const fine = Number(await page.getAttribute('[data-testid="lod"]', 'data-window-cycles'));
    expect(fine).toBeLessThan(coarse);
    await shot('timeline-zoomed');
  });

  it('puts two runs side by side with per-unit deltas (two LUTLinear implementations: co-quant vs weight-only)', async () => {
    needBrowser();
    const b = await trace('b', '--layers', '2', '--variant', 'weight-only');
    const before = await rendered();
    await page.setInputFiles('[data-testid="open-b"]', join(work, 'b.report.json'));
    await rerendered(before);
    const row = await page.$$eval('[data-testid="compare-cycles"] td', (tds) => tds.map((t) => t.textContent ?? ''));
    const pa = a.passes[1]!;
    const pb = b.passes[1]!;
    expect(row.slice(1)).toEqual([pa.cycles, pb.cycles, pb.cycles - pa.cycles].map((x) => `${x > 0 && x === pb.cycles - pa.cycles ? '+' : ''}${Math.round(x).toLocaleString('en-US')}`));
    expect(pb.cycles).not.toBe(pa.cycles);
    await page.locator('#compare-view').scrollIntoViewIfNeeded();
    await shot('compare');
  });

  it('says what is wrong with a truncated, foreign or future-version file', async () => {
    needBrowser();
    const text = readFileSync(join(work, 'a.report.json'), 'utf8');
    const cases: [string, string, RegExp][] = [
      ['truncated.json', text.slice(0, 5000), /cannot open truncated\.json: the file is truncated or empty/],
      ['foreign.json', JSON.stringify({ traceEvents: [] }), /cannot open foreign\.json: not a lut-llm trace report.*Perfetto/],
      ['future.json', JSON.stringify({ ...JSON.parse(text), version: REPORT_VERSION + 1 }), new RegExp(`cannot open future\\.json: the report is version ${REPORT_VERSION + 1}, newer than this viewer`)],
    ];
    for (const [name, body, message] of cases) {
      const f = join(work, name);
      writeFileSync(f, body);
      await page.setInputFiles('[data-testid="open"]', f);
      await page.waitForFunction(() => document.body.dataset['state'] === 'error', null, { timeout: WAIT_MS });
      expect(await page.textContent('[data-testid="error"]')).toMatch(message);
      expect(await page.isVisible('[data-testid="error"]')).toBe(true);
      expect(await page.isVisible('[data-testid="bottlenecks"]')).toBe(false);
      await page.evaluate(() => (document.body.dataset['state'] = ''));
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('bad-input-future-version');
  });

  it('live mode: lut-llm serve refuses an invalid configuration and streams a valid run to the page', async () => {
    needBrowser();
    server = await startServer({ port: 0, snapshotEvery: 100_000 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await page.goto(server.url, { timeout: WAIT_MS });
    await page.waitForFunction(() => document.getElementById('live-status')!.textContent!.startsWith('connected'), null, { timeout: WAIT_MS });
    await page.fill('input[name="layers"]', '99');
    await page.click('[data-testid="live-run"]');
    await page.waitForFunction(() => document.body.dataset['state'] === 'error', null, { timeout: WAIT_MS });
    expect(await page.textContent('[data-testid="error"]')).toMatch(/the server refused the run: --layers must be at most 28/);
    await page.fill('input[name="layers"]', '2');
    await page.click('[data-testid="live-run"]');
    await page.waitForFunction(() => document.body.dataset['live'] === 'done', null, { timeout: WAIT_MS });
    const live = await page.evaluate(() => (window as unknown as { __viewer: { live: { messages: number } } }).__viewer.live.messages);
    // start + at least one snapshot + two passes + done.
    expect(live).toBeGreaterThanOrEqual(5);
    expect(await topBottleneck()).toBe(a.passes[0]!.bottlenecks[0]!.name);
    await shot('live-done');
  });

  it('a full Qwen3-1.7B prefill chunk + decode step report opens and pans (sizes and times recorded)', async () => {
    needBrowser();
    const t0 = Date.now();
    const full = await trace('full');
    measured['fullTraceWallMs'] = Date.now() - t0;
    measured['fullReportBytes'] = statSync(join(work, 'full.report.json')).size;
    measured['fullHtmlBytes'] = statSync(join(work, 'full.html')).size;
    measured['fullPerfettoBytes'] = statSync(join(work, 'full.perfetto.json')).size;
    measured['fullTraceEvents'] = full.passes.map((p) => p.events);
    measured['fullOpenMs'] = await open(`file://${join(work, 'full.html')}`);
    measured['fullFirstRenderMs'] = await page.evaluate(() => (window as unknown as { __viewer: { firstRenderMs: number } }).__viewer.firstRenderMs);
    expect(await topBottleneck()).toBe(full.passes[0]!.bottlenecks[0]!.name);
    // Pan: zoom in, then drag the timeline; time each redraw (two animation frames after input).
    await page.locator('[data-testid="timeline"]').scrollIntoViewIfNeeded();
    const b2 = (await page.locator('[data-testid="timeline"]').boundingBox())!;
    await page.mouse.move(b2.x + b2.width / 2, b2.y + b2.height / 2);
    for (let i = 0; i < 8; i++) {
      await page.mouse.wheel(0, -400);
      await page.waitForTimeout(30);
    }
    measured['fullZoomedWindowCycles'] = Number(await page.getAttribute('[data-testid="lod"]', 'data-window-cycles'));
    const frames: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = Date.now();
      await page.mouse.down();
      await page.mouse.move(b2.x + b2.width / 2 + (i % 2 ? 150 : -150), b2.y + b2.height / 2, { steps: 2 });
      await page.mouse.up();
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      frames.push(Date.now() - t);
    }
    measured['fullPanMsPerStep'] = frames;
    // The same input and frame wait over the header (no chart redraws): the harness's own share.
    const idle: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = Date.now();
      await page.mouse.move(20 + (i % 2) * 5, 20, { steps: 2 });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      idle.push(Date.now() - t);
    }
    measured['idleStepMs'] = idle;
    await shot('full-qwen3-1.7b');
    // Speed is measured here and reported, never asserted (the project's rule).
    console.log('trace viewer measurements', JSON.stringify(measured));
  });
});
