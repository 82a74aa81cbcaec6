/** Per-actor cycle accounting: busy + stalls + idle = the run's cycles. */
export interface ActorSummary {
  readonly actor: string;
  readonly firings: number;
  readonly busyCycles: number;
  readonly stalledEmptyCycles: number;
  readonly stalledFullCycles: number;
  readonly stalledContentionCycles: number;
  /** Part of busyCycles spent being served by shared resources beyond the II (memory-bound). */
  readonly resourceBoundCycles: number;
  readonly idleCycles: number;
  /** busyCycles / run cycles. */
  readonly utilisation: number;
}

export interface FifoSummary {
  readonly fifo: string;
  readonly depth: number;
  readonly tokens: number;
  readonly maxOccupancy: number;
  /**
   * The least depth at which none of this run's writes would have stalled (tokens held plus a
   * slot freed in the previous cycle, which a write cannot reuse yet). Exact in a run where
   * the FIFO never filled: `suggestFifoDepths` reads it from a run with unbounded FIFOs.
   */
  readonly stallFreeDepth: number;
  /** Cycles its producer was stalled because it was full. */
  readonly fullStallCycles: number;
  /** Cycles its consumer was stalled because it was empty (including tokens still in flight). */
  readonly emptyStallCycles: number;
}

export interface ResourceSummary {
  readonly resource: string;
  readonly unit: string;
  readonly unitsPerCycle: number;
  readonly unitsServed: number;
  readonly grants: number;
  /** Cycles in which at least one unit was served. */
  readonly busyCycles: number;
  /** unitsServed / (unitsPerCycle * run cycles): the fraction of peak bandwidth or ports used. */
  readonly utilisation: number;
  /** Cycles requesters spent waiting for it. */
  readonly contentionCycles: number;
}

/** One entry of the bottleneck ranking. */
export interface Bottleneck {
  readonly kind: 'actor' | 'resource';
  readonly name: string;
  /**
   * Fraction of the run it limited progress: for actors, cycles busy on their own work (II) or
   * waiting for a resource; for resources, cycles in which they served at least one unit.
   */
  readonly utilisation: number;
  /** Plain-language reason, citing the stalls it causes. */
  readonly why: string;
}

export interface RunSummary {
  readonly graph: string;
  readonly cycles: number;
  readonly actors: readonly ActorSummary[];
  readonly fifos: readonly FifoSummary[];
  readonly resources: readonly ResourceSummary[];
  /** Most limiting first. */
  readonly bottlenecks: readonly Bottleneck[];
}

/** Fixed-width text table of a summary, for terminals and logs. */
export function formatSummary(s: RunSummary, opts: { clockMhz?: number } = {}): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const out: string[] = [];
  const time = opts.clockMhz ? ` (${(s.cycles / opts.clockMhz).toFixed(2)} us at ${opts.clockMhz} MHz)` : '';
  out.push(`graph '${s.graph}': ${s.cycles.toLocaleString('en-US')} cycles${time}`);
  const rows = s.actors.map((a) => [
    a.actor,
    String(a.firings),
    pct(a.utilisation),
    String(a.busyCycles),
    String(a.stalledEmptyCycles),
    String(a.stalledFullCycles),
    String(a.stalledContentionCycles),
    String(a.idleCycles),
  ]);
  out.push(table(['actor', 'firings', 'util', 'busy', 'stall-empty', 'stall-full', 'stall-contention', 'idle'], rows));
  const fifoRows = s.fifos
    .filter((f) => f.fullStallCycles > 0 || f.emptyStallCycles > 0)
    .map((f) => [f.fifo, `${f.maxOccupancy}/${f.depth}`, String(f.tokens), String(f.fullStallCycles), String(f.emptyStallCycles)]);
  if (fifoRows.length > 0) out.push(table(['fifo', 'max occ/depth', 'tokens', 'full-stall', 'empty-stall'], fifoRows));
  if (s.resources.length > 0) {
    out.push(
      table(
        ['resource', 'util', 'served', 'grants', 'busy cycles', 'contention'],
        s.resources.map((r) => [r.resource, pct(r.utilisation), `${r.unitsServed} ${r.unit}`, String(r.grants), String(r.busyCycles), String(r.contentionCycles)]),
      ),
    );
  }
  out.push('bottlenecks (most limiting first):');
  s.bottlenecks.slice(0, 5).forEach((b, i) => out.push(`  ${i + 1}. ${b.kind} ${b.name} ${pct(b.utilisation)}: ${b.why}`));
  return out.join('\n');
}

/** A plain fixed-width table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
