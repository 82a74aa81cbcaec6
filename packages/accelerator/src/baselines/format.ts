import { table } from '@lut-llm/core';
import type { AnalyticalBreakdown } from './analytical.js';
import type { LatencyEstimate } from './latency-estimate.js';
import type { LayerRooflineRow, RooflinePoint } from './roofline-points.js';

/** What one row of {@link formatComparison} needs; any {@link LatencyEstimate} is one. */
export type ComparisonRow = Pick<LatencyEstimate, 'system' | 'ttftSeconds' | 'decodeSecondsPerToken' | 'tokensPerSecond' | 'tokensPerJoule'> &
  Partial<Pick<LatencyEstimate, 'method' | 'notes'>>;

/** A number for a table cell: about 3-4 significant digits; "n/a" for NaN, "inf" for infinities. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a >= 1e6 || (a > 0 && a < 1e-3)) return x.toExponential(2);
  if (a >= 100) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/**
 * A text table of LUT-LLM vs GPUs: TTFT (ms), decode latency (ms/token), tokens/s (outputs over
 * the end-to-end time) and tokens/J (at board power), followed by each row's notes.
 */
export function formatComparison(rows: readonly ComparisonRow[]): string {
  const header = ['system', 'method', 'TTFT ms', 'decode ms/token', 'tokens/s', 'tokens/J'];
  const body = rows.map((r) => [
    r.system,
    r.method ?? '',
    formatNumber(r.ttftSeconds * 1e3),
    formatNumber(r.decodeSecondsPerToken * 1e3),
    formatNumber(r.tokensPerSecond),
    formatNumber(r.tokensPerJoule),
  ]);
  const notes = rows.flatMap((r) => r.notes ?? []);
  const legend =
    'tokens/s = output tokens / end-to-end time (TTFT + decode steps); tokens/J = that rate / board power ' +
    '(energy = board power x time, an upper bound)';
  return [table(header, body), '', legend, ...notes.map((n) => `* ${n}`)].join('\n');
}

function pointCells(p: RooflinePoint): string[] {
  const unit = p.opUnit === 'lookup' ? 'LU' : 'FLOP';
  return [
    `${formatNumber(p.intensityOpsPerByte)} ${unit}/B`,
    `${formatNumber(p.attainableOpsPerSecond / 1e12)} T${unit}/s`,
    p.bound,
  ];
}

/** A text table of {@link layerRooflinePoints}: per op, intensity, attainable throughput and bound on each system. */
export function formatRooflinePoints(rows: readonly LayerRooflineRow[]): string {
  if (rows.length === 0) return '(no roofline points)';
  const g = rows[0]!.gpu.system;
  const l = rows[0]!.lutLlm.system;
  const header = ['op', `${g}: intensity`, 'attainable', 'bound', `${l}: intensity`, 'attainable', 'bound'];
  const body = rows.map((r) => [r.op, ...pointCells(r.gpu), ...pointCells(r.lutLlm)]);
  return [
    table(header, body),
    '',
    'LU = table look-ups (LUT-LLM linear ops); GPU figures are a pure roofline (an upper bound on GPU performance).',
  ].join('\n');
}

/** A text table of an analytical breakdown: per operator, cycles per instance, instances, total, share and bound. */
export function formatAnalyticalBreakdown(b: AnalyticalBreakdown): string {
  const header = ['op', 'instances', 'cycles/instance', 'total cycles', 'share', 'bound'];
  const body = b.ops.map((o) => [
    o.name,
    String(o.instances),
    String(o.cyclesPerInstance),
    String(o.totalCycles),
    `${((100 * o.totalCycles) / b.totalCycles).toFixed(1)}%`,
    o.bound,
  ]);
  const title =
    `${b.phase} of ${b.model} on ${b.platform}: ${b.tokens} token(s), context ${b.context}: ` +
    `${b.totalCycles} cycles = ${formatNumber(b.seconds * 1e3)} ms at ${b.clockMhz} MHz`;
  return [title, table(header, body)].join('\n');
}
