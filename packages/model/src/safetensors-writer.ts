import { writeFileSync } from 'node:fs';
import { f32ToBf16, f32ToF16 } from './half-float.js';
import { elementCount, SUPPORTED_FLOAT_DTYPES, type SupportedFloatDtype } from './safetensors-format.js';

/** A tensor to write: FP32 values, stored as `dtype` (BF16/F16 round to nearest even). */
export interface SafetensorsTensorInput {
  readonly dtype: SupportedFloatDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Serialises tensors to the safetensors format (in the order given; header padded with spaces
 * to a multiple of 8 bytes, as the reference implementation does). Used by tests and tools;
 * real checkpoints come from Hugging Face.
 */
export function encodeSafetensors(
  tensors: Readonly<Record<string, SafetensorsTensorInput>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header['__metadata__'] = { ...metadata };
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new RangeError('encodeSafetensors: "__metadata__" is reserved and cannot name a tensor');
    if (!SUPPORTED_FLOAT_DTYPES.includes(t.dtype)) {
      throw new RangeError(`encodeSafetensors: tensor "${name}": dtype ${String(t.dtype)} is not one of ${SUPPORTED_FLOAT_DTYPES.join(', ')}`);
    }
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new RangeError(`encodeSafetensors: tensor "${name}": shape [${t.shape.join(', ')}] must be non-negative integers`);
    }
    const n = elementCount(t.shape);
    if (t.data.length !== n) {
      throw new RangeError(`encodeSafetensors: tensor "${name}": ${t.data.length} values for shape [${t.shape.join(', ')}] (${n} elements)`);
    }
    const bytes = encodeFloats(t.data, t.dtype);
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    parts.push(bytes);
  }
  let json = JSON.stringify(header);
  const utf8Length = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (utf8Length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** {@link encodeSafetensors} to a file. */
export function writeSafetensorsFile(
  path: string,
  tensors: Readonly<Record<string, SafetensorsTensorInput>>,
  metadata?: Readonly<Record<string, string>>,
): void {
  writeFileSync(path, encodeSafetensors(tensors, metadata));
}

function encodeFloats(data: Float32Array, dtype: SupportedFloatDtype): Uint8Array {
  if (dtype === 'F32') {
    const out = new Uint8Array(data.length * 4);
    const view = new DataView(out.buffer);
    for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
    return out;
  }
  const out = new Uint8Array(data.length * 2);
  const view = new DataView(out.buffer);
  const conv = dtype === 'BF16' ? f32ToBf16 : f32ToF16;
  for (let i = 0; i < data.length; i++) view.setUint16(2 * i, conv(data[i]!), true);
  return out;
}
