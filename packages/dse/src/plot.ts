import type { SweepRow } from './sweep.js';

/** One plotted point: a point with figures (ok or infeasible); invalid points have none and are listed instead. */
export interface PlotPoint {
  readonly hash: string;
  readonly label: string;
  readonly status: 'ok' | 'infeasible';
  readonly pareto: boolean;
  readonly e2eMs: number;
  readonly tokensPerJoule: number;
  readonly memoryBits: number;
  readonly sqnrDb: number | null;
  /** Where it is drawn (SVG user units): the figures mapped to the axes. */
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
}

/** What the plot shows, in the order of the sweep's rows. */
export interface SweepPlotData {
  readonly points: readonly PlotPoint[];
  /** Hashes of the Pareto front, in row order. */
  readonly front: readonly string[];
  /** Points not drawn (no figures): hash and why. */
  readonly notPlotted: readonly { readonly hash: string; readonly reason: string }[];
  readonly axes: { readonly x: AxisScale; readonly y: AxisScale; readonly memoryBits: { readonly min: number; readonly max: number } };
}

interface AxisScale {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
}

const W = 760;
const H = 460;
const PAD = { left: 70, right: 20, top: 20, bottom: 50 };
const R_MIN = 4;
const R_MAX = 16;
const AXIS_MARGIN = 0.05;

function scale(values: readonly number[], label: string): AxisScale {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  // A log axis when the values span more than 10x (model sizes, clocks): a linear one would crowd them.
  const log = lo > 0 && hi / lo > 10;
  // A margin of 5% of the span on either side, so no marker sits on the frame.
  if (log) {
    const f = (hi / lo) ** AXIS_MARGIN;
    return { label, min: lo / f, max: hi * f, log };
  }
  const pad = lo === hi ? Math.max(Math.abs(lo) * AXIS_MARGIN, 1e-9) : (hi - lo) * AXIS_MARGIN;
  return { label, min: lo - pad, max: hi + pad, log };
}

function toUnit(a: AxisScale, v: number): number {
  if (a.log) return (Math.log(v) - Math.log(a.min)) / (Math.log(a.max) - Math.log(a.min));
  return (v - a.min) / (a.max - a.min);
}

/**
 * The data of the sweep plot: end-to-end latency (x) against tokens/J (y), the on-chip memory as
 * the marker's area, the Pareto front marked. Points with figures are drawn (infeasible ones as
 * what-ifs, hollow); invalid ones are listed with their reason.
 */
export function sweepPlotData(rows: readonly SweepRow[]): SweepPlotData {
  const drawn = rows.filter((r) => r.status !== 'invalid' && r.e2eMs !== null && r.tokensPerJoule !== null && r.onChip !== null);
  const notPlotted = rows.filter((r) => !drawn.includes(r)).map((r) => ({ hash: r.hash, reason: r.reasons.join('; ') || 'no figures' }));
  if (drawn.length === 0) return { points: [], front: [], notPlotted, axes: { x: scale([1], 'end-to-end latency (ms)'), y: scale([1], 'tokens/J'), memoryBits: { min: 0, max: 0 } } };
  const x = scale(drawn.map((r) => r.e2eMs!), 'end-to-end latency (ms)');
  const y = scale(drawn.map((r) => r.tokensPerJoule!), 'tokens/J');
  const mem = drawn.map((r) => r.onChip!.memoryBits);
  const memoryBits = { min: Math.min(...mem), max: Math.max(...mem) };
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const points = drawn.map((r): PlotPoint => {
    // Area proportional to memory between the smallest and largest of the sweep.
    const m = memoryBits.max > memoryBits.min ? (r.onChip!.memoryBits - memoryBits.min) / (memoryBits.max - memoryBits.min) : 0.5;
    return {
      hash: r.hash,
      label: Object.entries(r.settings)
        .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(' '),
      status: r.status as 'ok' | 'infeasible',
      pareto: r.pareto,
      e2eMs: r.e2eMs!,
      tokensPerJoule: r.tokensPerJoule!,
      memoryBits: r.onChip!.memoryBits,
      sqnrDb: r.accuracy?.sqnrDb ?? null,
      cx: round(PAD.left + toUnit(x, r.e2eMs!) * plotW),
      cy: round(PAD.top + (1 - toUnit(y, r.tokensPerJoule!)) * plotH),
      r: round(Math.sqrt(R_MIN ** 2 + m * (R_MAX ** 2 - R_MIN ** 2))),
    };
  });
  return { points, front: rows.filter((r) => r.pareto).map((r) => r.hash), notPlotted, axes: { x, y, memoryBits } };
}

const round = (v: number) => Math.round(v * 100) / 100;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function ticks(a: AxisScale): number[] {
  if (a.log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(a.min)); e <= Math.ceil(Math.log10(a.max)); e++) for (const m of [1, 2, 5]) out.push(m * 10 ** e);
    return out.filter((v) => v >= a.min && v <= a.max);
  }
  return Array.from({ length: 5 }, (_, i) => a.min + ((a.max - a.min) * i) / 4);
}

