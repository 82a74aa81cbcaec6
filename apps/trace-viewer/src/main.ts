import './style.css';
import { checkReport, parseReport, type PassTrace, type TraceReport } from '@lut-llm/trace-report/schema';
import { drawCounters, drawGraph, drawRoofline, drawStalls, drawTimeline, graphNodePixel, resizeAll } from './charts.ts';
import { cyclesText, groupTotals, groupsOf, pct, type Selection } from './model.ts';

/** State the browser tests read (window.__viewer). */
interface ViewerState {
  report: TraceReport | null;
  compare: TraceReport | null;
  pass: number;
  selection: Selection;
  /** ms from navigation start to the first complete drawing of a report. */
  firstRenderMs: number | null;
  error: string | null;
  live: { messages: number; done: boolean };
  /** Page coordinates of a task-graph node (tests click it like a user). */
  nodePixel: (name: string) => [number, number] | null;
}
const state: ViewerState = { report: null, compare: null, pass: 0, selection: null, firstRenderMs: null, error: null, live: { messages: 0, done: false },
  nodePixel: (name) => {
    const p = graphNodePixel(name);
    if (!p) return null;
    const box = document.getElementById('graph')!.getBoundingClientRect();
    return [box.left + window.scrollX + p[0], box.top + window.scrollY + p[1]];
  },
};
(window as unknown as { __viewer: ViewerState }).__viewer = state;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const int = (x: number) => Math.round(x).toLocaleString('en-US');

function showError(what: string, message: string): void {
  state.error = `${what}: ${message}`;
  const e = $('error');
  e.textContent = state.error;
  e.hidden = false;
  document.body.dataset['state'] = 'error';
}

function clearError(): void {
  state.error = null;
  $('error').hidden = true;
}

function currentPass(): PassTrace | undefined {
  return state.report?.passes[state.pass];
}

function renderBottlenecks(report: TraceReport, pass: PassTrace): void {
  const top = pass.bottlenecks[0];
  $('cycles').textContent = `${pass.label}: ${cyclesText(pass.cycles, report.clockMhz)}${pass.partial ? ' so far (running)' : ''}; ${int(pass.events)} trace events`;
  $('headline').innerHTML = top ? `Bottleneck: <b data-testid="top-bottleneck">${esc(top.name)}</b> (${pct(top.share)} of the pass) &mdash; ${esc(top.explanation)}` : 'no bottleneck (empty pass)';
  $('bottlenecks').innerHTML = pass.bottlenecks
    .slice(0, 8)
    .map((b) => `<li data-name="${esc(b.name)}"><b>${esc(b.name)}</b> ${b.kind === 'resource' ? '(shared resource)' : ''} ${pct(b.share)}<div class="why">${esc(b.why)}</div></li>`)
    .join('');
}

function renderCauses(pass: PassTrace, sel: Selection): void {
  const hot = groupsOf(pass, sel);
  const rows = pass.totals
    .filter((t) => !hot || hot.has(t.group))
    .flatMap((t) => t.causes.map((c) => ({ actor: t.actor, c })))
    .filter(({ c }) => sel?.kind !== 'fifo' || c.on === sel.name)
    .filter(({ c }) => sel?.kind !== 'resource' || c.on === sel.name)
    .sort((a, b) => b.c.cycles - a.c.cycles)
    .slice(0, 12);
  const what = (c: (typeof rows)[number]['c']) =>
    c.state === 'starved' ? `starved on FIFO ${c.on} (empty)` : c.state === 'blocked' ? `blocked on FIFO ${c.on} (full)` : `waiting for ${c.on} held by ${c.heldBy ?? '?'}`;
  $('causes').innerHTML =
    `<tr><th>actor</th><th>cause</th><th>cycles</th><th>of the pass</th></tr>` +
    rows.map(({ actor, c }) => `<tr><td>${esc(actor)}</td><td style="text-align:left">${esc(what(c))}</td><td>${int(c.cycles)}</td><td>${pct(c.cycles / Math.max(1, pass.cycles))}</td></tr>`).join('');
}

function renderComparison(report: TraceReport): void {
  const f = (x: number | null, d = 2) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(d));
  $('comparison').innerHTML =
    `<tr><th>system</th><th>TTFT ms</th><th>decode ms/token</th><th>tokens/s</th><th>tokens/J</th><th>W</th></tr>` +
    report.comparison.map((c) => `<tr title="${esc(c.method)}"><td>${esc(c.system)}</td><td>${f(c.ttftMs)}</td><td>${f(c.decodeMsPerToken, 3)}</td><td>${f(c.tokensPerSecond, 1)}</td><td>${f(c.tokensPerJoule, 3)}</td><td>${c.boardWatts}</td></tr>`).join('');
}

