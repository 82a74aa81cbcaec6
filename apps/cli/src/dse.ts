import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { defaultPassWorkers } from '@lut-llm/accelerator';
import type { PointTiming, SweepRow } from '@lut-llm/dse';

/** @lut-llm/dse (BullMQ, ioredis, the Parquet writer: ~120 ms of CPU to load), loaded by the commands that use it only. */
const dse = () => import('@lut-llm/dse');
import { AtomicFile, writeOutput, writtenNote } from './files.js';
import { CliError, checkWritable, intAtLeast } from './options.js';
import { PassProgress, type CliIo } from './progress.js';

export interface SweepCommandOptions {
  readonly grid: string;
  readonly passWorkers: number;
  readonly csv?: string;
  readonly json?: string;
  readonly parquet?: string;
  readonly html?: string;
  readonly queue?: string;
  /** Emulate every point in full (no re-timing of points that differ only in clock and FIFO depths). */
  readonly noRetime?: boolean;
}

/** The table's "cycles" cell: how a point's cycles were obtained. */
function timingCell(t: PointTiming | undefined): string {
  if (!t || t.kind === 'emulated') return 'emulated';
  return t.rerunPasses > 0 ? `re-timed from ${t.from} (${t.rerunPasses} pass(es) re-run)` : `re-timed from ${t.from}`;
}

const fmt = (x: number | null, digits = 3) => (x === null ? '-' : x.toPrecision(digits));

