import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { AXIS_NAMES } from './grid.js';
import type { SweepRow } from './sweep.js';

/** One column of a sweep's table: the swept axes first (as given), then the fixed fields. */
export interface SweepColumn {
  readonly name: string;
  /** 'axis': a swept axis' values (numbers, names, or objects such as a channel split); else the value type. */
  readonly kind: 'axis' | 'string' | 'number' | 'boolean';
  readonly values: readonly unknown[];
}

/**
 * The table of a sweep, shared by the CSV and Parquet outputs: one row per point, the swept axes
 * (except the model, a column of its own) as columns first. A missing figure (invalid point) is null.
 */
export function sweepColumns(rows: readonly SweepRow[]): SweepColumn[] {
  const axes = AXIS_NAMES.filter((a) => rows.some((r) => r.settings[a] !== undefined && a !== 'model'));
  const col = (name: string, kind: SweepColumn['kind'], of: (r: SweepRow) => unknown): SweepColumn => ({ name, kind, values: rows.map((r) => of(r) ?? null) });
  return [
    ...axes.map((a) => col(a, 'axis', (r) => r.settings[a])),
    col('hash', 'string', (r) => r.hash),
    col('model', 'string', (r) => r.model),
    col('status', 'string', (r) => r.status),
    col('pareto', 'boolean', (r) => r.pareto),
    col('ttft_ms', 'number', (r) => r.ttftMs),
    col('decode_ms_per_token', 'number', (r) => r.decodeMsPerToken),
    col('e2e_ms', 'number', (r) => r.e2eMs),
    col('tokens_per_joule', 'number', (r) => r.tokensPerJoule),
    col('bram18', 'number', (r) => r.onChip?.bram18),
    col('uram', 'number', (r) => r.onChip?.uram),
    col('lutram_luts', 'number', (r) => r.onChip?.lutramLuts),
    col('dsp', 'number', (r) => r.onChip?.dsp),
    col('memory_bits', 'number', (r) => r.onChip?.memoryBits),
    col('max_fraction_of_v80', 'number', (r) => r.onChip?.maxFraction),
    col('sqnr_db', 'number', (r) => r.accuracy?.sqnrDb),
    col('cosine', 'number', (r) => r.accuracy?.cosine),
    col('reasons', 'string', (r) => r.reasons.join(' | ').replace(/\s*\n\s*/g, ' ')),
  ];
}

function csvCell(x: unknown): string {
  const s = x === null || x === undefined ? '' : typeof x === 'object' ? JSON.stringify(x) : String(x);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV of a sweep: one row per point, the swept axes as columns first. */
export function sweepCsv(rows: readonly SweepRow[]): string {
  const cols = sweepColumns(rows);
  const lines = rows.map((_r, i) => cols.map((c) => csvCell(c.values[i])).join(','));
  return [cols.map((c) => c.name).join(','), ...lines].join('\n') + '\n';
}

/**
 * Parquet of a sweep (the columns of {@link sweepColumns}; written by hyparquet-writer, pure
 * JavaScript, Snappy pages): figures as nullable DOUBLE, `pareto` BOOLEAN, text as STRING; an axis
 * is DOUBLE when all its values are numbers, else STRING (an object as its JSON).
 */
export function sweepParquet(rows: readonly SweepRow[]): Uint8Array {
  const columnData: ColumnSource[] = sweepColumns(rows).map((c) => {
    const numeric = c.kind === 'number' || (c.kind === 'axis' && c.values.every((v) => typeof v === 'number'));
    if (numeric) return { name: c.name, data: c.values.map((v) => (v === null ? null : Number(v))), type: 'DOUBLE', nullable: true };
    if (c.kind === 'boolean') return { name: c.name, data: c.values.map((v) => v === true), type: 'BOOLEAN', nullable: false };
    return { name: c.name, data: c.values.map((v) => (v === null ? null : typeof v === 'string' ? v : JSON.stringify(v))), type: 'STRING', nullable: true };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}
