/** Objectives of a point, each to be minimised. */
export type Objectives = readonly number[];

/** a dominates b: no worse in every objective and better in at least one (all minimised). */
export function dominates(a: Objectives, b: Objectives): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) return false;
    if (a[i]! < b[i]!) better = true;
  }
  return better;
}

/**
 * Which points are on the Pareto front (no other point dominates them). Points with an undefined
 * objective vector (infeasible or failed) are never on it and never dominate. O(n^2): sweeps are
 * hundreds of points.
 */
export function paretoFront(points: readonly (Objectives | undefined)[]): boolean[] {
  return points.map((p, i) => p !== undefined && !points.some((q, j) => j !== i && q !== undefined && dominates(q, p)));
}
