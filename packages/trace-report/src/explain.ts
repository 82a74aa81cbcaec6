import type { ActorTotals, FifoNode, ReportBottleneck, ResourceNode } from './schema.js';

/** Below this share of the pass, the top-ranked unit does not dominate it (as `lut-llm run` says). */
export const SATURATED_SHARE = 0.6;

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

export interface RankInput {
  readonly cycles: number;
  readonly groups: readonly string[];
  readonly totals: readonly ActorTotals[];
  /** Part of an actor's busy cycles spent being served by shared resources beyond its II (core's resourceBoundCycles; 0 when unknown). */
  readonly resourceBound: (actor: string) => number;
  readonly resources: readonly ResourceNode[];
  readonly fifos: readonly FifoNode[];
  /** Cycles the group's actors spent being served by the resource (grant spans). */
  readonly servedCycles: (group: string, resource: string) => number;
}

/** What would move a resource bottleneck, in hardware terms. */
function resourceRemedy(r: ResourceNode): string {
  if (r.unit === 'bytes') return 'more HBM channels for this stream or fewer bytes through it (fewer bits per weight, smaller tables)';
  if (r.unit === 'port-access') return 'more ports (replicated table banks) or fewer accesses per cycle';
  return `more ${r.unit} per cycle`;
}

/**
 * Ranks what limits a pass, with the same measure as the accelerator's pass report (and core's
 * rankBottlenecks for ungrouped graphs): a group (hardware unit) by the cycles its actors were
 * busy on their own work (busy minus time being served by a resource beyond the II) or waiting
 * for a shared resource; a resource by the cycles it served at least one unit. Each entry says in
 * words why, and what would move it.
 */
export function rankGroups(input: RankInput): ReportBottleneck[] {
  const { cycles, totals, resources, fifos } = input;
  const byGroup = new Map<string, { actors: string[]; own: number; contention: number; busy: number }>();
  for (const t of totals) {
    const e = byGroup.get(t.group) ?? { actors: [], own: 0, contention: 0, busy: 0 };
    const contention = t.causes.filter((c) => c.state === 'contention').reduce((s, c) => s + c.cycles, 0);
    e.actors.push(t.actor);
    e.busy += t.busy;
    e.own += t.busy - input.resourceBound(t.actor);
    e.contention += contention;
    byGroup.set(t.group, e);
  }
  const fifoByName = new Map(fifos.map((f) => [f.name, f]));
  const share = (x: number) => (cycles > 0 ? x / cycles : 0);
  const list: ReportBottleneck[] = [];
  for (const r of resources) {
    const busyCycles = r.busyCycles > 0 ? r.busyCycles : r.unitsServed / r.unitsPerCycle;
    const waiting = input.groups
      .map((g) => ({ g, cycles: input.servedCycles(g, r.name) + totals.filter((t) => t.group === g).reduce((s, t) => s + t.causes.filter((c) => c.state === 'contention' && c.on === r.name).reduce((a, c) => a + c.cycles, 0), 0) }))
      .filter((w) => w.cycles > 0)
      .sort((a, b) => b.cycles - a.cycles);
    const rateWhileBusy = busyCycles > 0 ? r.unitsServed / (r.unitsPerCycle * busyCycles) : 0;
    const who = waiting[0];
    const lead = who ? `${who.g} waits on ${r.name} ${pct(Math.min(1, share(who.cycles)))} of the pass (served or queued)` : `${r.name} is used`;
    list.push({
      kind: 'resource',
      name: r.name,
      share: share(busyCycles),
      why: `busy in ${Math.round(busyCycles)} of ${cycles} cycles; ${Math.round(r.unitsServed)} ${r.unit} at ${r.unitsPerCycle} ${r.unit}/cycle peak` + (r.contentionCycles > 0 ? `; requesters queued ${r.contentionCycles} cycles` : ''),
      explanation:
        `${lead}: ${r.name} is busy ${pct(share(busyCycles))} of the pass and runs at ${pct(rateWhileBusy)} of its peak while busy, ` +
        `so ${resourceRemedy(r)} move the bottleneck.`,
    });
  }
  for (const [g, e] of byGroup) {
    const s = share(e.own + e.contention);
    const inputs = new Set<string>();
    for (const t of totals) if (t.group === g) for (const c of t.causes) if (c.state === 'starved') inputs.add(c.on);
    // Producers blocked on FIFOs this group reads: back-pressure it imposes.
    const members = new Set(e.actors);
    const pressed = fifos.filter((f) => members.has(f.consumer) && !members.has(f.producer) && f.fullStallCycles > 0).sort((a, b) => b.fullStallCycles - a.fullStallCycles);
    const pressure = pressed.reduce((x, f) => x + f.fullStallCycles, 0);
    const parts = [`busy ${Math.round(e.own)} of ${cycles} cycles on its own work over ${e.actors.length} instance(s)`];
    if (e.contention > 0) parts.push(`waited ${Math.round(e.contention)} cycles for shared resources`);
    if (pressure > 0) parts.push(`producers blocked ${Math.round(pressure)} cycles on its inputs`);
    const top = pressed[0] ? fifoByName.get(pressed[0].name) : undefined;
    let explanation = `${g} is busy on its own work ${pct(s)} of the pass`;
    // Summed over parallel producers, so in producer-cycles (it can exceed the pass length).
    if (top && share(pressure) >= 0.01) explanation += `; producers waited ${Math.round(pressure).toLocaleString('en-US')} producer-cycles on its full inputs (most on '${top.name}', depth ${top.depth}, peak ${top.peakOccupancy})`;
    explanation += s >= SATURATED_SHARE ? `, so a faster ${g} (lower II, more lanes) moves the bottleneck.` : `; no unit is busy most of the pass: units work in turn, so the pass length is set by that sequence rather than by one saturated unit.`;
    list.push({ kind: 'group', name: g, share: s, why: parts.join('; '), explanation });
  }
  // Stable: on a tie resources come first, then groups in graph order (as the accelerator's pass report).
  return list.sort((x, y) => y.share - x.share);
}
