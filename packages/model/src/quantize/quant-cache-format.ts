import { createHash } from 'node:crypto';
import { assertQuantizedLinear, resolveVqConfig, type QuantizedLinear, type VqConfig } from '@lut-llm/vq';

/**
 * Binary format of one quantization cache file (a decoder layer's four linear ops, or the LM head):
 *
 *   bytes 0..7    magic "LUTQCACH"
 *   bytes 8..11   format version, u32 little-endian (QUANT_CACHE_FORMAT_VERSION)
 *   bytes 12..15  header length N, u32 little-endian
 *   16..16+N      UTF-8 JSON header: { key, entry, payloadBytes, payloadSha256, ops: [{ name,
 *                 inFeatures, outFeatures, positions, groups, weightIndexBits, weightIndexRowBytes,
 *                 cfg, arrays: { field: { offset, length } } }] }
 *   then padding to a multiple of 8, then the payload: every typed array of every op, each
 *   starting on an 8-byte boundary, little-endian.
 *
 * Every read checks the magic, version, lengths, the SHA-256 of the payload, the cache key, and
 * the shapes (vq's assertQuantizedLinear); a failure is a QuantCacheError naming the file.
 */
export const QUANT_CACHE_FORMAT_VERSION = 1;
const MAGIC = 'LUTQCACH';
const PREFIX_BYTES = 16;

/** A cache file that cannot be used: the message names the file and says what is wrong. */
export class QuantCacheError extends Error {
  override readonly name = 'QuantCacheError';
}

/** One named quantized linear op inside a cache file. */
export interface NamedQuantizedLinear {
  readonly name: string;
  readonly q: QuantizedLinear;
}

type ArrayField = 'actCodebooks' | 'weightCodebooks' | 'weightIndices' | 'lut' | 'lutScale' | 'lutZeroPoint';
const ARRAY_FIELDS: readonly ArrayField[] = ['actCodebooks', 'weightCodebooks', 'weightIndices', 'lut', 'lutScale', 'lutZeroPoint'];
const ARRAY_CTORS = {
  actCodebooks: Float32Array,
  weightCodebooks: Float32Array,
  weightIndices: Uint8Array,
  lut: Int8Array,
  lutScale: Float32Array,
  lutZeroPoint: Int32Array,
} as const;

interface OpHeader {
  name: string;
  inFeatures: number;
  outFeatures: number;
  positions: number;
  groups: number;
  weightIndexBits: number;
  weightIndexRowBytes: number;
  cfg: VqConfig;
  arrays: Record<ArrayField, { offset: number; length: number }>;
}

