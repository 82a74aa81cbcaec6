import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { bf16ToF32, f16ToF32 } from './half-float.js';
import {
  elementCount,
  MAX_SAFETENSORS_HEADER_BYTES,
  SAFETENSORS_DTYPE_BYTES,
  SafetensorsError,
  SUPPORTED_FLOAT_DTYPES,
  type SafetensorsTensorInfo,
  type SupportedFloatDtype,
} from './safetensors-format.js';

/** A set of named tensors readable as FP32 (one safetensors file, or a sharded checkpoint). */
export interface TensorSource {
  /** Where the tensors come from (a path), used in error messages. */
  readonly label: string;
  /**
   * Identifies the content for caches: path, size and modification time of each file, or a
   * SHA-256 of bytes read from memory.
   */
  readonly fingerprint: string;
  has(name: string): boolean;
  /** Header entry of a tensor; throws MISSING_TENSOR naming it. */
  info(name: string): SafetensorsTensorInfo;
  tensorNames(): string[];
  /**
   * The tensor converted to FP32 (row-major). With `expectedShape`, throws SHAPE_MISMATCH unless
   * the stored shape is exactly that.
   */
  readFloat32(name: string, expectedShape?: readonly number[]): Float32Array;
}

interface ParsedHeader {
  readonly tensors: ReadonlyMap<string, SafetensorsTensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
}

const isSafeNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parses and checks the JSON header; `dataBytes` is the size of the data section. */
function parseHeader(headerBytes: Uint8Array, dataBytes: number, label: string): ParsedHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError('BAD_JSON', `${label}: safetensors header is not valid UTF-8`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const snippet = text.length > 60 ? `${text.slice(0, 60)}...` : text;
    throw new SafetensorsError('BAD_JSON', `${label}: safetensors header is not valid JSON (${(e as Error).message}); header starts ${JSON.stringify(snippet)}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SafetensorsError('BAD_HEADER', `${label}: safetensors header must be a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}`);
  }
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsTensorInfo>();
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw new SafetensorsError('BAD_HEADER', `${label}: __metadata__ must be an object of strings`);
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError('BAD_HEADER', `${label}: __metadata__.${k} must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `${label}: tensor "${name}"`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new SafetensorsError('BAD_HEADER', `${where}: header entry must be an object {dtype, shape, data_offsets}`);
    }
    const entry = raw as Record<string, unknown>;
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string') throw new SafetensorsError('BAD_HEADER', `${where}: dtype must be a string, got ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isSafeNonNegInt)) {
      throw new SafetensorsError('BAD_HEADER', `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSafeNonNegInt)) {
      throw new SafetensorsError('BAD_HEADER', `${where}: data_offsets must be [begin, end] (non-negative integers), got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw new SafetensorsError('BAD_OFFSETS', `${where}: data_offsets [${begin}, ${end}] end before begin`);
    const elemBytes = (SAFETENSORS_DTYPE_BYTES as Record<string, number | undefined>)[dtype];
    if (elemBytes !== undefined) {
      const expected = elementCount(shape as number[]) * elemBytes;
      if (end - begin !== expected) {
        throw new SafetensorsError(
          'BAD_OFFSETS',
          `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${expected}`,
        );
      }
    }
    if (end > dataBytes) {
      throw new SafetensorsError(
        'TRUNCATED',
        `${where}: data_offsets [${begin}, ${end}] run past the end of the data section (${dataBytes} bytes): truncated file?`,
      );
    }
    tensors.set(name, Object.freeze({ name, dtype, shape: Object.freeze([...(shape as number[])]), dataOffsets: Object.freeze([begin, end]) as readonly [number, number] }));
  }
  const sorted = [...tensors.values()].filter((t) => t.dataOffsets[1] > t.dataOffsets[0]).sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0]);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.dataOffsets[0] < prev.dataOffsets[1]) {
      throw new SafetensorsError('BAD_OFFSETS', `${label}: tensors "${prev.name}" [${prev.dataOffsets.join(', ')}] and "${cur.name}" [${cur.dataOffsets.join(', ')}] overlap`);
    }
  }
  return { tensors, metadata: Object.freeze(metadata) };
}

/** Reads the 8-byte little-endian header length and checks it against the bytes that follow. */
function headerLength(first8: Uint8Array, totalBytes: number, label: string): number {
  if (totalBytes < 8) {
    throw new SafetensorsError('TRUNCATED', `${label}: file is ${totalBytes} bytes, too short for the 8-byte safetensors header length`);
  }
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    throw new SafetensorsError('HEADER_OUT_OF_RANGE', `${label}: header length ${n} exceeds the ${MAX_SAFETENSORS_HEADER_BYTES}-byte limit (corrupt length, or not a safetensors file)`);
  }
  const len = Number(n);
  if (8 + len > totalBytes) {
    throw new SafetensorsError(
      'HEADER_OUT_OF_RANGE',
      `${label}: header length ${len} runs past the end of the file (${totalBytes - 8} bytes after the length field): truncated file or corrupt length`,
    );
  }
  return len;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
let f16Table: Float32Array | undefined;