/** Two runs side by side: per-unit busy and stall cycles of the same pass, with deltas (B - A). */
function renderCompare(a: TraceReport, b: TraceReport | null, passIndex: number): void {
  const view = $('compare-view');
  if (!b) {
    view.hidden = true;
    return;
  }
  view.hidden = false;
  const pa = a.passes[passIndex];
  const pb = b.passes[Math.min(passIndex, b.passes.length - 1)];
  if (!pa || !pb) return;
  $('compare-title').textContent = `A: ${a.title} / B: ${b.title}`;
  const ga = new Map(groupTotals(pa).map((g) => [g.group, g]));
  const gb = new Map(groupTotals(pb).map((g) => [g.group, g]));
  const d = (x: number, y: number) => {
    const v = y - x;
    return `<td class="${v < 0 ? 'neg' : v > 0 ? 'pos' : ''}">${v > 0 ? '+' : ''}${int(v)}</td>`;
  };
  const stalls = (g: { starved: number; blocked: number; contention: number } | undefined) => (g ? g.starved + g.blocked + g.contention : 0);
  const units = [...new Set([...ga.keys(), ...gb.keys()])];
  $('compare').innerHTML =
    `<tr><th></th><th>A</th><th>B</th><th>B - A</th></tr>` +
    `<tr data-testid="compare-cycles"><td><b>pass cycles</b> (${esc(pa.label)} / ${esc(pb.label)})</td><td>${int(pa.cycles)}</td><td>${int(pb.cycles)}</td>${d(pa.cycles, pb.cycles)}</tr>` +
    `<tr><td><b>bottleneck</b></td><td>${esc(pa.bottlenecks[0]?.name ?? '-')}</td><td>${esc(pb.bottlenecks[0]?.name ?? '-')}</td><td></td></tr>` +
    `<tr><th>unit</th><th>busy A</th><th>busy B</th><th>busy B - A</th><th>stalled A</th><th>stalled B</th><th>stalled B - A</th></tr>` +
    units
      .map((u) => {
        const x = ga.get(u);
        const y = gb.get(u);
        return `<tr><td>${esc(u)}</td><td>${int(x?.busy ?? 0)}</td><td>${int(y?.busy ?? 0)}</td>${d(x?.busy ?? 0, y?.busy ?? 0)}<td>${int(stalls(x))}</td><td>${int(stalls(y))}</td>${d(stalls(x), stalls(y))}</tr>`;
      })
      .join('');
}

let renderSeq = 0;
async function render(): Promise<void> {
  const report = state.report;
  const pass = currentPass();
  if (!report || !pass) return;
  const seq = ++renderSeq;
  $('views').hidden = false;
  $('title').textContent = report.title;
  const sel = state.selection;
  $('selection').textContent = sel ? `filter: ${sel.kind} ${sel.name}` : '';
  renderBottlenecks(report, pass);
  renderCauses(pass, sel);
  renderComparison(report);
  renderCompare(report, state.compare, state.pass);
  resizeAll();
  drawTimeline(pass, sel);
  drawCounters(report, pass, sel);
  drawStalls(pass, sel);
  drawRoofline(report, pass.phase);
  await drawGraph(pass, sel, select);
  if (seq !== renderSeq) return;
  if (state.firstRenderMs === null) state.firstRenderMs = performance.now();
  document.body.dataset['state'] = 'ready';
  document.body.dataset['render'] = String(seq);
}

function select(s: Selection): void {
  state.selection = s;
  void render();
}

function setReport(r: TraceReport): void {
  clearError();
  state.report = r;
  state.pass = Math.min(state.pass, Math.max(0, r.passes.length - 1));
  const sel = $<HTMLSelectElement>('pass');
  sel.innerHTML = r.passes.map((p, i) => `<option value="${i}">${esc(p.label)}</option>`).join('');
  sel.value = String(state.pass);
  void render();
}

async function readFile(input: HTMLInputElement): Promise<{ name: string; text: string } | null> {
  const f = input.files?.[0];
  if (!f) return null;
  return { name: f.name, text: await f.text() };
}

