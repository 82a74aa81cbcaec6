import { VqInputError } from './errors.js';

/**
 * Error metrics of a test output against a reference (normally the FP32 output), computed in
 * float64 over all elements.
 */
export interface OutputComparison {
  /** ||test - ref||_2 / ||ref||_2 (0 if both are zero, Infinity if only ref is zero). */
  readonly relativeL2Error: number;
  /** <ref, test> / (||ref|| ||test||) (1 if both are zero, 0 if exactly one is zero). */
  readonly cosineSimilarity: number;
  /** max |test - ref|. */
  readonly maxAbsError: number;
  /** 10 log10(sum ref^2 / sum (test - ref)^2) in dB (Infinity when exact). */
  readonly sqnrDb: number;
}

function sums(ref: Float32Array, test: Float32Array): { rr: number; tt: number; rt: number; ee: number; maxAbs: number } {
  if (ref.length !== test.length) throw new VqInputError(`compare: reference has length ${ref.length}, test has ${test.length}`);
  let rr = 0;
  let tt = 0;
  let rt = 0;
  let ee = 0;
  let maxAbs = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const t = test[i]!;
    const e = t - r;
    rr += r * r;
    tt += t * t;
    rt += r * t;
    ee += e * e;
    const a = Math.abs(e);
    if (a > maxAbs || a !== a) maxAbs = a;
  }
  return { rr, tt, rt, ee, maxAbs };
}

export function relativeL2Error(ref: Float32Array, test: Float32Array): number {
  const { rr, ee } = sums(ref, test);
  if (rr === 0) return ee === 0 ? 0 : Infinity;
  return Math.sqrt(ee / rr);
}

export function cosineSimilarity(ref: Float32Array, test: Float32Array): number {
  const { rr, tt, rt } = sums(ref, test);
  if (rr === 0 && tt === 0) return 1;
  if (rr === 0 || tt === 0) return 0;
  return rt / Math.sqrt(rr * tt);
}

export function maxAbsError(ref: Float32Array, test: Float32Array): number {
  return sums(ref, test).maxAbs;
}

/** max |test - ref| / max |ref|: the worst error relative to the reference's range. */
export function relativeMaxAbsError(ref: ArrayLike<number>, test: ArrayLike<number>): number {
  if (ref.length !== test.length) throw new VqInputError(`relativeMaxAbsError: lengths differ (${ref.length} vs ${test.length})`);
  let e = 0;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    e = Math.max(e, Math.abs(test[i]! - ref[i]!));
    m = Math.max(m, Math.abs(ref[i]!));
  }
  return m > 0 ? e / m : e;
}

export function sqnrDb(ref: Float32Array, test: Float32Array): number {
  const { rr, ee } = sums(ref, test);
  if (ee === 0) return Infinity;
  return 10 * Math.log10(rr / ee);
}

/** All four metrics in one pass. */
export function compareOutputs(ref: Float32Array, test: Float32Array): OutputComparison {
  const { rr, tt, rt, ee, maxAbs } = sums(ref, test);
  return {
    relativeL2Error: rr === 0 ? (ee === 0 ? 0 : Infinity) : Math.sqrt(ee / rr),
    cosineSimilarity: rr === 0 && tt === 0 ? 1 : rr === 0 || tt === 0 ? 0 : rt / Math.sqrt(rr * tt),
    maxAbsError: maxAbs,
    sqnrDb: ee === 0 ? Infinity : 10 * Math.log10(rr / ee),
  };
}
