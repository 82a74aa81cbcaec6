/**
 * Input validation shared by every entry point of the package. All thrown errors are
 * `VqInputError`s whose message names the culprit (argument, index, expected vs actual).
 */

/** Thrown for any invalid argument: bad shape, bad configuration, non-finite data. */
export class VqInputError extends Error {
  override readonly name = 'VqInputError';
}

/** Throws unless `value` is an integer >= `min` (and <= `max` when given). */
export function assertInt(what: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new VqInputError(`${what} must be an integer ${range}, got ${String(value)}`);
  }
}

/** Throws unless `arr.length === expected`, explaining the expected shape. */
export function assertLength(what: string, arr: ArrayLike<number>, expected: number, shape: string): void {
  if (arr.length !== expected) {
    throw new VqInputError(`${what} has length ${arr.length}, expected ${expected} (${shape})`);
  }
}

/**
 * Throws on the first NaN or infinite element of a row-major [rows][cols] matrix, naming its
 * row and column (`what[row=..][col=..] is NaN`).
 */
export function assertFinite(what: string, arr: Float32Array, cols: number, rowName = 'row', colName = 'col'): void {
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i]!;
    if (x - x !== 0) {
      const r = Math.floor(i / cols);
      const c = i - r * cols;
      throw new VqInputError(`${what}[${rowName}=${r}][${colName}=${c}] is ${String(x)}; inputs must be finite`);
    }
  }
}

/** Throws unless `[start, end)` is a valid non-empty-or-empty sub-range of `[0, limit)`. */
export function assertRange(what: string, start: number, end: number, limit: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > limit) {
    throw new VqInputError(`${what} range [${start}, ${end}) is not a valid sub-range of [0, ${limit})`);
  }
}
