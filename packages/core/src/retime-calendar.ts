import { serveOnCalendar, type CalendarSlot } from './resource.js';
import type { SweepState } from './retime-state.js';

/** Scratch calendar the typed-array state is loaded into for one grant (no allocation per grant). */
const slot: CalendarSlot = { cursor: 0, used: 0, start: 0, usedAtStart: 0 };

/** Where a grant started and who held the resource before it (-1: nobody), as `Grant`. */
export interface GrantOut {
  start: number;
  heldBy: number;
}

/**
 * `SharedResource.grant` on the calendar of resource r kept in a sweep's state (cursor, units
 * used in it, last owner), without allocating: serves `units` for `owner` not before `cycle`
 * at `cap` units per cycle (the same `serveOnCalendar` arithmetic); returns the end cycle, the
 * start and holder in `out`.
 */
export function grantOn(st: SweepState, r: number, cap: number, owner: number, cycle: number, units: number, out: GrantOut): number {
  let cursor = st.cursor[r]!;
  let used = st.used[r]!;
  if (cycle >= cursor && (cycle > cursor || used === 0)) {
    cursor = cycle;
    used = 0;
  }
  out.heldBy = cursor > cycle || (cursor === cycle && used > 0 && st.owner[r] !== owner) ? st.owner[r]! : -1;
  if (units === 0) {
    st.cursor[r] = cursor;
    st.used[r] = used;
    out.start = cycle;
    out.heldBy = -1;
    return cycle;
  }
  slot.cursor = cursor;
  slot.used = used;
  const end = serveOnCalendar(slot, cap, units);
  st.cursor[r] = slot.cursor;
  st.used[r] = slot.used;
  st.owner[r] = owner;
  out.start = slot.start;
  return end;
}
