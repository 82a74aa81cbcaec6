import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { toPerfettoTrace, type TraceEvent } from '@lut-llm/core';
import { CliError } from './options.js';

/** JSON of a report without its trace events (the `events` arrays), NaN/Infinity as null. */
export function reportJson(report: unknown): string {
  return JSON.stringify(report, (key, value: unknown) => (key === 'events' ? undefined : value), 2);
}

/** Writes a file, turning a file-system error into a message naming the flag. */
export function writeOutput(flag: string, file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new CliError(`${flag}: cannot write '${file}': ${(e as Error).message}`);
  }
}

/**
 * Writes a Chrome/Perfetto trace JSON of `events` (core's toPerfettoTrace), streaming the records
 * to the file one per line: a whole-model decode step has millions of records, too many for one
 * JSON string. Returns the record count.
 */
export function writePerfettoTrace(file: string, events: readonly TraceEvent[], opts: { clockMhz: number; title: string; coalesce?: boolean }): number {
  const { traceEvents: records, metadata } = toPerfettoTrace(events, opts);
  let fd: number;
  try {
    fd = openSync(file, 'w');
  } catch (e) {
    throw new CliError(`--trace: cannot write '${file}': ${(e as Error).message}`);
  }
  try {
    writeSync(fd, '{"displayTimeUnit":"ns","metadata":' + JSON.stringify(metadata) + ',"traceEvents":[\n');
    const BATCH = 10_000;
    for (let i = 0; i < records.length; i += BATCH) {
      const lines = records.slice(i, i + BATCH).map((r) => JSON.stringify(r));
      writeSync(fd, lines.join(',\n') + (i + BATCH < records.length ? ',\n' : '\n'));
    }
    writeSync(fd, ']}\n');
  } finally {
    closeSync(fd);
  }
  return records.length;
}
