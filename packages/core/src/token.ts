/**
 * What one FIFO slot holds. A token is a *tile* (thousands of values), never one scalar: the
 * runtime's per-token cost is paid once per tile, as a TAPA stream moves a wide word per cycle.
 *
 * Metadata drives timing (shape, layer, op, tile coordinates); the payload carries numbers and
 * only exists in functional mode. Cycles may depend on metadata, never on payload values.
 */
export interface TokenMeta {
  /** Position of this token in its producer's output stream, counted from 0 (set by sources). */
  readonly index?: number;
  /** End of a transaction, e.g. the last tile of one linear op of one layer. */
  readonly last?: boolean;
  /** Stage-specific fields (layer, op, tile coordinates, element counts, bytes...). */
  readonly [field: string]: unknown;
}

/** A token as observed at a sink or in a test: its metadata and (functional mode) its payload. */
export interface Token<P = unknown> {
  readonly meta: TokenMeta;
  readonly payload: P | undefined;
  /** Cycle at which the token became readable by its consumer. */
  readonly readyCycle: number;
}
