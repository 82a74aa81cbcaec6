/**
 * The safetensors file format (Hugging Face): an 8-byte little-endian unsigned header length N,
 * N bytes of UTF-8 JSON, then the raw tensor bytes. The JSON maps each tensor name to
 * `{ dtype, shape, data_offsets: [begin, end] }` (offsets relative to the start of the data,
 * row-major, little-endian), plus an optional `__metadata__` object of string values.
 */

/** Every dtype the format defines, with its element size in bytes. */
export const SAFETENSORS_DTYPE_BYTES = Object.freeze({
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
} as const);

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** The dtypes this package converts to Float32Array. */
export type SupportedFloatDtype = 'BF16' | 'F16' | 'F32';
export const SUPPORTED_FLOAT_DTYPES: readonly SupportedFloatDtype[] = ['BF16', 'F16', 'F32'];

/** Header length larger than this is rejected as corrupt (the reference implementation's limit, 100 MB). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

/** One tensor's entry in the header. */
export interface SafetensorsTensorInfo {
  readonly name: string;
  /** As written in the file (may be a dtype this package cannot convert, see SUPPORTED_FLOAT_DTYPES). */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** [begin, end) in bytes, relative to the start of the data section. */
  readonly dataOffsets: readonly [number, number];
}

/** Machine-readable cause of a {@link SafetensorsError}. */
export type SafetensorsErrorCode =
  | 'TRUNCATED' // shorter than the 8-byte length field, or a tensor's bytes run past the end of the file
  | 'HEADER_OUT_OF_RANGE' // header length beyond the end of the file, or above MAX_SAFETENSORS_HEADER_BYTES
  | 'BAD_JSON' // header is not valid UTF-8 JSON
  | 'BAD_HEADER' // JSON is valid but not a safetensors header (entry fields wrong)
  | 'UNSUPPORTED_DTYPE' // a tensor's dtype cannot be converted to FP32 here
  | 'BAD_OFFSETS' // data_offsets out of range, overlapping, or inconsistent with shape x dtype
  | 'MISSING_TENSOR' // a requested tensor is not in the file
  | 'SHAPE_MISMATCH' // a tensor's shape is not what the model config expects
  | 'IO'; // reading the file failed

/** Every error of the safetensors reader: the message names the file and the tensor. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  constructor(
    readonly code: SafetensorsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Number of elements of a shape (1 for a scalar, shape []). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
