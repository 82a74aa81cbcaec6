import { TIMELINE_STATES, type PassTrace, type TimelineLevel, type TraceReport } from '@lut-llm/trace-report/schema';

/** What the user clicked: a timeline group (unit), a FIFO or a shared resource. */
export type Selection = { readonly kind: 'group' | 'fifo' | 'resource'; readonly name: string } | null;

export const STATE_COLOURS: Readonly<Record<string, string>> = {
  busy: '#2e9e5b',
  starved: '#8aa4c8',
  blocked: '#d64545',
  contention: '#f0a030',
  idle: '#e4e6eb',
};

export interface GroupTotals {
  readonly group: string;
  readonly actors: number;
  busy: number;
  starved: number;
  blocked: number;
  contention: number;
  idle: number;
}

/** Cycles per state of each timeline group (sum over its actors). */
export function groupTotals(pass: PassTrace): GroupTotals[] {
  const m = new Map<string, GroupTotals>();
  pass.timeline.groups.forEach((g, i) => m.set(g, { group: g, actors: pass.timeline.groupActors[i] ?? 0, busy: 0, starved: 0, blocked: 0, contention: 0, idle: 0 }));
  for (const t of pass.totals) {
    const e = m.get(t.group);
    if (!e) continue;
    e.busy += t.busy;
    e.idle += t.idle;
    for (const c of t.causes) e[c.state] += c.cycles;
  }
  return [...m.values()];
}

/**
 * Stalled share of a group's working cycles: blocked on a full output or waiting for a shared
 * resource, over busy + those. Starvation is left out: instances of a unit run in turn, so most
 * of them wait for input most of the time, which says nothing about the unit itself.
 */
export function stallShare(g: GroupTotals): number {
  const stalls = g.blocked + g.contention;
  const active = g.busy + stalls;
  return active > 0 ? stalls / active : 0;
}

/** The coarsest level that still shows at least `minWindows` windows across [from, to) cycles. */
export function levelFor(levels: readonly TimelineLevel[], from: number, to: number, maxWindows = 800): TimelineLevel {
  const span = Math.max(1, to - from);
  for (const l of levels) if (span / l.windowCycles <= maxWindows) return l;
  return levels[levels.length - 1]!;
}

/** One drawn bar: a run of windows of one group in one dominant state. */
export interface StateRun {
  readonly row: number;
  readonly start: number;
  readonly end: number;
  readonly state: string;
  /** Cycles in the state per window cycle (capped at 1): 1 = one actor all the time. */
  readonly active: number;
}

/**
 * The bars of the timeline between [from, to) at `level`: per group and window the state its
 * actors spent most non-idle cycles in; consecutive windows in the same state merge.
 */
export function stateRuns(pass: PassTrace, level: TimelineLevel, rows: readonly number[], from: number, to: number): StateRun[] {
  const out: StateRun[] = [];
  const W = level.windowCycles;
  const w0 = Math.max(0, Math.floor(from / W));
  const w1 = Math.min(level.windows, Math.ceil(to / W));
  rows.forEach((gi, row) => {
    let cur: { start: number; end: number; state: string; activeSum: number; n: number } | null = null;
    const flush = () => {
      if (cur) out.push({ row, start: cur.start, end: Math.min(cur.end, pass.cycles), state: cur.state, active: cur.activeSum / cur.n });
      cur = null;
    };
    for (let w = w0; w < w1; w++) {
      const i = gi * level.windows + w;
      // Instances of a unit run in turn, so most of a unit's actors wait for input at any
      // time: a window shows the busiest of busy / blocked / contention, and starved only
      // when none of those happened.
      let best = -1;
      let bestV = 0;
      TIMELINE_STATES.forEach((s, k) => {
        const v = level[s][i]!;
        if (s !== 'starved' && v > bestV) {
          bestV = v;
          best = k;
        }
      });
      if (best < 0 && level.starved[i]! > 0) {
        best = 1;
        bestV = level.starved[i]!;
      }
      if (best < 0) {
        flush();
        continue;
      }
      const state = TIMELINE_STATES[best]!;
      // Full strength when at least one actor spent the whole window in that state.
      const active = Math.min(1, bestV / W);
      if (cur && (cur as { state: string }).state === state) {
        const c = cur as { end: number; activeSum: number; n: number };
        c.end = (w + 1) * W;
        c.activeSum += active;
        c.n++;
      } else {
        flush();
        cur = { start: w * W, end: (w + 1) * W, state, activeSum: active, n: 1 };
      }
    }
    flush();
  });
  return out;
}

/** Cycles as a time at the report's clock. */
export function cyclesText(cycles: number, clockMhz: number): string {
  const us = cycles / clockMhz;
  const t = us >= 1000 ? `${(us / 1000).toFixed(3)} ms` : `${us.toFixed(2)} us`;
  return `${Math.round(cycles).toLocaleString('en-US')} cycles (${t} at ${clockMhz} MHz)`;
}

export const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

/** The group an actor, FIFO or resource belongs to, for filters. */
export function groupsOf(pass: PassTrace, sel: Selection): Set<string> | null {
  if (!sel) return null;
  if (sel.kind === 'group') return new Set([sel.name]);
  const groupOf = new Map(pass.graph.actors.map((a) => [a.name, a.group]));
  if (sel.kind === 'fifo') {
    const f = pass.graph.fifos.find((x) => x.name === sel.name);
    return new Set(f ? [groupOf.get(f.producer) ?? '', groupOf.get(f.consumer) ?? ''] : []);
  }
  const r = pass.graph.resources.find((x) => x.name === sel.name);
  return new Set(r ? r.users.map((u) => groupOf.get(u) ?? '') : []);
}

export type Report = TraceReport;
