import type { SfuOp } from './ops.js';
import { sfuRowLength } from './ops.js';
import type { SfuHardwareParams } from './params.js';

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);
const log2Ceil = (n: number) => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

/**
 * Latency of reducing `elementsPerCycle` lanes to one value: a pipelined FP32 accumulator per
 * lane needs faddLatency interleaved partial sums (to accept one element per cycle), merged in
 * ceil(log2(faddLatency)) levels, then the lanes meet in ceil(log2(elementsPerCycle)) levels:
 *   (ceil(log2 lanes) + ceil(log2 faddLatency)) x faddLatency.
 */
export function reductionTreeCycles(p: SfuHardwareParams): number {
  return (log2Ceil(p.elementsPerCycle) + log2Ceil(p.faddLatencyCycles)) * p.faddLatencyCycles;
}

/** A statistic traversal of a row and the tail after its last element until the statistic is ready. */
export interface StatisticPass {
  readonly name: string;
  readonly tailCycles: number;
}

/**
 * Statistic passes of a reduction op, by mode (empty for element-wise ops):
 * - rms-norm / qk-norm: sum of squares; tail = tree + mul (x 1/n) + add (eps) + rsqrt.
 * - layer-norm two-pass: mean (tree + mul), then variance of x - mean (tree + mul + add + rsqrt);
 *   one-pass: sum and sum of squares together (tree + 2 mul + 2 add + rsqrt).
 * - softmax two-pass: max (ceil(log2 lanes) compares), then exp + sum (exp + tree + reciprocal);
 *   one-pass: online max and rescaled sum (exp + tree + exp + reciprocal).
 */
export function statisticPasses(op: SfuOp, p: SfuHardwareParams): StatisticPass[] {
  const tree = reductionTreeCycles(p);
  const { fmulLatencyCycles: mul, faddLatencyCycles: add, rsqrtLatencyCycles: rsqrt, expLatencyCycles: exp, divLatencyCycles: div } = p;
  switch (op.kind) {
    case 'rms-norm':
    case 'qk-norm':
      return [{ name: 'sum of squares', tailCycles: tree + mul + add + rsqrt }];
    case 'layer-norm':
      return p.reduction === 'two-pass'
        ? [
            { name: 'mean', tailCycles: tree + mul },
            { name: 'variance', tailCycles: tree + mul + add + rsqrt },
          ]
        : [{ name: 'sum and sum of squares', tailCycles: tree + 2 * mul + 2 * add + rsqrt }];
    case 'softmax':
      return p.reduction === 'two-pass'
        ? [
            { name: 'max', tailCycles: log2Ceil(p.elementsPerCycle) * p.compareLatencyCycles },
            { name: 'exp and sum', tailCycles: exp + tree + div },
          ]
        : [{ name: 'online max and sum', tailCycles: exp + tree + exp + div }];
    default:
      return [];
  }
}

/**
 * Pipeline latency of the output traversal (element in -> element out):
 * rms/qk-norm x r x w: 2 mul; layer-norm (x - mean) r w + b: 2 add + 2 mul; softmax exp(x - max) x (1/sum): add + exp + mul;
 * rope: mul + add, plus the wait for the pair partner headDim/2 elements later (ceil(headDim/2 / lanes));
 * silu exact: exp + add + div; pwl9: compare + mul + add; swiglu: silu + mul; residual add: add.
 */
export function outputLatencyCycles(op: SfuOp, p: SfuHardwareParams): number {
  const { fmulLatencyCycles: mul, faddLatencyCycles: add, expLatencyCycles: exp, divLatencyCycles: div, compareLatencyCycles: cmp } = p;
  const silu = (v: 'exact' | 'pwl9') => (v === 'exact' ? exp + add + div : cmp + mul + add);
  switch (op.kind) {
    case 'rms-norm':
    case 'qk-norm':
      return 2 * mul;
    case 'layer-norm':
      return 2 * add + 2 * mul;
    case 'softmax':
      return add + exp + mul;
    case 'rope':
      return mul + add + ceilDiv(op.headDim / 2, p.elementsPerCycle);
    case 'silu':
      return silu(op.silu);
    case 'swiglu':
      return silu(op.silu) + mul;
    case 'residual-add':
      return add;
  }
}

/** Rows the datapath reduces over for `rows` token rows (qk-norm reduces each head separately). */
function reductionRows(op: SfuOp, rows: number): { count: number; length: number } {
  return op.kind === 'qk-norm' ? { count: rows * op.heads, length: op.headDim } : { count: rows, length: sfuRowLength(op) };
}

/** Cycles of one SFU token of `rows` rows. */
export interface SfuTokenCycles {
  /** Initiation interval: the datapath is busy this long for the token. */
  readonly iiCycles: number;
  /** Start -> the token's last output element is written. */
  readonly latencyCycles: number;
}

/**
 * Cycle model of one token of `rows` rows (n = elements of a reduced row, lanes = elementsPerCycle,
 * t = ceil(n / lanes) cycles to stream one row, R = rows reduced, out = outputLatencyCycles):
 * - element-wise ops: II = ceil(rows x rowLength / lanes) (rows stream back to back), latency = II + out.
 * - two-pass reductions: each statistic pass is a traversal plus its tail, then the scale
 *   traversal; rows one after another: II = R x (sum over passes (t + tail) + t), latency = II + out.
 * - one-pass reductions: the row streams once into a ping-pong buffer while its statistic
 *   accumulates, then drains (scaled) while the next row fills. The drain of row r and the fill of
 *   row r + 2 share a buffer (a write may not overtake the drain), so rows start every
 *   period = max(t, ceil((t + tail) / 2)) cycles: II = R x period, latency = (R - 1) x period + t + tail + t + out.
 */
export function sfuTokenCycles(op: SfuOp, p: SfuHardwareParams, rows: number): SfuTokenCycles {
  const passes = statisticPasses(op, p);
  const out = outputLatencyCycles(op, p);
  if (passes.length === 0) {
    const ii = Math.max(1, ceilDiv(rows * sfuRowLength(op), p.elementsPerCycle));
    return { iiCycles: ii, latencyCycles: ii + out };
  }
  const { count, length } = reductionRows(op, rows);
  const t = ceilDiv(length, p.elementsPerCycle);
  if (p.reduction === 'two-pass') {
    const perRow = passes.reduce((s, q) => s + t + q.tailCycles, 0) + t;
    const ii = Math.max(1, count * perRow);
    return { iiCycles: ii, latencyCycles: ii + out };
  }
  const tail = passes.reduce((s, q) => s + q.tailCycles, 0);
  const period = Math.max(t, ceilDiv(t + tail, 2));
  return { iiCycles: Math.max(1, count * period), latencyCycles: (count - 1) * period + t + tail + t + out };
}
