import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { defaultPassWorkers } from '@lut-llm/accelerator';
import { expandGrid, parseGrid, runSweepLocal, runSweepOnQueue, startQueueWorker, sweepCsv, type SweepRow } from '@lut-llm/dse';
import { writeOutput, writtenNote } from './files.js';
import { CliError, checkWritable, intAtLeast } from './options.js';
import { PassProgress, type CliIo } from './progress.js';

export interface SweepCommandOptions {
  readonly grid: string;
  readonly passWorkers: number;
  readonly csv?: string;
  readonly json?: string;
  readonly queue?: string;
}

const fmt = (x: number | null, digits = 3) => (x === null ? '-' : x.toPrecision(digits));

/** The text table of a sweep: one line per point, the Pareto front marked with '*'. */
export function sweepTable(rows: readonly SweepRow[]): string {
  const axes = [...new Set(rows.flatMap((r) => Object.keys(r.settings)))];
  const head = ['', 'hash', ...axes, 'status', 'TTFT ms', 'decode ms/tok', 'e2e ms', 'tokens/J', 'BRAM18', 'URAM', 'LUTRAM', 'DSP'];
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
  const progress = new PassProgress(io.progressStream, points.length, 'points');
  const onProgress = (done: number, _total: number, r: { hash: string; status: string }) => progress.update(done, `${r.hash} ${r.status}`);
  if (o.queue !== undefined) io.err(`sweep: ${points.length} points on the queue at ${o.queue}; \`lut-llm worker --queue ${o.queue}\` processes take them (this waits for every result)`);
  let rows: SweepRow[];
  try {
    rows = o.queue !== undefined ? await runSweepOnQueue(points, { url: o.queue, onProgress }) : await runSweepLocal(points, { workers: o.passWorkers, onProgress });
  } finally {
    progress.stop();
  }
  const say = o.json === '-' ? (t: string) => io.err(t) : (t: string) => io.out(t);
  const front = rows.filter((r) => r.pareto).length;
  say(`${points.length} points (${rows.length} distinct by content hash), ${rows.filter((r) => r.status === 'ok').length} feasible, ${front} on the Pareto front (*: end-to-end latency, tokens/J, on-chip memory)`);
  say(sweepTable(rows));
  say(`on-chip figures: an estimate of the modelled buffers; ${rows[0]?.onChipNote ?? ''}`);
  if (o.csv !== undefined) {
    writeOutput('--csv', o.csv, sweepCsv(rows));
    writtenNote(io, o.csv, 'sweep (CSV)');
  }
  if (o.json !== undefined) {
    writeOutput('--json', o.json, JSON.stringify(rows, null, 2), io);
    writtenNote(io, o.json, 'sweep (JSON)');
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
    .option('--queue <redis://host:port>', 'put the points on a BullMQ queue in that Redis for `lut-llm worker` processes (any number, any machine) and collect their results')
    .option('--quiet', 'no progress bar')
    .action(async (grid: string, o: { passWorkers: number; csv?: string; json?: string; queue?: string; quiet?: boolean }) => {
      const quiet: CliIo = o.quiet ? { out: io.out, err: io.err, progressStream: null } : io;
      await sweepCommand({ grid, passWorkers: o.passWorkers, ...(o.csv !== undefined ? { csv: o.csv } : {}), ...(o.json !== undefined ? { json: o.json } : {}), ...(o.queue !== undefined ? { queue: o.queue } : {}) }, quiet);
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
