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
  } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTransferables(v, out, seen);
  }
  return out;
}

/**
 * Prepares a payload to be sent to a worker without copying more than it holds: a view on part
 * of a large non-shared buffer would otherwise be cloned with its whole buffer, so it is sliced
 * (copying just its bytes); shared views pass as they are.
 */
export function detachableCopy(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && !(value instanceof DataView)) {
      return (value as unknown as { slice(): unknown }).slice();
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(detachableCopy);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) o[k] = detachableCopy(v);
    return o;
  }
  return value;
}