/** The plot as SVG: one circle per plotted point (`data-hash`; class `front` on the Pareto front). */
export function sweepPlotSvg(data: SweepPlotData): string {
  const { x, y } = data.axes;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const fmt = (v: number) => v.toPrecision(3);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="sweep: latency vs tokens/J vs memory">`];
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  for (const v of ticks(x)) {
    const px = round(PAD.left + toUnit(x, v) * plotW);
    parts.push(`<line x1="${px}" y1="${PAD.top + plotH}" x2="${px}" y2="${PAD.top + plotH + 5}" stroke="#999"/><text x="${px}" y="${PAD.top + plotH + 18}" font-size="11" text-anchor="middle">${fmt(v)}</text>`);
  }
  for (const v of ticks(y)) {
    const py = round(PAD.top + (1 - toUnit(y, v)) * plotH);
    parts.push(`<line x1="${PAD.left - 5}" y1="${py}" x2="${PAD.left}" y2="${py}" stroke="#999"/><text x="${PAD.left - 8}" y="${py + 4}" font-size="11" text-anchor="end">${fmt(v)}</text>`);
  }
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${H - 8}" font-size="12" text-anchor="middle">${esc(x.label)}${x.log ? ' (log)' : ''}</text>`);
  parts.push(`<text transform="translate(16 ${PAD.top + plotH / 2}) rotate(-90)" font-size="12" text-anchor="middle">${esc(y.label)}${y.log ? ' (log)' : ''}</text>`);
  // The front drawn last, on top.
  const order = [...data.points].sort((a, b) => Number(a.pareto) - Number(b.pareto));
  for (const p of order) {
    const style = p.pareto ? 'fill="#d62728" fill-opacity="0.85" stroke="#7f0000"' : p.status === 'ok' ? 'fill="#1f77b4" fill-opacity="0.45" stroke="#1f77b4"' : 'fill="none" stroke="#888" stroke-dasharray="3 2"';
    const tip = `${p.hash} ${p.label}\n${p.status}${p.pareto ? ', Pareto front' : ''}\ne2e ${fmt(p.e2eMs)} ms, ${fmt(p.tokensPerJoule)} tokens/J, ${(p.memoryBits / 8 / 2 ** 20).toFixed(2)} MiB on chip${p.sqnrDb !== null ? `, SQNR ${p.sqnrDb.toFixed(2)} dB` : ''}`;
    parts.push(`<circle class="${p.pareto ? 'front' : p.status}" data-hash="${p.hash}" cx="${p.cx}" cy="${p.cy}" r="${p.r}" ${style}><title>${esc(tip)}</title></circle>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * A self-contained HTML report of a sweep (no script, no network): the plot, a legend, the plot's
 * data as JSON (`<script type="application/json" id="sweep-plot-data">`) and the points not drawn.
 */
export function sweepHtml(rows: readonly SweepRow[], opts: { readonly title?: string; readonly notes?: readonly string[] } = {}): string {
  const data = sweepPlotData(rows);
  const title = opts.title ?? 'lut-llm sweep';
  const front = data.points.filter((p) => p.pareto);
  const list = (items: string[]) => (items.length > 0 ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '<p>none</p>');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}code{font-size:12px}.legend span{margin-right:18px}</style></head>
<body>
<h1>${esc(title)}</h1>
<p>${rows.length} points: ${data.points.length} plotted (${rows.filter((r) => r.status === 'ok').length} feasible), ${front.length} on the Pareto front of end-to-end latency, tokens/J, on-chip memory and the accuracy proxy's SQNR.</p>
<p class="legend"><span style="color:#d62728">&#9679; Pareto front</span><span style="color:#1f77b4">&#9679; feasible</span><span style="color:#888">&#9675; infeasible (what-if)</span><span>marker area: on-chip memory, ${(data.axes.memoryBits.min / 8 / 2 ** 20).toFixed(2)} to ${(data.axes.memoryBits.max / 8 / 2 ** 20).toFixed(2)} MiB</span></p>
${sweepPlotSvg(data)}
<h2>Pareto front</h2>
${list(front.map((p) => `<code>${p.hash}</code> ${esc(p.label)}: ${p.e2eMs.toPrecision(4)} ms, ${p.tokensPerJoule.toPrecision(4)} tokens/J, ${(p.memoryBits / 8 / 2 ** 20).toFixed(2)} MiB${p.sqnrDb !== null ? `, ${p.sqnrDb.toFixed(2)} dB` : ''}`))}
<h2>Not plotted (invalid)</h2>
${list(data.notPlotted.map((n) => `<code>${n.hash}</code> ${esc(n.reason)}`))}
${(opts.notes ?? []).map((n) => `<p><small>${esc(n)}</small></p>`).join('\n')}
<script type="application/json" id="sweep-plot-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
</body></html>
`;
}
