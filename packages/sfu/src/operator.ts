import type { SfuTokenMeta, StageTile, TileToken } from '@lut-llm/contracts';
import { map, type OperatorFunction } from 'rxjs';
import { sfuInputPorts, sfuKernel, type SfuStageParams } from './actor.js';
import { sfuTokenCycles } from './cycle-model.js';
import { sfuRowLength, validateSfuOp } from './ops.js';
import { resolveSfuParams, type SfuHardwareParams } from './params.js';

/**
 * One SFU token: its metadata (`rows` rows, `positionStart` for RoPE) and one Float32Array
 * [rows][rowLength] per input port of the op (`in`; SwiGLU `gate` and `up`; residual add `in` and
 * `residual`: `sfuInputPorts(op)`).
 */
export type SfuInput = TileToken<SfuTokenMeta, Readonly<Record<string, Float32Array>>>;

/** What the operator emits per token: the op's output [rows][rowLength] and the datapath's cost. */
export type SfuTile = StageTile<SfuTokenMeta, Float32Array>;

/**
 * The SFU as an RxJS operator over tokens: for each token it runs the op's kernel (`sfuKernel`,
 * the actor's) and emits the output with the cycle model's cost for its rows,
 * `sfuTokenCycles(op, hw, rows)` (e.g. RMSNorm of one 2048 row with the defaults: II 128,
 * latency 312). A token with more rows than `rowsPerToken`, a missing port or a payload of the
 * wrong length is a RangeError on `error`. Synchronous, one element out per element in.
 *
 * ## Example
 * ```ts
 * x$.pipe(sfu({ ...DEFAULT_SFU_PARAMS, op: { kind: 'rms-norm', width: 2048, eps: 1e-6 } }))
 * ```
 */
export function sfu(params: SfuStageParams): OperatorFunction<SfuInput, SfuTile> {
  const { op, ...rest } = params;
  const hw: SfuHardwareParams = resolveSfuParams(rest, 'sfu operator');
  validateSfuOp(op, 'sfu operator');
  const ports = sfuInputPorts(op);
  const rowLength = sfuRowLength(op);
  return map(({ meta, payload }): SfuTile => {
    const rows = meta.rows;
    if (!Number.isInteger(rows) || rows < 1 || rows > hw.rowsPerToken) throw new RangeError(`sfu operator: a token must carry 1..${hw.rowsPerToken} rows (rowsPerToken), got ${String(rows)}`);
    for (const p of ports) {
      const x = payload[p];
      if (!(x instanceof Float32Array)) throw new RangeError(`sfu operator: ${op.kind} needs a Float32Array on port '${p}'`);
      if (x.length !== rows * rowLength) throw new RangeError(`sfu operator: port '${p}' has ${x.length} values, expected ${rows} rows x ${rowLength}`);
    }
    const c = sfuTokenCycles(op, hw, rows);
    return { meta, payload: sfuKernel(op, hw, payload, meta), iiCycles: c.iiCycles, latencyCycles: c.latencyCycles };
  });
}
