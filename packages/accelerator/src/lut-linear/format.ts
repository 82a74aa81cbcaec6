import { table } from '@lut-llm/core';
import type { LutLinearReport } from './run.js';
import { V80_BUILD_RESOURCES } from './assumptions.js';

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * The variants side by side: cycles and time, the weight stream's bytes and achieved bandwidth
 * against its peak, all HBM traffic, the bottleneck, and each stage's utilisation. Reports are
 * columns (any number, any variants; the same shape is expected but not required).
 */
export function formatLutLinearComparison(reports: readonly LutLinearReport[]): string {
  if (reports.length === 0) return '(no LUTLinear reports)';
  const r0 = reports[0]!;
  const shapes = [...new Set(reports.map((r) => `${r.shape.outFeatures}x${r.shape.inFeatures} (MxD), T = ${r.shape.tokens}`))];
  const head = `LUTLinear ${shapes.join(' / ')}, ${r0.clockMhz} MHz, ${r0.mode} mode`;
  const fastest = Math.min(...reports.map((r) => r.cycles));
  const rows: string[][] = [];
  const row = (label: string, f: (r: LutLinearReport) => string) => rows.push([label, ...reports.map(f)]);
  const B = V80_BUILD_RESOURCES;
  row('cycles', (r) => int(r.cycles));
  row('time (us)', (r) => r.timeUs.toFixed(2));
  row('vs fastest', (r) => `${(r.cycles / fastest).toFixed(2)}x`);
  row('bound', (r) => boundOf(r));
  row('bits streamed / weight', (r) => formatBits((8 * r.weights.bytes) / (r.shape.outFeatures * r.shape.inFeatures)));
  row(`PSum DSPs (of ${int(B.dsps)})`, (r) => int(r.assumptions.dsps));
  row(`PSum BRAM18 (of ${int(B.bram18)})`, (r) => int(r.assumptions.bram18));
  row(`PSum URAM (of ${int(B.uram)})`, (r) => int(r.assumptions.uram));
  row(`PSum LUTRAM LUTs (of ${int(B.luts)} LUTs)`, (r) => int(r.assumptions.lutramLuts));
  row('tiles (blocks x tiles)', (r) => `${r.blocks} x ${r.tilesPerBlock}`);
  row('weight stream bytes', (r) => int(r.weights.bytes));
  row('weight B/cycle (peak)', (r) => `${r.weights.achievedBytesPerCycle.toFixed(1)} (${r.weights.peakBytesPerCycle})`);
  row('weight HBM utilisation', (r) => pct(r.weights.utilisation));
  row('weight GB/s (peak)', (r) => `${r.weights.achievedGBps.toFixed(1)} (${r.weights.peakGBps.toFixed(1)})`);
  row('all HBM GB/s', (r) => r.hbm.reduce((s, h) => s + h.achievedGBps, 0).toFixed(1));
  row('bottleneck', (r) => `${r.bottleneck.name} ${pct(r.bottleneck.utilisation)}`);
  const actors: string[] = [];
  for (const r of reports) for (const s of r.stages) if (!actors.includes(s.actor)) actors.push(s.actor);
  for (const a of actors) row(`util ${a}`, (r) => {
    const s = r.stages.find((x) => x.actor === a);
    return s ? pct(s.utilisation) : '-';
  });
  const labels = reports.map((r) => r.assumptions.label);
  const why = reports.map((r) => `  ${r.assumptions.label}: ${r.bottleneck.kind} ${r.bottleneck.name}: ${r.bottleneck.why}`);
  const assume = reports.map((r) => `  ${r.assumptions.label}: ${r.assumptions.computes}; tables: ${r.assumptions.tableStorage}`);
  const budget =
    `budget: ${B.source}: ${int(B.luts)} LUTs, ${int(B.dsps)} DSPs, ${int(B.bram18)} BRAM18, ${int(B.uram)} URAM; ` +
    'every PSum stage gets the DSPs of the 2D-table matcher chain (iso-DSP); the rows count the PSum stage only';
  return [head, table(['', ...labels], rows), 'assumptions:', ...assume, budget, 'bottleneck detail:', ...why].join('\n');
}

/** The emulated bound in hardware terms: the weight stream, the PSum arithmetic, or another stage. */
function boundOf(r: LutLinearReport): string {
  const n = r.bottleneck.name;
  if (n === 'hbm.weights') return 'memory (weight stream)';
  if (n === 'lut-psum') return r.variant === 'co-quant' ? 'look-ups' : r.assumptions.label === 'weight-only' ? 'compute (DSPs)' : 'FP32 adds';
  return n;
}

function formatBits(b: number): string {
  return Number.isInteger(b) ? String(b) : b.toFixed(2);
}
