import type { ActorSpec, Firing, FiringCost } from '@lut-llm/core';
import { SFU_INPUT_PORTS, type SfuTokenMeta, type StageImplementation } from '@lut-llm/contracts';
import { sfuTokenCycles } from './cycle-model.js';
import { layerNormFp32 } from './layer-norm.js';
import { sfuRowLength, validateSfuOp, type SfuOp } from './ops.js';
import { residualAddFp32 } from './residual.js';
import { qkRmsNormFp32, rmsNormFp32 } from './rms-norm.js';
import { QWEN3_ROPE_THETA, ropeFp32 } from './rope.js';
import { siluFp32, swigluFp32 } from './silu.js';
import { softmaxFp32 } from './softmax.js';
import { DEFAULT_SFU_PARAMS, resolveSfuParams, type SfuHardwareParams } from './params.js';

/** Parameters of one SFU actor: the datapath and the op it performs. */
export interface SfuStageParams extends SfuHardwareParams {
  readonly op: SfuOp;
}

/** Bytes per token of every port: rowsPerToken x row length x 4 (FP32). */
export function sfuPortWidth(params: SfuStageParams): number {
  return params.rowsPerToken * sfuRowLength(params.op) * 4;
}

/** Input port names of the actor (output: `out`). */
export function sfuInputPorts(op: SfuOp): readonly string[] {
  return SFU_INPUT_PORTS[op.kind];
}

/** The op's kernel on one token: payloads by input port -> output payload. Pure. */
export function sfuKernel(op: SfuOp, hw: SfuHardwareParams, inputs: Readonly<Record<string, Float32Array>>, meta: SfuTokenMeta): Float32Array {
  const lanes = hw.elementsPerCycle;
  const x = inputs['in'];
  switch (op.kind) {
    case 'rms-norm':
      return rmsNormFp32(x!, op.width, op.eps, op.weight, lanes);
    case 'layer-norm':
      return layerNormFp32(x!, op.width, op.eps, { ...(op.weight ? { weight: op.weight } : {}), ...(op.bias ? { bias: op.bias } : {}), lanes, mode: hw.reduction });
    case 'qk-norm':
      return qkRmsNormFp32(x!, op.heads, op.headDim, op.eps, op.weight, lanes);
    case 'rope':
      return ropeFp32(x!, meta.positionStart ?? 0, op.heads, op.headDim, op.theta ?? QWEN3_ROPE_THETA);
    case 'silu':
      return siluFp32(x!, op.silu);
    case 'swiglu':
      return swigluFp32(inputs['gate']!, inputs['up']!, op.silu);
    case 'residual-add':
      return residualAddFp32(x!, inputs['residual']!);
    case 'softmax':
      return softmaxFp32(x!, op.width, { lanes, mode: hw.reduction });
  }
}

/**
 * One SFU actor: reads one token per input port per firing (SfuTokenMeta: rows <= rowsPerToken,
 * the same on every port), writes `out` with the first input's metadata. Cost: sfuTokenCycles.
 */
export function sfuActor(name: string, params: SfuStageParams): ActorSpec {
  const who = `sfu '${name}'`;
  const { op, ...rest } = params;
  const hw = resolveSfuParams(Object.fromEntries(Object.entries(rest)) as Partial<SfuHardwareParams>, who);
  validateSfuOp(op, who);
  const ports = sfuInputPorts(op);
  const width = sfuPortWidth({ ...hw, op });
  const rowLength = sfuRowLength(op);
  const rowsOf = (f: Firing): number => {
    // Inputs by index: port k is ports[k] (declaration order of `inputs` below).
    const rows = (f.in[0] as SfuTokenMeta).rows;
    if (!Number.isInteger(rows) || rows < 1 || rows > hw.rowsPerToken) {
      throw new RangeError(`${who}: firing ${f.index}: a token must carry 1..${hw.rowsPerToken} rows (rowsPerToken), got ${String(rows)}`);
    }
    for (let k = 1; k < ports.length; k++) {
      const m = f.in[k] as SfuTokenMeta;
      if (m.rows !== rows) throw new RangeError(`${who}: firing ${f.index}: port '${ports[k]}' carries ${String(m.rows)} rows but '${ports[0]}' carries ${rows}`);
    }
    return rows;
  };
  // The cost is a function of the rows only: one object per row count, made once.
  const costByRows = new Map<number, FiringCost>();
  return {
    name,
    inputs: Object.fromEntries(ports.map((p) => [p, { widthBytes: width }])),
    outputs: { out: { widthBytes: width } },
    cost: (f) => {
      const rows = rowsOf(f);
      let c = costByRows.get(rows);
      if (!c) costByRows.set(rows, (c = sfuTokenCycles(op, hw, rows)));
      return c;
    },
    // The output token carries the first input's metadata.
    emit: (f, out) => {
      out[0] = f.in[0];
    },
    kernel: (ins, _outs, f) => {
      const meta = f.inputs[ports[0]!] as SfuTokenMeta;
      const payloads: Record<string, Float32Array> = {};
      for (const p of ports) {
        const v = ins[p];
        if (!(v instanceof Float32Array)) throw new TypeError(`${who}: port '${p}' payload must be a Float32Array`);
        if (v.length !== meta.rows * rowLength) throw new RangeError(`${who}: port '${p}' payload has ${v.length} values, expected ${meta.rows} rows x ${rowLength}`);
        payloads[p] = v;
      }
      return { out: sfuKernel(op, hw, payloads, meta) };
    },
  };
}

/** Default parameters: the datapath defaults performing Qwen3-1.7B's input RMSNorm (hidden 2048, eps 1e-6). */
export const DEFAULT_SFU_STAGE_PARAMS: SfuStageParams = { ...DEFAULT_SFU_PARAMS, op: { kind: 'rms-norm', width: 2048, eps: 1e-6 } };

/** The SFU stage: streaming FP32 special functions. */
export const streamingSfuStage: StageImplementation<SfuStageParams> = {
  stage: 'sfu',
  implementation: 'streaming-fp32',
  defaults: DEFAULT_SFU_STAGE_PARAMS,
  actor: sfuActor,
};