/** The text table of a sweep: one line per point, the Pareto front marked with '*'. */
export function sweepTable(rows: readonly SweepRow[], timings: ReadonlyMap<string, PointTiming> = new Map()): string {
  const axes = [...new Set(rows.flatMap((r) => Object.keys(r.settings)))];
  const head = ['', 'hash', ...axes, 'status', 'TTFT ms', 'decode ms/tok', 'e2e ms', 'tokens/J', 'BRAM18', 'URAM', 'LUTRAM', 'DSP', 'SQNR dB', 'cycles'];
  const body = rows.map((r) => [
    r.pareto ? '*' : '',
    r.hash,
    ...axes.map((a) => {
      const v = (r.settings as Record<string, unknown>)[a];
      return v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }),
    r.status,
    fmt(r.ttftMs),
    fmt(r.decodeMsPerToken),
    fmt(r.e2eMs),
    fmt(r.tokensPerJoule),
    String(r.onChip?.bram18 ?? '-'),
    String(r.onChip?.uram ?? '-'),
    String(r.onChip?.lutramLuts ?? '-'),
    String(r.onChip?.dsp ?? '-'),
    r.accuracy ? r.accuracy.sqnrDb.toFixed(2) : '-',
    timingCell(timings.get(r.hash)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(head), ...body.map(line)];
  const notes = rows.filter((r) => r.status !== 'ok').map((r) => `  ${r.hash} ${r.status}: ${r.reasons.join('; ').replace(/\s*\n\s*/g, ' ')}`);
  if (notes.length > 0) out.push('', 'not feasible or not valid (emulated as what-ifs where valid):', ...notes);
  return out.join('\n');
}

/** `lut-llm sweep grid.json`: every point of the grid, on the local pass pool or a BullMQ queue. */
export async function sweepCommand(o: SweepCommandOptions, io: CliIo): Promise<SweepRow[]> {
  const { ACCURACY_PROXY_NOTE, expandGrid, parseGrid, runSweepLocal, runSweepOnQueue, sweepCsv, sweepHtml, sweepParquet } = await dse();
  let text: string;
  try {
    text = readFileSync(o.grid, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read the grid ${o.grid}: ${(e as Error).message}`);
  }
  let points;
  try {
    points = expandGrid(parseGrid(text));
  } catch (e) {
    throw new CliError(`${o.grid}: ${(e as Error).message}`);
  }
  if (o.csv !== undefined) checkWritable('--csv', o.csv);
  if (o.json !== undefined) checkWritable('--json', o.json, { allowStdout: true });
  if (o.parquet !== undefined) checkWritable('--parquet', o.parquet);
  if (o.html !== undefined) checkWritable('--html', o.html);
  const progress = new PassProgress(io.progressStream, points.length, 'points');
  const timings = new Map<string, PointTiming>();
  const onProgress = (done: number, _total: number, r: { hash: string; status: string }, timing: PointTiming) => {
    timings.set(r.hash, timing);
    progress.update(done, `${r.hash} ${r.status}${timing.kind === 'retimed' ? ' (re-timed)' : ''}`);
  };
  if (o.queue !== undefined) io.err(`sweep: ${points.length} points on the queue at ${o.queue}; \`lut-llm worker --queue ${o.queue}\` processes take them (this waits for every result)`);
  let rows: SweepRow[];
  try {
    rows = o.queue !== undefined ? await runSweepOnQueue(points, { url: o.queue, onProgress }) : await runSweepLocal(points, { workers: o.passWorkers, onProgress, retime: o.noRetime !== true });
  } finally {
    progress.stop();
  }
  const say = o.json === '-' ? (t: string) => io.err(t) : (t: string) => io.out(t);
  const front = rows.filter((r) => r.pareto).length;
  say(`${points.length} points (${rows.length} distinct by content hash), ${rows.filter((r) => r.status === 'ok').length} feasible, ${front} on the Pareto front (*: end-to-end latency, tokens/J, on-chip memory, accuracy-proxy SQNR)`);
  say(sweepTable(rows, timings));
  const retimed = rows.filter((r) => timings.get(r.hash)?.kind === 'retimed').length;
  if (retimed > 0) say(`${retimed} point(s) re-timed from a recorded point that differs only in clock and FIFO depths (core retime: the cycles of a full run; --no-retime emulates each)`);
  const notes = [`on-chip figures: an estimate of the modelled buffers; ${rows[0]?.onChipNote ?? ''}`, ACCURACY_PROXY_NOTE];
  for (const n of notes) say(n);
  if (o.csv !== undefined) {
    writeOutput('--csv', o.csv, sweepCsv(rows));
    writtenNote(io, o.csv, 'sweep (CSV)');
  }
  if (o.json !== undefined) {
    writeOutput('--json', o.json, JSON.stringify(rows, null, 2), io);
    writtenNote(io, o.json, 'sweep (JSON)');
  }
  if (o.parquet !== undefined) {
    const f = new AtomicFile('--parquet', o.parquet);
    f.write(sweepParquet(rows));
    f.commit();
    writtenNote(io, o.parquet, 'sweep (Parquet)');
  }
  if (o.html !== undefined) {
    writeOutput('--html', o.html, sweepHtml(rows, { title: `lut-llm sweep ${o.grid}`, notes }));
    writtenNote(io, o.html, 'sweep plot (HTML: latency vs tokens/J vs on-chip memory, Pareto front marked)');
  }
  return rows;
}

/** Registers `sweep` and `worker` on the program. */
export function addDseCommands(program: Command, io: CliIo): void {
  program
    .command('sweep')
    .description('design-space sweep: every point of a grid (VQ parameters, stage sizes, HBM split, clock, FIFO depths, model) with TTFT, decode ms/token, end to end, tokens/J and on-chip resources; the Pareto front marked (see packages/dse/README.md)')
    .argument('<grid.json>', 'the grid: { platform?, request?, axes: { model?: [...], cA?: [...], clockMhz?: [...], ... } }')
    .option('--pass-workers <n>', `threads that run the points' passes, the main thread included (n - 1 worker threads; 0 or 1 = serially on the main thread; default ${defaultPassWorkers()})`, intAtLeast('--pass-workers', 0), defaultPassWorkers())
    .option('--csv <file>', 'write the points as CSV')
    .option('--json <file>', "write the points as JSON ('-' = stdout)")
    .option('--parquet <file>', 'write the points as Parquet (the CSV columns, typed)')
    .option('--html <file>', 'write a self-contained HTML report: latency vs tokens/J vs on-chip memory, the Pareto front marked')
    .option('--no-retime', 'emulate every point in full (default: points that differ only in clock and FIFO depths are re-timed from one recording)')
    .option('--queue <redis://host:port>', 'put the points on a BullMQ queue in that Redis for `lut-llm worker` processes (any number, any machine) and collect their results')
    .option('--quiet', 'no progress bar')
    .action(async (grid: string, o: { passWorkers: number; csv?: string; json?: string; parquet?: string; html?: string; queue?: string; quiet?: boolean; retime: boolean }) => {
      const quiet: CliIo = o.quiet ? { out: io.out, err: io.err, progressStream: null } : io;
      const files = Object.fromEntries((['csv', 'json', 'parquet', 'html'] as const).filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
      await sweepCommand({ grid, passWorkers: o.passWorkers, ...files, ...(o.queue !== undefined ? { queue: o.queue } : {}), noRetime: !o.retime }, quiet);
    });

  program
    .command('worker')
    .description('a sweep worker: takes points off the BullMQ queue of `lut-llm sweep --queue` and stores each result under its content hash; runs until SIGINT/SIGTERM')
    .requiredOption('--queue <redis://host:port>', 'the Redis of the queue')
    .option('--pass-workers <n>', 'pass-pool threads of this worker', intAtLeast('--pass-workers', 1), 1)
    .option('--lock-ms <ms>', 'a point whose worker has not renewed its lock for this long goes back to the queue (a worker died)', intAtLeast('--lock-ms', 500), 30_000)
    .action(async (o: { queue: string; passWorkers: number; lockMs: number }) => {
      let stop: () => Promise<void>;
      try {
        const { startQueueWorker } = await dse();
        stop = await startQueueWorker({ url: o.queue, passWorkers: o.passWorkers, lockDurationMs: o.lockMs, onEvent: (e, hash) => io.out(`${e} ${hash}`) });
      } catch (e) {
        throw new CliError(`worker: ${(e as Error).message}`);
      }
      io.err(`worker: waiting for points on ${o.queue}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await stop();
    });
}
