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
/** A resource's calendar (`cursor`: the cycle being filled; `used`: units of it taken) and the last grant's start. */
export interface CalendarSlot {
  cursor: number;
  used: number;
  /** First cycle the last grant served in, and the units of that cycle already taken before it. */
  start: number;
  usedAtStart: number;
}

/**
 * One grant's arithmetic on a calendar: serves `units` (> 0) at `cap` per cycle from the cursor
 * on (the caller has moved the cursor to the request's cycle), sets `c.start` / `c.usedAtStart`
 * and returns the end cycle. Shared by {@link SharedResource.grant} and re-timing's
 * allocation-free calendars (retime-calendar.ts), so both serve alike.
 */
export function serveOnCalendar(c: CalendarSlot, cap: number, units: number): number {
  if (c.used === cap) {
    c.cursor++;
    c.used = 0;
  }
  const start = c.cursor;
  c.start = start;
  c.usedAtStart = c.used;
  const firstFree = cap - c.used;
  let end: number;
  if (units <= firstFree) {
    end = start + 1;
    c.used += units;
  } else {
    const rest = units - firstFree;
    const full = Math.ceil(rest / cap);
    end = start + 1 + full;
    c.cursor = end - 1;
    c.used = rest - (full - 1) * cap;
  }
  if (c.used === cap) {
    c.cursor = end;
    c.used = 0;
  }
  return end;
}

export class SharedResource {
  readonly name: string;
  readonly unitsPerCycle: number;
  readonly unit: string;
  readonly arbitration: ArbitrationPolicy;
  /** The calendar: the cycle being filled and the units of it taken. */
  private readonly cal: CalendarSlot = { cursor: 0, used: 0, start: 0, usedAtStart: 0 };
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

  /** The last grant (reused: `grant` returns it, the callers read it at once). */
  private readonly last: { startCycle: number; endCycle: number; heldBy: number | undefined } = { startCycle: 0, endCycle: 0, heldBy: undefined };

  /** Serves `units` for `owner`, not before `cycle`. The result is valid until the next call. */
  grant(owner: number, cycle: number, units: number): Grant {
    if (!Number.isInteger(units) || units < 0) throw new RangeError(`resource '${this.name}': a request must be a whole number >= 0 of ${this.unit}s, got ${units}`);
    const cap = this.unitsPerCycle;
    let heldBy: number | undefined;
    const cal = this.cal;
    if (cycle >= cal.cursor && (cycle > cal.cursor || cal.used === 0)) {
      cal.cursor = cycle;
      cal.used = 0;
    }
    if (cal.cursor > cycle || (cal.cursor === cycle && cal.used > 0 && this.lastOwner !== owner)) {
      heldBy = this.lastOwner;
    }
    // Nothing to serve: nothing to wait for (a firing that needs no units of this resource).
    const g = this.last;
    if (units === 0) {
      g.startCycle = cycle;
      g.endCycle = cycle;
      g.heldBy = undefined;
      return g;
    }
    const endCycle = serveOnCalendar(this.cal, cap, units);
    // Cycles this grant starts serving in: its first unless an earlier grant already did, plus the whole ones after.
    this.busyCycles += (this.cal.usedAtStart === 0 ? 1 : 0) + (endCycle - this.cal.start - 1);
    const startCycle = this.cal.start;
    this.lastOwner = owner;
    this.lastGranted = owner;
    this.unitsServed += units;
    this.grants++;
    g.startCycle = startCycle;
    g.endCycle = endCycle;
    g.heldBy = heldBy;
    return g;
  }
}

/** A group of N identical channels with address interleaving (an HBM pseudo-channel group). */
export interface ResourceGroupSpec {
  readonly name: string;
  readonly channels: number;
  /** Units (bytes) per cycle of each channel. */
  readonly unitsPerCycle: number;
  /** Bytes of consecutive addresses on one channel before the next channel takes over. */
  readonly interleaveBytes: number;
  readonly unit?: string;
  readonly arbitration?: ArbitrationPolicy;
}

/** The channels of a group as resources `name[0]` .. `name[N-1]`, for `GraphBuilder.resource`. */
export function resourceGroup(spec: ResourceGroupSpec): ResourceSpec[] {
  checkGroup(spec);
  return Array.from({ length: spec.channels }, (_, c) => ({
    name: channelName(spec.name, c),
    unitsPerCycle: spec.unitsPerCycle,
    unit: spec.unit ?? 'bytes',
    ...(spec.arbitration ? { arbitration: spec.arbitration } : {}),
  }));
}

/**
 * The requests of an access of `bytes` bytes at `address` on an interleaved group: address a is
 * on channel floor(a / interleaveBytes) mod N, so an access touches the channels its range covers,
 * each for the bytes it holds. Two accesses collide (and wait, as contention) only where their
 * ranges map to the same channel.
 */
export function interleavedRequests(spec: ResourceGroupSpec, address: number, bytes: number): { resource: string; units: number }[] {
  checkGroup(spec);
  if (!Number.isInteger(address) || address < 0) throw new RangeError(`resource group '${spec.name}': address must be an integer >= 0, got ${address}`);
  if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`resource group '${spec.name}': bytes must be an integer >= 0, got ${bytes}`);
  const per = new Float64Array(spec.channels);
  const il = spec.interleaveBytes;
  let a = address;
  const end = address + bytes;
  // Whole interleave rounds cover every channel equally; only the partial ends are walked.
  while (a < end) {
    const stripe = Math.floor(a / il);
    const stop = Math.min(end, (stripe + 1) * il);
    per[stripe % spec.channels] += stop - a;
    a = stop;
    if (end - a >= il * spec.channels) {
      const rounds = Math.floor((end - a) / (il * spec.channels));
      for (let c = 0; c < spec.channels; c++) per[c] += rounds * il;
      a += rounds * il * spec.channels;
    }
  }
  const out: { resource: string; units: number }[] = [];
  per.forEach((u, c) => {
    if (u > 0) out.push({ resource: channelName(spec.name, c), units: u });
  });
  return out;
}

function channelName(group: string, c: number): string {
  return `${group}[${c}]`;
}

function checkGroup(spec: ResourceGroupSpec): void {
  if (!Number.isInteger(spec.channels) || spec.channels < 1) throw new RangeError(`resource group '${spec.name}': channels must be an integer >= 1, got ${spec.channels}`);
  if (!Number.isInteger(spec.interleaveBytes) || spec.interleaveBytes < 1) throw new RangeError(`resource group '${spec.name}': interleaveBytes must be an integer >= 1, got ${spec.interleaveBytes}`);
}
