/** Index of the largest value (the first one on ties); throws on an empty input. */
export function argmax(x: ArrayLike<number>): number {
  if (x.length === 0) throw new RangeError('argmax: empty input');
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}
