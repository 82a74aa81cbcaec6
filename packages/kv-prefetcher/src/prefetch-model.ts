/** A consumer firing's cost (the attention actor's `attentionFiringCosts`). */
export interface ConsumerFiring {
  readonly iiCycles: number;
  readonly latencyCycles: number;
}

/** Inputs of the analytical model of one decode layer's attention with the KV prefetcher. */
export interface DecodeLayerAttentionModelInput {
  /** P: the QKV projection (stand-in) is busy over [0, P); q and the trigger are ready at P. */
  readonly qkvProjectionCycles: number;
  readonly prefetch: boolean;
  /** X_c: cycles the channel group needs per history chunk (ceil(bytes / bytesPerCycle)). */
  readonly chunkTransferCycles: readonly number[];
  /** L: HBM read latency (a chunk is readable L cycles after its last byte). */
  readonly readLatencyCycles: number;
  /** D: chunks the on-chip buffer holds (the prefetcher -> attention stream depth). */
  readonly bufferChunks: number;
  /** The attention actor's firings: the q firing, then one per chunk (the last carries the tail). */
  readonly attentionFirings: readonly ConsumerFiring[];
  /** Cycles the KV writer needs for the new token (transfer + write latency), from P. Default 0. */
  readonly writeCycles?: number;
}

export interface DecodeLayerAttentionPrediction {
  /** s_c: cycle chunk c's read is issued (its bytes flow over [s_c, s_c + X_c)). */
  readonly chunkIssue: readonly number[];
  /** r_c: cycle chunk c is written into the buffer (s_c + X_c + L unless it waited for a slot). */
  readonly chunkReady: readonly number[];
  /** a_k: start of attention firing k (0: the q firing). */
  readonly attentionStart: readonly number[];
  /** Cycle the attention output is readable. */
  readonly outReadyCycle: number;
  /** Cycle the last firing of the graph completes (the sink reads the output in 1 cycle). */
  readonly cycles: number;
  /** Cycles of KV transfer that overlap the QKV projection [0, P). */
  readonly kvTransferCyclesDuringProjection: number;
}

/**
 * Model of the decode-layer graph (`buildDecodeLayerAttentionGraph`), derived from the engine's
 * documented semantics (HLS FIFOs, stall-pipeline actors; core README), independently of it:
 *   s_0 = 0 (prefetch) or P (on demand); chunk c's bytes flow over [s_c, s_c + X_c) (the read
 *     channel serves one request at a time) and it is due in the buffer at s_c + X_c + L;
 *     the next request is issued at max(s_c + 1, s_c + X_c);
 *   r_c = max(due_c, a_{c-D+1} + 2 for c >= D): a chunk is written only into a slot freed 2
 *     cycles earlier (attention firing k reads chunk k - 1); a write that waits freezes the
 *     prefetcher: its later writes and its next request move by the wait;
 *   a_0 = P;  a_k = max(r_{k-1}, a_{k-1} + ii_{k-1})   (chunk k-1 is read by firing k)
 *   out = a_C + latency_C;  cycles = max(out + 1, P + writeCycles)
 * With memory-bound chunks (X >= ii) and P smaller than the history transfer, prefetching saves
 * exactly P (the read starts P earlier and the same channel then streams back to back).
 */
export function predictDecodeLayerAttention(m: DecodeLayerAttentionModelInput): DecodeLayerAttentionPrediction {
  const P = m.qkvProjectionCycles;
  const X = m.chunkTransferCycles;
  const C = X.length;
  const D = m.bufferChunks;
  const L = m.readLatencyCycles;
  const F = m.attentionFirings;
  if (F.length !== C + 1) throw new RangeError(`predictDecodeLayerAttention: ${C} chunks need ${C + 1} attention firings, got ${F.length}`);
  const s: number[] = [];
  const r: number[] = [];
  const a: number[] = [P];
  const attentionStart = (k: number): number => {
    while (a.length <= k) {
      const j = a.length;
      a.push(Math.max(r[j - 1]!, a[j - 1]! + F[j - 1]!.iiCycles));
    }
    return a[k]!;
  };
  // Chunks issued and not yet in the buffer: [chunk, cycle due], oldest first.
  const inFlight: [number, number][] = [];
  let nextIssue = m.prefetch ? 0 : P;
  /** Lands the oldest in-flight chunk (it is due no later than `until`). */
  const land = (): void => {
    const [c, due] = inFlight.shift()!;
    const at = c >= D ? Math.max(due, attentionStart(c - D + 1) + 2) : due;
    if (at > due) {
      const wait = at - due;
      for (const f of inFlight) f[1] += wait;
      nextIssue = nextIssue >= due ? nextIssue + wait : Math.max(nextIssue, at);
    }
    r.push(at);
  };
  for (let c = 0; c < C; c++) {
    // Writes due by a cycle come before a request in that cycle (and may move it).
    while (inFlight.length > 0 && inFlight[0]![1] <= nextIssue) land();
    s.push(nextIssue);
    inFlight.push([c, nextIssue + X[c]! + L]);
    nextIssue = Math.max(nextIssue + 1, nextIssue + X[c]!);
  }
  while (inFlight.length > 0) land();
  const last = attentionStart(C);
  const out = last + F[C]!.latencyCycles;
  const overlap = s.reduce((sum, sc, c) => sum + Math.max(0, Math.min(P, sc + X[c]!) - sc), 0);
  return {
    chunkIssue: s,
    chunkReady: r,
    attentionStart: a.slice(0, C + 1),
    outReadyCycle: out,
    cycles: Math.max(out + 1, P + (m.writeCycles ?? 0)),
    kvTransferCyclesDuringProjection: overlap,
  };
}

/**
 * First-principles stand-in for the cycles of the QKV projection in decode (the real figure comes
 * from LUTLinear): decode is bound by streaming tables and indices from HBM (DESIGN 1.3), about
 * `bitsPerWeight` = 10 bits per weight with INT8 tables (DESIGN 1.1), over the weight channels
 * (32 x 32 B = 1024 B/cycle). Qwen3-1.7B QKV: 2048 x 4096 -> ceil(2048 x 4096 x 10 / 8 / 1024) = 10240.
 */
export function qkvProjectionCyclesEstimate(opts: { inFeatures?: number; outFeatures?: number; bitsPerWeight?: number; weightBytesPerCycle?: number } = {}): number {
  const { inFeatures = 2048, outFeatures = 4096, bitsPerWeight = 10, weightBytesPerCycle = 1024 } = opts;
  return Math.ceil((inFeatures * outFeatures * bitsPerWeight) / 8 / weightBytesPerCycle);
}
