import type { SweepState } from './retime-state.js';

/** Where a grant started and who held the resource before it (-1: nobody), as `Grant`. */
export interface GrantOut {
  start: number;
  heldBy: number;
}

/**
 * `SharedResource.grant` on the calendar of resource r kept in a sweep's state (cursor, units
 * used in it, last owner), without allocating: serves `units` for `owner` not before `cycle`
 * at `cap` units per cycle; returns the end cycle, the start and holder in `out`.
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
  if (used === cap) {
    cursor++;
    used = 0;
  }
  const start = cursor;
  const firstFree = cap - used;
  let end: number;
  if (units <= firstFree) {
    end = start + 1;
    used += units;
  } else {
    const rest = units - firstFree;
    const full = Math.ceil(rest / cap);
    end = start + 1 + full;
    cursor = end - 1;
    used = rest - (full - 1) * cap;
  }
  if (used === cap) {
    cursor = end;
    used = 0;
  }
  st.cursor[r] = cursor;
  st.used[r] = used;
  st.owner[r] = owner;
  out.start = start;
  return end;
}
