import { table } from '@lut-llm/core';
import type { LutLinearReport } from './run.js';

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
  row('cycles', (r) => int(r.cycles));
  row('time (us)', (r) => r.timeUs.toFixed(2));
  row('vs fastest', (r) => `${(r.cycles / fastest).toFixed(2)}x`);
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
  const why = reports.map((r) => `  ${r.variant}: ${r.bottleneck.kind} ${r.bottleneck.name}: ${r.bottleneck.why}`);
  return [head, table(['', ...reports.map((r) => r.variant)], rows), 'bottleneck detail:', ...why].join('\n');
}
