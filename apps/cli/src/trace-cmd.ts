import { LINEAR_VARIANTS, PLATFORM_PRESETS, type LinearVariant } from '@lut-llm/accelerator';
import type { Qwen3Config } from '@lut-llm/model';
import { passToPerfetto, type TraceReport } from '@lut-llm/trace-report';
import { Option, type Command } from 'commander';
import { writeOutput } from './files.js';
import { ALLOW_INFEASIBLE, CliError, checkFeasible, checkLayers, checkLengths, checkWritable, designFeasibility, intAtLeast, parseModel, parseVariant, positiveNumber, resolvePlatform, whatIfLines } from './options.js';
import { PassProgress, type CliIo } from './progress.js';
import { traceRequest, type TraceRequest } from './trace-run.js';
import { viewerHtml } from './viewer-html.js';

/** Defaults of `lut-llm trace`: the paper's model, one prefill chunk and the first decode step. */
export const TRACE_DEFAULTS = { model: 'Qwen3-1.7B', platform: 'v80', prompt: 128, output: 2, variant: 'co-quant', passes: 'prefill,decode', out: 'lut-llm-trace' } as const;

/** `--passes prefill,decode`: which passes of the request to trace. */
export function parsePasses(v: string): ('prefill' | 'decode')[] {
  const out: ('prefill' | 'decode')[] = [];
  for (const p of v.split(',').map((s) => s.trim())) {
    if (p !== 'prefill' && p !== 'decode') throw new CliError(`--passes: unknown pass '${p}'; expected a comma-separated list of prefill, decode`);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

export interface TraceFiles {
  readonly report: string;
  readonly perfetto: string;
  readonly html: string;
}

/** The three files of an output prefix. */
export function traceFiles(prefix: string): TraceFiles {
  return { report: `${prefix}.report.json`, perfetto: `${prefix}.perfetto.json`, html: `${prefix}.html` };
}

/** Perfetto trace of every pass of a report, laid one after another on the time axis. */
export function reportToPerfetto(report: TraceReport): string {
  let start = 0;
  const events: unknown[] = [];
  report.passes.forEach((p, i) => {
    const t = passToPerfetto(p, { clockMhz: report.clockMhz, title: report.title, startCycle: start, pidBase: 10 * i });
    events.push(...t.traceEvents);
    start += p.cycles;
  });
  return JSON.stringify({ displayTimeUnit: 'ns', metadata: { 'lut-llm-emu': { timeUnit: '1 us in the viewer = 1 kernel clock cycle', title: report.title, clockMhz: report.clockMhz } }, traceEvents: events });
}

/** Runs `lut-llm trace`: traces the request's passes and writes the report, the Perfetto trace and the HTML page. */
export function traceCommand(r: TraceRequest & { readonly out: string; readonly allowInfeasible?: boolean }, io: CliIo): { report: TraceReport; files: TraceFiles } {
  checkLayers(r.layers, r.model);
  checkLengths(r.prompt, r.output, r.model);
  // HBM per channel group and the on-chip budget, as run checks them.
  const feasibility = designFeasibility(r.model, r.platform, r.prompt + r.output, [r.variant]);
  checkFeasible(feasibility, r.allowInfeasible ?? false, `${r.model.name} with ${r.prompt + r.output} positions on ${r.platform.name}`);
  if (r.passes.includes('decode') && r.output < 2) throw new CliError('--passes decode traces the first decode step: it needs --output >= 2');
  const files = traceFiles(r.out);
  checkWritable('--out', files.report);
  const html = viewerHtml(); // fails now, before the run, when the viewer is not built
  void html;
  const progress = new PassProgress(io.progressStream, r.passes.length);
  let done = 0;
  let report: TraceReport;
  try {
    report = traceRequest(r, { onPass: (_i, p) => progress.update(++done, p.label) });
  } finally {
    progress.stop();
  }
  writeOutput('--out', files.report, JSON.stringify(report));
  writeOutput('--out', files.perfetto, reportToPerfetto(report));
  writeOutput('--out', files.html, viewerHtml({ report }));
  for (const l of whatIfLines(feasibility)) io.out(l);
  io.out(`trace of ${report.title}`);
  for (const p of report.passes) {
    const b = p.bottlenecks[0];
    io.out(`  ${p.label}: ${p.cycles.toLocaleString('en-US')} cycles, ${p.events.toLocaleString('en-US')} trace events aggregated`);
    if (b) io.out(`    bottleneck ${b.name}: ${b.explanation}`);
  }
  io.out(`report ${files.report} (version ${report.version}), Perfetto trace ${files.perfetto} (ui.perfetto.dev, 1 us = 1 cycle), page ${files.html} (open it in a browser, no server needed)`);
  return { report, files };
}

interface TraceFlags {
  model: Qwen3Config;
  platform: string;
  clockMhz?: number;
  variant: LinearVariant;
  prompt: number;
  output: number;
  prefillChunk?: number;
  layers?: number;
  prefetch: boolean;
  passes: ('prefill' | 'decode')[];
  out: string;
  quiet?: boolean;
}

/** Adds `lut-llm trace` to the program. */
export function registerTraceCommand(program: Command, io: CliIo): void {
  program
    .command('trace')
    .description(
      'trace passes of a request (default: the first prefill chunk and the first decode step) and write <out>.report.json (stall and bottleneck report), ' +
        '<out>.perfetto.json (ui.perfetto.dev) and <out>.html (the trace viewer with the report inlined: opens from disk)',
    )
    .addOption(new Option('--model <name>', 'model to emulate (a Qwen3 preset or "tiny")').argParser(parseModel).default(parseModel(TRACE_DEFAULTS.model), TRACE_DEFAULTS.model))
    .option('--platform <file|preset>', `platform: a preset (${Object.keys(PLATFORM_PRESETS).join(', ')}) or a JSON platform file`, TRACE_DEFAULTS.platform)
    .option('--clock-mhz <MHz>', 'override the kernel clock of the platform, in MHz', positiveNumber('--clock-mhz'))
    .addOption(new Option('--variant <name>', `LUTLinear variant: ${LINEAR_VARIANTS.join(', ')}`).argParser(parseVariant).default(TRACE_DEFAULTS.variant))
    .option('--prompt <tokens>', 'prompt length, in tokens', intAtLeast('--prompt', 1), TRACE_DEFAULTS.prompt)
    .option('--output <tokens>', 'tokens generated (the first comes out of prefill)', intAtLeast('--output', 1), TRACE_DEFAULTS.output)
    .option('--prefill-chunk <tokens>', 'prompt tokens per prefill pass (default: the platform\'s, 128)', intAtLeast('--prefill-chunk', 1))
    .option('--layers <n>', 'emulate only the first n decoder layers (the LM head always runs)', intAtLeast('--layers', 1))
    .option('--no-prefetch', 'do not prefetch the KV history during the QKV projection')
    .addOption(new Option('--passes <list>', 'passes to trace: prefill, decode or both').argParser(parsePasses).default(parsePasses(TRACE_DEFAULTS.passes), TRACE_DEFAULTS.passes))
    .option('--out <prefix>', 'output prefix: <prefix>.report.json, <prefix>.perfetto.json, <prefix>.html', TRACE_DEFAULTS.out)
    .option('--quiet', 'no progress bar')
    .option(ALLOW_INFEASIBLE, 'trace a design that does not fit the platform (HBM or on-chip) as a what-if instead of refusing it')
    .action((o: TraceFlags & { allowInfeasible?: boolean }) => {
      traceCommand(
        {
          model: o.model,
          platform: resolvePlatform(o.platform, o.clockMhz),
          platformName: o.platform,
          variant: o.variant,
          prompt: o.prompt,
          output: o.output,
          ...(o.prefillChunk !== undefined ? { prefillChunk: o.prefillChunk } : {}),
          ...(o.layers !== undefined ? { layers: o.layers } : {}),
          prefetch: o.prefetch,
          passes: o.passes,
          out: o.out,
          allowInfeasible: o.allowInfeasible ?? false,
        },
        o.quiet ? { out: (t) => io.out(t), err: (t) => io.err(t), progressStream: null } : io,
      );
    });
}