$<HTMLSelectElement>('pass').addEventListener('change', (e) => {
  state.pass = Number((e.target as HTMLSelectElement).value);
  state.selection = null;
  void render();
});
$('clear').addEventListener('click', () => select(null));
$<HTMLInputElement>('open').addEventListener('change', async (e) => {
  const f = await readFile(e.target as HTMLInputElement);
  if (!f) return;
  try {
    state.pass = 0;
    state.selection = null;
    setReport(parseReport(f.text));
  } catch (err) {
    // The previous report's views go away: what is on screen is never mistaken for this file.
    state.report = null;
    $('views').hidden = true;
    $('title').textContent = '';
    $<HTMLSelectElement>('pass').innerHTML = '';
    showError(`cannot open ${f.name}`, (err as Error).message);
  }
});
$<HTMLInputElement>('open-b').addEventListener('change', async (e) => {
  const f = await readFile(e.target as HTMLInputElement);
  if (!f) return;
  try {
    state.compare = parseReport(f.text);
    clearError();
    void render();
  } catch (err) {
    showError(`cannot compare with ${f.name}`, (err as Error).message);
  }
});

/** Live mode: `lut-llm serve` runs a configuration and streams the passes as they advance. */
function startLive(url: string): void {
  $('live').hidden = false;
  const status = $('live-status');
  const ws = new WebSocket(url);
  document.body.dataset['state'] = 'live';
  ws.addEventListener('open', () => (status.textContent = 'connected: choose a configuration and run it'));
  ws.addEventListener('close', () => (status.textContent += ' (disconnected)'));
  ws.addEventListener('error', () => showError('live mode', `cannot connect to ${url}`));
  let live: TraceReport | null = null;
  ws.addEventListener('message', (ev) => {
    state.live.messages++;
    const m = JSON.parse(String(ev.data)) as { type: string; message?: string; report?: unknown; index?: number; pass?: PassTrace; done?: number; total?: number; label?: string };
    if (m.type === 'error') {
      status.textContent = 'refused';
      showError('the server refused the run', m.message ?? '?');
    } else if (m.type === 'start') {
      clearError();
      live = checkReport(m.report);
      state.live.done = false;
      state.pass = 0;
      setReport(live);
      status.textContent = 'running...';
    } else if ((m.type === 'snapshot' || m.type === 'pass') && live && m.pass && m.index !== undefined) {
      const passes = [...live.passes];
      passes[m.index] = m.pass;
      live = { ...live, passes };
      state.report = live;
      if (m.type === 'pass' || state.pass === m.index) setReport(live);
      status.textContent = `${m.type === 'pass' ? 'finished' : 'running'} ${m.pass.label}: ${int(m.pass.cycles)} cycles${m.pass.partial ? ' so far' : ''}`;
    } else if (m.type === 'done' && m.report) {
      live = checkReport(m.report);
      state.live.done = true;
      setReport(live);
      status.textContent = `done: ${live.passes.length} pass(es)`;
      document.body.dataset['live'] = 'done';
    }
  });
  $<HTMLFormElement>('live-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(e.target as HTMLFormElement);
    const config: Record<string, unknown> = {};
    for (const [k, v] of fd.entries()) config[k] = ['layers', 'prompt', 'output'].includes(k) ? Number(v) : String(v);
    delete document.body.dataset['live'];
    ws.send(JSON.stringify({ type: 'run', config }));
  });
}

function boot(): void {
  const params = new URLSearchParams(location.search);
  const liveUrl = params.get('live') ?? (window as unknown as { LUT_LLM_LIVE?: string }).LUT_LLM_LIVE;
  const embedded = document.getElementById('lut-llm-report');
  if (embedded?.textContent && embedded.textContent.trim().length > 0) {
    try {
      setReport(parseReport(embedded.textContent));
    } catch (err) {
      showError('cannot open the embedded report', (err as Error).message);
    }
  } else if (params.get('report')) {
    const url = params.get('report')!;
    fetch(url)
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((t) => setReport(parseReport(t)))
      .catch((err: Error) => showError(`cannot open ${url}`, err.message));
  } else if (!liveUrl) {
    document.body.dataset['state'] = 'empty';
    $('title').textContent = 'open a report written by `lut-llm trace` (or run `lut-llm serve` for live runs)';
  }
  if (liveUrl) startLive(liveUrl.startsWith('ws') ? liveUrl : `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${liveUrl}`);
}

boot();
