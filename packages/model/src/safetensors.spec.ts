import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './half-float.js';
import { SafetensorsError, type SafetensorsErrorCode } from './safetensors-format.js';
import { SafetensorsReader } from './safetensors-reader.js';
import { encodeSafetensors, writeSafetensorsFile } from './safetensors-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'lut-llm-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors file with an arbitrary header object (or raw header text) and data bytes. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function expectError(fn: () => unknown, code: SafetensorsErrorCode, message: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(SafetensorsError);
  expect((err as SafetensorsError).code).toBe(code);
  expect((err as SafetensorsError).message).toMatch(message);
}

const values = new Float32Array([0, 1, -1.5, 3.14159265, 1e-3, -65000, 2 ** -20, 123.456]);

describe('safetensors round trip', () => {
  it('F32 is exact, BF16 and F16 round to nearest even (as the scalar converters)', () => {
    const bytes = encodeSafetensors(
      {
        a: { dtype: 'F32', shape: [2, 4], data: values },
        b: { dtype: 'BF16', shape: [8], data: values },
        c: { dtype: 'F16', shape: [4, 2], data: values },
      },
      { format: 'pt' },
    );
    const r = SafetensorsReader.fromBytes(bytes);
    expect(r.metadata).toEqual({ format: 'pt' });
    expect(r.tensorNames()).toEqual(['a', 'b', 'c']);
    expect(r.info('a')).toMatchObject({ dtype: 'F32', shape: [2, 4], dataOffsets: [0, 32] });
    expect(r.info('b')).toMatchObject({ dtype: 'BF16', dataOffsets: [32, 48] });
    expect(Array.from(r.readFloat32('a'))).toEqual(Array.from(values));
    const bf = r.readFloat32('b');
    const f16 = r.readFloat32('c', [4, 2]);
    values.forEach((v, i) => {
      expect(bf[i]).toBe(bf16ToF32(f32ToBf16(v)));
      expect(f16[i]).toBe(f16ToF32(f32ToF16(v)));
    });
    // BF16 keeps 8 significant bits: pi -> 3.140625; F16 keeps 11: pi -> 3.140625 too, 123.456 -> 123.4375.
    expect(bf[3]).toBe(3.140625);
    expect(f16[7]).toBe(123.4375);
    expect(bf[7]).toBe(123.5);
    expect(f16[5]).toBe(-64992); // F16 spacing is 32 near 65000
  });

  it('reads from a file path, only the requested byte range, and the header is padded to 8 bytes', () => {
    const path = join(dir, 'rt.safetensors');
    const big = new Float32Array(1000).map((_, i) => i / 7);
    writeSafetensorsFile(path, { big: { dtype: 'BF16', shape: [10, 100], data: big }, small: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) } });
    const r = SafetensorsReader.open(path);
    expect(r.label).toBe(path);
    expect(Array.from(r.readFloat32('small', [3]))).toEqual([1, 2, 3]);
    expect(r.readFloat32('big')[700]).toBe(bf16ToF32(f32ToBf16(100)));
    const bytes = encodeSafetensors({ small: { dtype: 'F32', shape: [3], data: new Float32Array(3) } });
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
  });

  it('handles tensor data at unaligned offsets and zero-sized tensors', () => {
    const data = new Uint8Array(7);
    new DataView(data.buffer).setFloat32(1, 2.5, true); // F32 at byte 1 of the data section
    data[5] = 0x80; data[6] = 0x3f; // BF16 1.0 at byte 5
    const r = SafetensorsReader.fromBytes(rawFile({
      pad: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
      x: { dtype: 'F32', shape: [1], data_offsets: [1, 5] },
      y: { dtype: 'BF16', shape: [1], data_offsets: [5, 7] },
      empty: { dtype: 'F32', shape: [0, 4], data_offsets: [7, 7] },
    }, data));
    expect(r.readFloat32('x')[0]).toBe(2.5);
    expect(r.readFloat32('y')[0]).toBe(1);
    expect(r.readFloat32('empty').length).toBe(0);
  });
});

