/**
 * Buffers of the typed arrays in a payload that can be moved to another thread: whole,
 * non-shared buffers, each once. SharedArrayBuffers are shared, never moved.
 */
export function collectTransferables(value: unknown, out: ArrayBuffer[] = [], seen = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    const buf = value.buffer;
    if (buf instanceof ArrayBuffer && !seen.has(buf) && value.byteOffset === 0 && value.byteLength === buf.byteLength) {
      seen.add(buf);
      out.push(buf);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) collectTransferables(v, out, seen);
  } else if (isPlainObject(value)) {
    for (const v of Object.values(value)) collectTransferables(v, out, seen);
  }
  return out;
}

/**
 * Encodes the payloads of one worker message: non-shared views are copied into buffers of their
 * own and listed for transfer (moved, not cloned), shared views pass as they are. Objects met
 * again in the same message (a weight block's view read by all of its tiles' tasks) are encoded
 * once and then shared, so the structured clone also sends them once.
 */
export class MessageEncoder {
  private readonly seen = new Map<object, unknown>();
  /** Buffers to move with the message. */
  readonly transfer: ArrayBuffer[] = [];

  encode(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value;
    const known = this.seen.get(value);
    if (known !== undefined) return known;
    let out: unknown = value;
    if (ArrayBuffer.isView(value)) {
      if (value.buffer instanceof ArrayBuffer && !(value instanceof DataView)) {
        const copy = (value as unknown as { slice(): ArrayBufferView }).slice();
        this.transfer.push(copy.buffer as ArrayBuffer);
        out = copy;
      }
    } else if (Array.isArray(value)) {
      const a = value.map((v) => this.encode(v));
      if (a.some((v, i) => v !== value[i])) out = a;
    } else if (isPlainObject(value)) {
      // Copied only when something inside changes (a plain wrapper of shared views passes as is).
      let o: Record<string, unknown> | undefined;
      for (const k in value) {
        const v = (value as Record<string, unknown>)[k];
        const e = this.encode(v);
        if (e !== v && !o) o = { ...value };
        if (o) o[k] = e;
      }
      if (o) out = o;
    }
    this.seen.set(value, out);
    return out;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
