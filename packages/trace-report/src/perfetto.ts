import type { ChromeTraceEvent } from '@lut-llm/core';
import { TIMELINE_STATES, type PassTrace } from './schema.js';

const PID_G = 1;
const PID_F = 2;
const PID_R = 3;

/**
 * A pass's aggregates as Chrome/Perfetto trace JSON (1 cycle = 1 us, raw cycles in args): per
 * timeline group and window of the finest level, one slice named by the state its actors spent
 * most of their non-idle time in (all states' cycles in args); FIFO peak occupancy and resource
 * units served per counter window as counter tracks. Its size follows the window counts, not
 * the run's length, so whole-model passes stay loadable in ui.perfetto.dev.
 */
export function passToPerfetto(
  pass: PassTrace,
  opts: {
    clockMhz?: number;
    title?: string;
    /** Where the pass starts on the trace's time axis (passes laid one after another), cycles. */
    startCycle?: number;
    /** Process ids pidBase + 1..3 (one set per pass in a multi-pass trace). */
    pidBase?: number;
  } = {},
): { traceEvents: ChromeTraceEvent[]; displayTimeUnit: 'ns'; metadata: Record<string, unknown> } {
  const t0 = opts.startCycle ?? 0;
  const base = opts.pidBase ?? 0;
  const [PID_GROUPS, PID_FIFOS, PID_RESOURCES] = [base + PID_G, base + PID_F, base + PID_R];
  const out: ChromeTraceEvent[] = [
    { name: 'process_name', ph: 'M', pid: PID_GROUPS, args: { name: `${pass.label}: units (windows of ${pass.timeline.levels[0]!.windowCycles} cycles)` } },
    { name: 'process_name', ph: 'M', pid: PID_FIFOS, args: { name: `${pass.label}: FIFO peak occupancy per window` } },
    { name: 'process_name', ph: 'M', pid: PID_RESOURCES, args: { name: `${pass.label}: units served per window` } },
  ];
  const lvl = pass.timeline.levels[0]!;
  const body: ChromeTraceEvent[] = [];
  pass.timeline.groups.forEach((g, gi) => {
    out.push({ name: 'thread_name', ph: 'M', pid: PID_GROUPS, tid: gi + 1, args: { name: g } });
    for (let w = 0; w < lvl.windows; w++) {
      const i = gi * lvl.windows + w;
      const v = TIMELINE_STATES.map((s) => lvl[s][i]!);
      if (v.every((x) => x === 0)) continue;
      let best = 0;
      for (let s = 1; s < v.length; s++) if (v[s]! > v[best]!) best = s;
      const start = w * lvl.windowCycles;
      const dur = Math.min(lvl.windowCycles, pass.cycles - start);
      const args: Record<string, unknown> = { windowStartCycle: start };
      TIMELINE_STATES.forEach((s, k) => (args[s] = v[k]));
      body.push({ name: TIMELINE_STATES[best]!, cat: 'unit', ph: 'X', pid: PID_GROUPS, tid: gi + 1, ts: t0 + start, dur, args });
    }
  });
  const W = pass.counters.windowCycles;
  for (const f of pass.counters.fifos) f.peak.forEach((p, w) => (w === 0 || p !== f.peak[w - 1]) && body.push({ name: f.name, cat: 'fifo', ph: 'C', pid: PID_FIFOS, ts: t0 + w * W, args: { peakOccupancy: p } }));
  for (const r of pass.counters.resources) r.served.forEach((u, w) => body.push({ name: r.name, cat: 'resource', ph: 'C', pid: PID_RESOURCES, ts: t0 + w * W, args: { [`${r.unit}PerCycle`]: u / W } }));
  body.sort((a, b) => a.ts! - b.ts!);
  out.push(...body);
  return { traceEvents: out, displayTimeUnit: 'ns', metadata: { 'lut-llm-emu': { timeUnit: '1 us in the viewer = 1 kernel clock cycle', pass: pass.label, clockMhz: opts.clockMhz, title: opts.title } } };
}
