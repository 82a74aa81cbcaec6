/**
 * Shared resources: a memory bank with P ports per cycle, an HBM channel with B bytes per cycle.
 * Several actors request units (port accesses, bytes); the resource serves `unitsPerCycle` units
 * each cycle. Requests made in the same cycle are ordered by the arbitration policy; requests
 * from different cycles are served first-come first-served. A request that has to wait is
 * *stalled on contention* and the trace names the requester that held the resource.
 */
export type ArbitrationPolicy =
  /** Rotating priority: the requester after the last one granted goes first (hardware RR arbiter). */
  | { readonly kind: 'round-robin' }
  /** Fixed priority: lower number wins; unlisted actors come last, in graph order. */
  | { readonly kind: 'priority'; readonly order: Readonly<Record<string, number>> };

export interface ResourceSpec {
  readonly name: string;
  /** Units served per cycle (ports of a memory, bytes per cycle of a channel). Integer >= 1. */
  readonly unitsPerCycle: number;
  /** What a unit is, for the trace and summary ('port-access', 'bytes'...). */
  readonly unit?: string;
  readonly arbitration?: ArbitrationPolicy;
}

/** One grant: `units` served over cycles [startCycle, endCycle). */
export interface Grant {
  readonly startCycle: number;
  readonly endCycle: number;
  /** Actor served just before this grant when it had to wait (the holder), else undefined. */
  readonly heldBy: number | undefined;
}

/**
 * The resource's calendar: a cursor at the first cycle with spare capacity. Serving sequentially
 * from the cursor is exact for a work-conserving server of fixed rate, which is what a memory port
 * or an HBM channel is at this level of detail.
 */
export class SharedResource {
  readonly name: string;
  readonly unitsPerCycle: number;
  readonly unit: string;
  readonly arbitration: ArbitrationPolicy;
  private cursorCycle = 0;
  private usedInCursor = 0;
  private lastOwner: number | undefined;
  /** Last actor granted, for round-robin. */
  lastGranted = -1;
  /** Units served in total, and cycles in which at least one unit was served. */
  unitsServed = 0;
  busyCycles = 0;
  grants = 0;

  constructor(spec: ResourceSpec) {
    if (!Number.isInteger(spec.unitsPerCycle) || spec.unitsPerCycle < 1) {
      throw new RangeError(`resource '${spec.name}': unitsPerCycle must be an integer >= 1, got ${spec.unitsPerCycle}`);
    }
    this.name = spec.name;
    this.unitsPerCycle = spec.unitsPerCycle;
    this.unit = spec.unit ?? 'unit';
    this.arbitration = spec.arbitration ?? { kind: 'round-robin' };
  }

  /** Serves `units` for `owner`, not before `cycle`. */
  grant(owner: number, cycle: number, units: number): Grant {
    if (!Number.isInteger(units) || units < 0) throw new RangeError(`resource '${this.name}': a request must be a whole number >= 0 of ${this.unit}s, got ${units}`);
    const cap = this.unitsPerCycle;
    let heldBy: number | undefined;
    if (cycle >= this.cursorCycle) {
      if (cycle > this.cursorCycle || this.usedInCursor === 0) {
        this.cursorCycle = cycle;
        this.usedInCursor = 0;
      }
    }
    if (this.cursorCycle > cycle || (this.cursorCycle === cycle && this.usedInCursor > 0 && this.lastOwner !== owner)) {
      heldBy = this.lastOwner;
    }
    if (units === 0) return { startCycle: Math.max(cycle, this.cursorCycle), endCycle: Math.max(cycle, this.cursorCycle), heldBy: undefined };
    if (this.usedInCursor === cap) {
      this.cursorCycle++;
      this.usedInCursor = 0;
    }
    const startCycle = this.cursorCycle;
    const firstFree = cap - this.usedInCursor;
    let endCycle: number;
    if (units <= firstFree) {
      endCycle = startCycle + 1;
      this.usedInCursor += units;
      this.busyCycles += this.usedInCursor === units ? 1 : 0;
    } else {
      const rest = units - firstFree;
      const fullCycles = Math.ceil(rest / cap);
      endCycle = startCycle + 1 + fullCycles;
      this.busyCycles += (this.usedInCursor === 0 ? 1 : 0) + fullCycles;
      this.cursorCycle = endCycle - 1;
      this.usedInCursor = rest - (fullCycles - 1) * cap;
    }
    if (this.usedInCursor === cap) {
      this.cursorCycle = endCycle;
      this.usedInCursor = 0;
    }
    this.lastOwner = owner;
    this.lastGranted = owner;
    this.unitsServed += units;
    this.grants++;
    return { startCycle, endCycle, heldBy };
  }
}