describe('malformed safetensors -> specific errors', () => {
  it('file shorter than the 8-byte length field', () => {
    expectError(() => SafetensorsReader.fromBytes(new Uint8Array(5), 'tiny.bin'), 'TRUNCATED', /tiny\.bin: file is 5 bytes, too short for the 8-byte safetensors header length/);
    const path = join(dir, 'short.safetensors');
    writeFileSync(path, new Uint8Array(3));
    expectError(() => SafetensorsReader.open(path), 'TRUNCATED', /short\.safetensors: file is 3 bytes/);
  });

  it('header length beyond the file (truncated header)', () => {
    const ok = rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4));
    const cut = ok.subarray(0, 20);
    expectError(() => SafetensorsReader.fromBytes(cut, 'cut.safetensors'), 'HEADER_OUT_OF_RANGE', /cut\.safetensors: header length \d+ runs past the end of the file \(12 bytes after the length field\)/);
    const path = join(dir, 'cut.safetensors');
    writeFileSync(path, cut);
    expectError(() => SafetensorsReader.open(path), 'HEADER_OUT_OF_RANGE', /runs past the end of the file/);
  });

  it('absurd header length (not a safetensors file)', () => {
    expectError(() => SafetensorsReader.fromBytes(rawFile('{}', new Uint8Array(0), 2n ** 40n)), 'HEADER_OUT_OF_RANGE', /header length 1099511627776 exceeds the 100000000-byte limit/);
  });

  it('header is not JSON / not UTF-8 / not an object', () => {
    expectError(() => SafetensorsReader.fromBytes(rawFile('{"a": {"dtype": "F32",')), 'BAD_JSON', /header is not valid JSON .*header starts "\{\\"a\\": \{\\"dtype\\": \\"F32\\","/);
    const bad = rawFile('{}');
    bad[8] = 0xff;
    expectError(() => SafetensorsReader.fromBytes(bad), 'BAD_JSON', /not valid UTF-8/);
    expectError(() => SafetensorsReader.fromBytes(rawFile('[1,2]')), 'BAD_HEADER', /must be a JSON object, got an array/);
  });

  it('bad entries and metadata name the tensor', () => {
    expectError(() => SafetensorsReader.fromBytes(rawFile({ w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 0] } })), 'BAD_HEADER', /tensor "w": shape must be an array of non-negative integers, got \[2,-1\]/);
    expectError(() => SafetensorsReader.fromBytes(rawFile({ w: { dtype: 'F32', shape: [1] } })), 'BAD_HEADER', /tensor "w": data_offsets must be \[begin, end\]/);
    expectError(() => SafetensorsReader.fromBytes(rawFile({ __metadata__: { n: 3 } })), 'BAD_HEADER', /__metadata__\.n must be a string, got 3/);
  });

  it('offsets inconsistent with shape x dtype, reversed, overlapping, or past the data', () => {
    const data = new Uint8Array(16);
    expectError(() => SafetensorsReader.fromBytes(rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data)), 'BAD_OFFSETS', /tensor "w": data_offsets \[0, 8\] span 8 bytes but shape \[3\] of F32 needs 12/);
    expectError(() => SafetensorsReader.fromBytes(rawFile({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, data)), 'BAD_OFFSETS', /end before begin/);
    expectError(
      () => SafetensorsReader.fromBytes(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data)),
      'BAD_OFFSETS',
      /tensors "a" \[0, 8\] and "b" \[4, 12\] overlap/,
    );
    expectError(() => SafetensorsReader.fromBytes(rawFile({ w: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, data)), 'TRUNCATED', /tensor "w": data_offsets \[0, 32\] run past the end of the data section \(16 bytes\): truncated file\?/);
  });

  it('a file truncated inside the data section', () => {
    const full = encodeSafetensors({ w: { dtype: 'F32', shape: [4, 4], data: new Float32Array(16) } });
    const path = join(dir, 'truncated-data.safetensors');
    writeFileSync(path, full.subarray(0, full.length - 10));
    expectError(() => SafetensorsReader.open(path), 'TRUNCATED', /tensor "w": data_offsets \[0, 64\] run past the end of the data section \(54 bytes\)/);
  });

  it('unsupported dtype is reported when the tensor is read, naming it', () => {
    const r = SafetensorsReader.fromBytes(rawFile({
      ids: { dtype: 'I64', shape: [2], data_offsets: [0, 16] },
      odd: { dtype: 'Q4_K', shape: [2], data_offsets: [16, 19] },
      ok: { dtype: 'F32', shape: [1], data_offsets: [20, 24] },
    }, new Uint8Array(24)), 'mixed.safetensors');
    expect(r.readFloat32('ok')[0]).toBe(0);
    expectError(() => r.readFloat32('ids'), 'UNSUPPORTED_DTYPE', /mixed\.safetensors: tensor "ids" has dtype I64; supported dtypes are BF16, F16, F32/);
    expectError(() => r.readFloat32('odd'), 'UNSUPPORTED_DTYPE', /tensor "odd" has dtype Q4_K/);
  });

  it('missing tensor and wrong shape name the tensor', () => {
    const r = SafetensorsReader.fromBytes(encodeSafetensors({ w: { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) } }), 'm.safetensors');
    expectError(() => r.readFloat32('model.norm.weight'), 'MISSING_TENSOR', /m\.safetensors: tensor "model\.norm\.weight" is not in the file \(1 tensors present\)/);
    expectError(() => r.readFloat32('w', [3, 2]), 'SHAPE_MISMATCH', /tensor "w" has shape \[2, 3\], expected \[3, 2\]/);
  });

  it('missing file', () => {
    expectError(() => SafetensorsReader.open(join(dir, 'nope.safetensors')), 'IO', /nope\.safetensors: cannot open safetensors file/);
  });

  it('the writer rejects inconsistent input', () => {
    expect(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toThrow(/tensor "w": 3 values for shape \[2, 2\] \(4 elements\)/);
    expect(() => encodeSafetensors({ w: { dtype: 'I8' as 'F32', shape: [1], data: new Float32Array(1) } })).toThrow(/dtype I8 is not one of BF16, F16, F32/);
  });
});