interface FileHeader {
  key: string;
  entry: string;
  payloadBytes: number;
  payloadSha256: string;
  ops: OpHeader[];
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const align8 = (n: number): number => Math.ceil(n / 8) * 8;

function requireLittleEndian(): void {
  if (!HOST_LITTLE_ENDIAN) throw new QuantCacheError('the quantization cache format is little-endian; this host is big-endian');
}

/** Serialises quantized ops to one cache file. */
export function encodeQuantCacheFile(key: string, entry: string, ops: readonly NamedQuantizedLinear[]): Uint8Array {
  requireLittleEndian();
  let offset = 0;
  const opHeaders: OpHeader[] = [];
  const blobs: { offset: number; bytes: Uint8Array }[] = [];
  for (const { name, q } of ops) {
    assertQuantizedLinear(q);
    const arrays = {} as Record<ArrayField, { offset: number; length: number }>;
    for (const field of ARRAY_FIELDS) {
      const a = q[field];
      arrays[field] = { offset, length: a.length };
      blobs.push({ offset, bytes: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) });
      offset = align8(offset + a.byteLength);
    }
    opHeaders.push({
      name, inFeatures: q.inFeatures, outFeatures: q.outFeatures, positions: q.positions, groups: q.groups,
      weightIndexBits: q.weightIndexBits, weightIndexRowBytes: q.weightIndexRowBytes, cfg: { ...q.cfg }, arrays,
    });
  }
  const payload = new Uint8Array(offset);
  for (const b of blobs) payload.set(b.bytes, b.offset);
  const header: FileHeader = {
    key, entry, payloadBytes: payload.length, payloadSha256: createHash('sha256').update(payload).digest('hex'), ops: opHeaders,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const payloadStart = align8(PREFIX_BYTES + headerBytes.length);
  const out = new Uint8Array(payloadStart + payload.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, QUANT_CACHE_FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, PREFIX_BYTES);
  out.set(payload, payloadStart);
  return out;
}

/**
 * Parses and checks a cache file. `expectedKey` must equal the key stored in it (a file copied
 * from another model's cache is rejected); `expectedVq`, when given, must equal every op's config.
 */
export function decodeQuantCacheFile(
  bytes: Uint8Array,
  label: string,
  expectedKey: string,
  expectedVq?: VqConfig,
): { entry: string; ops: NamedQuantizedLinear[] } {
  requireLittleEndian();
  const fail = (why: string): never => {
    throw new QuantCacheError(`${label}: ${why}; delete the file (or its cache directory) to rebuild it`);
  };
  if (bytes.length < PREFIX_BYTES) fail(`corrupt quantization cache file: ${bytes.length} bytes, shorter than the ${PREFIX_BYTES}-byte prefix (truncated)`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail('not a LUT-LLM quantization cache file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== QUANT_CACHE_FORMAT_VERSION) fail(`cache format version ${version}, this build reads version ${QUANT_CACHE_FORMAT_VERSION}`);
  const headerLen = view.getUint32(12, true);
  if (PREFIX_BYTES + headerLen > bytes.length) fail(`corrupt quantization cache file: header length ${headerLen} runs past the end of the file (truncated)`);
  let header: FileHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLen))) as FileHeader;
  } catch (e) {
    return fail(`corrupt quantization cache file: header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || !Array.isArray(header.ops) || typeof header.payloadBytes !== 'number') {
    fail('corrupt quantization cache file: header lacks ops/payloadBytes');
  }
  if (header.key !== expectedKey) fail(`cache key ${String(header.key).slice(0, 16)}... does not match the requested ${expectedKey.slice(0, 16)}... (file from another model or configuration)`);
  const payloadStart = align8(PREFIX_BYTES + headerLen);
  const payload = bytes.subarray(payloadStart);
  if (payload.length !== header.payloadBytes) fail(`corrupt quantization cache file: payload is ${payload.length} bytes, header says ${header.payloadBytes} (truncated?)`);
  const sha = createHash('sha256').update(payload).digest('hex');
  if (sha !== header.payloadSha256) fail('corrupt quantization cache file: payload checksum (SHA-256) mismatch');
  const ops: NamedQuantizedLinear[] = [];
  for (const op of header.ops) {
    const arrays = {} as Record<ArrayField, Float32Array | Uint8Array | Int8Array | Int32Array>;
    for (const field of ARRAY_FIELDS) {
      const spec = op.arrays?.[field];
      const Ctor = ARRAY_CTORS[field];
      if (spec === undefined || !Number.isInteger(spec.offset) || !Number.isInteger(spec.length) || spec.offset % 8 !== 0 || spec.offset < 0 || spec.length < 0) {
        fail(`op "${op.name}": array ${field} has no valid offset/length`);
      }
      const end = spec.offset + spec.length * Ctor.BYTES_PER_ELEMENT;
      if (end > payload.length) fail(`op "${op.name}": array ${field} [${spec.offset}, ${end}) runs past the payload (${payload.length} bytes)`);
      // Copy out so the arrays are aligned and independent of the file buffer (not `slice`: on a
      // Node Buffer it returns a view of the shared pool).
      const copy = new Uint8Array(end - spec.offset);
      copy.set(payload.subarray(spec.offset, end));
      arrays[field] = new Ctor(copy.buffer, 0, spec.length);
    }
    let cfg: VqConfig;
    try {
      cfg = resolveVqConfig(op.cfg);
    } catch (e) {
      return fail(`op "${op.name}": invalid vq config (${(e as Error).message})`);
    }
    if (expectedVq !== undefined && JSON.stringify(cfg) !== JSON.stringify(expectedVq)) {
      fail(`op "${op.name}": vq config ${JSON.stringify(cfg)} differs from the requested ${JSON.stringify(expectedVq)}`);
    }
    const q: QuantizedLinear = {
      inFeatures: op.inFeatures, outFeatures: op.outFeatures, positions: op.positions, groups: op.groups, cfg,
      weightIndexBits: op.weightIndexBits, weightIndexRowBytes: op.weightIndexRowBytes,
      actCodebooks: arrays.actCodebooks as Float32Array, weightCodebooks: arrays.weightCodebooks as Float32Array,
      weightIndices: arrays.weightIndices as Uint8Array, lut: arrays.lut as Int8Array,
      lutScale: arrays.lutScale as Float32Array, lutZeroPoint: arrays.lutZeroPoint as Int32Array,
    };
    try {
      assertQuantizedLinear(q);
    } catch (e) {
      return fail(`op "${op.name}": inconsistent shapes (${(e as Error).message})`);
    }
    ops.push({ name: op.name, q });
  }
  return { entry: header.entry, ops };
}
