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

/** Events converted per call of core's toPerfettoTrace (bounded: it spreads its records into one push, which overflows the call stack beyond ~100k). */
export const TRACE_CHUNK = 20_000;

/**
 * Writes a Chrome/Perfetto trace JSON of `events` (core's toPerfettoTrace format), streaming the
 * records to the file one per line: a whole-model decode step has millions of events, too many
 * for one JSON string. Events are converted in chunks whose thread ids are renumbered into one
 * table, then stably sorted by time as toPerfettoTrace sorts them. Returns the record count.
 */
export function writePerfettoTrace(file: string, events: readonly TraceEvent[], opts: { clockMhz: number; title: string; coalesce?: boolean }, chunk = TRACE_CHUNK): number {
  type Rec = ReturnType<typeof toPerfettoTrace>['traceEvents'][number];
  const meta: Rec[] = [];
  const body: Rec[] = [];
  const globalTid = new Map<string, number>();
  let metadata: Record<string, unknown> = {};
  const seenProcess = new Set<number>();
  for (let i = 0; i < Math.max(events.length, 1); i += chunk) {
    const t = toPerfettoTrace(events.slice(i, i + chunk), opts);
    metadata = t.metadata;
    const local = new Map<string, number>();
    for (const r of t.traceEvents) {
      if (r.ph !== 'M') continue;
      if (r.name === 'process_name') {
        if (!seenProcess.has(r.pid)) {
          seenProcess.add(r.pid);
          meta.push(r);
        }
        continue;
      }
      const name = String(r.args?.['name']);
      const key = `${r.pid}/${name}`;
      let g = globalTid.get(key);
      if (g === undefined) {
        g = globalTid.size + 1;
        globalTid.set(key, g);
        meta.push({ ...r, tid: g });
      }
      local.set(`${r.pid}/${r.tid}`, g);
    }
    for (const r of t.traceEvents) {
      if (r.ph === 'M') continue;
      body.push(r.tid === undefined ? r : { ...r, tid: local.get(`${r.pid}/${r.tid}`)! });
    }
  }
  body.sort((a, b) => a.ts! - b.ts!);
  let fd: number;
  try {
    fd = openSync(file, 'w');
  } catch (e) {
    throw new CliError(`--trace: cannot write '${file}': ${(e as Error).message}`);
  }
  try {
    const records = [...meta, ...body];
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
  return meta.length + body.length;
}