/** Converts raw little-endian tensor bytes of a supported dtype to FP32. */
export function decodeFloatTensor(bytes: Uint8Array, dtype: SupportedFloatDtype): Float32Array {
  const size = dtype === 'F32' ? 4 : 2;
  if (bytes.length % size !== 0) throw new RangeError(`decodeFloatTensor: ${bytes.length} bytes is not a whole number of ${dtype} values`);
  const n = bytes.length / size;
  if (!HOST_LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = dtype === 'F32' ? view.getFloat32(4 * i, true) : dtype === 'BF16' ? bf16ToF32(view.getUint16(2 * i, true)) : f16ToF32(view.getUint16(2 * i, true));
    }
    return out;
  }
  // Copy into a fresh (aligned) buffer: tensor data in a file need not be aligned.
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  if (dtype === 'F32') return new Float32Array(aligned.buffer);
  const h = new Uint16Array(aligned.buffer);
  const out = new Float32Array(n);
  if (dtype === 'BF16') {
    const o32 = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) o32[i] = h[i]! << 16;
  } else {
    if (f16Table === undefined) {
      f16Table = new Float32Array(65536);
      for (let b = 0; b < 65536; b++) f16Table[b] = f16ToF32(b);
    }
    const t = f16Table;
    for (let i = 0; i < n; i++) out[i] = t[h[i]!]!;
  }
  return out;
}

/**
 * Reads one safetensors file, from a path (only the header at open; each tensor's byte range on
 * demand, the file is opened per read, so there is nothing to close) or from bytes in memory.
 */
export class SafetensorsReader implements TensorSource {
  private readonly header: ParsedHeader;

  private constructor(
    readonly label: string,
    readonly fingerprint: string,
    /** Absolute offset of the data section in the file/buffer. */
    private readonly dataStart: number,
    headerBytes: Uint8Array,
    dataBytes: number,
    private readonly readRange: (absBegin: number, length: number) => Uint8Array,
  ) {
    this.header = parseHeader(headerBytes, dataBytes, label);
  }

  /** A reader over a whole file held in memory (a Buffer is a Uint8Array). */
  static fromBytes(bytes: Uint8Array, label = '<safetensors buffer>'): SafetensorsReader {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`${label}: expected a Uint8Array/Buffer`);
    const len = headerLength(bytes.subarray(0, 8), bytes.length, label);
    const fingerprint = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    return new SafetensorsReader(label, fingerprint, 8 + len, bytes.subarray(8, 8 + len), bytes.length - 8 - len, (b, n) => bytes.subarray(b, b + n));
  }

  /** Opens a file and reads its header (not its data). */
  static open(path: string): SafetensorsReader {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new SafetensorsError('IO', `${path}: cannot open safetensors file (${(e as Error).message})`);
    }
    try {
      const st = fstatSync(fd);
      const size = st.size;
      const first8 = new Uint8Array(Math.min(8, size));
      readExactly(fd, first8, 0, path);
      const len = headerLength(first8, size, path);
      const headerBytes = new Uint8Array(len);
      readExactly(fd, headerBytes, 8, path);
      return new SafetensorsReader(path, `file:${path}:${size}:${st.mtimeMs}`, 8 + len, headerBytes, size - 8 - len, (b, n) => {
        const out = new Uint8Array(n);
        let f: number;
        try {
          f = openSync(path, 'r');
        } catch (e) {
          throw new SafetensorsError('IO', `${path}: cannot reopen safetensors file (${(e as Error).message})`);
        }
        try {
          readExactly(f, out, b, path);
        } finally {
          closeSync(f);
        }
        return out;
      });
    } finally {
      closeSync(fd);
    }
  }

  /** The `__metadata__` strings (empty object when absent). */
  get metadata(): Readonly<Record<string, string>> {
    return this.header.metadata;
  }

  tensorNames(): string[] {
    return [...this.header.tensors.keys()];
  }

  has(name: string): boolean {
    return this.header.tensors.has(name);
  }

  info(name: string): SafetensorsTensorInfo {
    const t = this.header.tensors.get(name);
    if (t === undefined) {
      throw new SafetensorsError('MISSING_TENSOR', `${this.label}: tensor "${name}" is not in the file (${this.header.tensors.size} tensors present)`);
    }
    return t;
  }

  /** The raw little-endian bytes of a tensor. */
  readBytes(name: string): Uint8Array {
    const t = this.info(name);
    const [b, e] = t.dataOffsets;
    return this.readRange(this.dataStart + b, e - b);
  }

  readFloat32(name: string, expectedShape?: readonly number[]): Float32Array {
    const t = this.info(name);
    if (!(SUPPORTED_FLOAT_DTYPES as readonly string[]).includes(t.dtype)) {
      throw new SafetensorsError('UNSUPPORTED_DTYPE', `${this.label}: tensor "${name}" has dtype ${t.dtype}; supported dtypes are ${SUPPORTED_FLOAT_DTYPES.join(', ')}`);
    }
    if (expectedShape !== undefined) checkShape(this.label, t, expectedShape);
    return decodeFloatTensor(this.readBytes(name), t.dtype as SupportedFloatDtype);
  }
}

/** Throws SHAPE_MISMATCH unless `t.shape` equals `expected`. */
export function checkShape(label: string, t: SafetensorsTensorInfo, expected: readonly number[]): void {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new SafetensorsError('SHAPE_MISMATCH', `${label}: tensor "${t.name}" has shape [${t.shape.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

function readExactly(fd: number, into: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < into.length) {
    let n: number;
    try {
      n = readSync(fd, into, done, into.length - done, position + done);
    } catch (e) {
      throw new SafetensorsError('IO', `${path}: read failed at byte ${position + done} (${(e as Error).message})`);
    }
    if (n === 0) {
      throw new SafetensorsError('TRUNCATED', `${path}: unexpected end of file at byte ${position + done} (wanted ${into.length} bytes from ${position})`);
    }
    done += n;
  }
}
