import { writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { LINEAR_VARIANTS, PLATFORM_PRESETS, describePlatform, type LinearVariant } from '@lut-llm/accelerator';
import { formatSummary, runGraph, suggestFifoDepths, toDot, toPerfettoTrace } from '@lut-llm/core';
import type { Qwen3Config } from '@lut-llm/model';
import { COMPARE_DECODE_SAMPLES, compareCommand } from './compare.js';
import { demoGraph } from './demo.js';
import { linearCommand } from './linear.js';
import { FUNCTIONAL_DEFAULTS, functionalCommand, type FunctionalCommandOptions } from './functional.js';
import {
  CliError,
  MODEL_NAMES,
  TINY_MODEL,
  checkLengths,
  checkWritable,
  intAtLeast,
  parseDecodeSamples,
  parseMode,
  parseModel,
  parseVariant,
  parseVariantList,
  positiveNumber,
  resolvePlatform,
} from './options.js';
import { processIo, type CliIo } from './progress.js';
import { RUN_DEFAULTS, runCommand } from './run.js';

const PRESETS = Object.keys(PLATFORM_PRESETS).join(', ');

/** Options shared by run and compare. */
function addRequestOptions(cmd: Command, decodeSamplesDefault: number): Command {
  return cmd
    .addOption(
      new Option('--model <name>', `model to emulate: ${MODEL_NAMES.join(', ')} ("tiny": hidden 256, 2 layers, vocabulary 512)`)
        .argParser(parseModel)
        .default(parseModel(RUN_DEFAULTS.model), RUN_DEFAULTS.model),
    )
    .option('--platform <file|preset>', `platform: a preset (${PRESETS}) or a JSON platform file (fields merged over its "preset", default v80)`, RUN_DEFAULTS.platform)
    .option('--clock-mhz <MHz>', 'override the kernel clock of the platform, in MHz', positiveNumber('--clock-mhz'))
    .option('--prompt <tokens>', 'prompt length, in tokens', intAtLeast('--prompt', 1), RUN_DEFAULTS.prompt)
    .option('--output <tokens>', 'tokens to generate (the first comes out of prefill, the others are decode steps)', intAtLeast('--output', 1), RUN_DEFAULTS.output)
    .option('--prefill-chunk <tokens>', 'prompt tokens per prefill pass, in tokens (default: the platform\'s lut-linear.prefillChunkTokens, 128)', intAtLeast('--prefill-chunk', 1))
    .addOption(
      new Option(
        '--decode-samples <n|all>',
        'decode steps emulated: an integer >= 2 spread from the first to the last step (the others are interpolated linearly in context length), or "all"',
      )
        .argParser(parseDecodeSamples)
        .default(decodeSamplesDefault),
    )
    .option('--no-prefetch', 'do not prefetch the KV history during each layer\'s QKV projection (the reference design prefetches)')
    .option('--quiet', 'no progress bar')
    .option('--json <file>', 'write the whole report as JSON (trace events omitted)');
}

interface RunFlags extends RequestFlags {
  variant: LinearVariant;
  mode: 'timing' | 'functional';
  layers?: number;
  top: number;
  trace?: string;
  traceWindow: number;
  seed: number;
  silu: 'pwl9' | 'exact';
}

/** `--workers` is refused by name: the in-engine worker offload is retired (issue 19 replaces it). */
function retiredWorkers(): never {
  throw new InvalidArgumentError('--workers: worker pools are being redesigned (issue 19); functional runs call their kernels inline, drop the flag');
}

/** Functional-mode options from the run flags; flags that only apply to timing mode are refused when given. */
function functionalOptions(o: RunFlags, cmd: Command): FunctionalCommandOptions {
  const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
  const refuse: [boolean, string][] = [
    [o.variant !== 'co-quant', `--variant ${o.variant} (functional mode runs the co-quantized reference design)`],
    [o.layers !== undefined, '--layers'],
    [o.trace !== undefined, '--trace'],
    [!o.prefetch, '--no-prefetch'],
    [given('decodeSamples'), '--decode-samples (functional mode emulates every decode step)'],
  ];
  for (const [bad, flag] of refuse) if (bad) throw new CliError(`--mode functional does not take ${flag}; it is a timing-mode flag`);
  const model = o.model;
  const prompt = given('prompt') ? o.prompt : FUNCTIONAL_DEFAULTS.prompt;
  const output = given('output') ? o.output : FUNCTIONAL_DEFAULTS.output;
  checkLengths(prompt, output, model);
  if (o.json !== undefined) checkWritable('--json', o.json);
  return {
    model,
    platform: resolvePlatform(o.platform, o.clockMhz),
    prompt,
    output,
    ...(o.prefillChunk !== undefined ? { prefillChunk: o.prefillChunk } : {}),
    seed: o.seed,
    silu: o.silu,
    ...(o.json !== undefined ? { json: o.json } : {}),
  };
}

interface RequestFlags {
  model: Qwen3Config;
  platform: string;
  clockMhz?: number;
  prompt: number;
  output: number;
  prefillChunk?: number;
  decodeSamples: number | 'all';
  prefetch: boolean;
  quiet?: boolean;
  json?: string;
}

/** The io with the progress bar removed under --quiet. */
function quietIo(io: CliIo, quiet: boolean | undefined): CliIo {
  return quiet ? { out: (t) => io.out(t), err: (t) => io.err(t), progressStream: null } : io;
}

/**
 * The `lut-llm` program. Output goes through `io` (so commands can run in-process and be
 * captured); errors are thrown (commander errors included, via exitOverride) for {@link runCli}
 * to print.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command();
  program
    .name('lut-llm')
    .description(
      'Dataflow emulator of the LUT-LLM FPGA accelerator (memory-based LLM inference on an AMD Alveo V80). ' +
        'Times are in kernel clock cycles, shown as ms at the platform clock. Default command: run.',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')), outputError: () => {} })
    .showHelpAfterError(false)
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  lut-llm                                   Qwen3-1.7B on the V80, 128 tokens in, 128 out (= lut-llm run)',
        '  lut-llm run --prompt 512 --output 64 --json report.json',
        '  lut-llm run --model Qwen3-0.6B --layers 2 --trace decode.json   (open in ui.perfetto.dev)',
        '  lut-llm run --mode functional --model tiny                        (real numbers, logits vs FP32)',
        '  lut-llm compare --roofline',
        '  lut-llm linear --shape 2048x6144 --variant all --tokens 128',
        '',
        'Each command has its own --help (e.g. lut-llm run --help) listing its flags with their units.',
      ].join('\n'),
    );

  // ---- run (default)
  const run = program
    .command('run', { isDefault: true })
    .description(
      `emulate a request in timing mode and print the summary: TTFT, decode latency, tokens/s, tokens/J, HBM bandwidth, unit utilisation, the bottleneck ` +
        `(default: ${RUN_DEFAULTS.model} on v80, ${RUN_DEFAULTS.prompt} tokens in, ${RUN_DEFAULTS.output} out)`,
    );
  addRequestOptions(run, RUN_DEFAULTS.decodeSamples)
    .addOption(new Option('--variant <name>', `LUTLinear variant: ${LINEAR_VARIANTS.join(', ')}`).argParser(parseVariant).default(RUN_DEFAULTS.variant))
    .addOption(
      new Option('--mode <mode>', `timing (payloads are shapes: fast, any model) or functional (real numbers through every kernel, logits vs FP32; --model ${TINY_MODEL} only, default ${FUNCTIONAL_DEFAULTS.prompt} tokens in, ${FUNCTIONAL_DEFAULTS.output} out)`)
        .argParser(parseMode)
        .default('timing'),
    )
    .option('--layers <n>', 'emulate only the first n decoder layers (the LM head always runs), for quick studies', intAtLeast('--layers', 1))
    .option('--top <n>', 'rows of the unit utilisation table', intAtLeast('--top', 1), 10)
    .option('--trace <file>', 'write a Chrome/Perfetto trace JSON of the first decode step (1 us = 1 cycle; back-to-back firings in one state are merged into one slice)')
    .option('--trace-window <cycles>', 'aggregate the trace into windows of this many cycles (one slice per actor and window, peak FIFO occupancy, units served): small files for whole-model runs; 0 = every event', intAtLeast('--trace-window', 0), 0)
    .option('--seed <n>', 'functional mode: seed of the synthetic weights and prompt', intAtLeast('--seed', 0), FUNCTIONAL_DEFAULTS.seed)
    .addOption(new Option('--silu <kind>', "functional mode: SwiGLU's SiLU, the reference design's 9-segment PWL or exact").choices(['pwl9', 'exact']).default('pwl9'))
    .option('--workers <n>', 'retired: worker pools are being redesigned (issue 19); kernels run inline', retiredWorkers)
    .action(async (o: RunFlags, cmd: Command) => {
      if (o.mode === 'functional') {
        await functionalCommand(functionalOptions(o, cmd), quietIo(io, o.quiet));
        return;
      }
      runCommand(
        {
          model: o.model,
          platform: resolvePlatform(o.platform, o.clockMhz),
          variant: o.variant,
          prompt: o.prompt,
          output: o.output,
          ...(o.prefillChunk !== undefined ? { prefillChunk: o.prefillChunk } : {}),
          decodeSamples: o.decodeSamples,
          ...(o.layers !== undefined ? { layers: o.layers } : {}),
          prefetch: o.prefetch,
          topUnits: o.top,
          ...(o.json !== undefined ? { json: o.json } : {}),
          ...(o.trace !== undefined ? { trace: o.trace } : {}),
          traceWindow: o.traceWindow,
        },
        quietIo(io, o.quiet),
      );
    });

  // ---- compare
  const compare = program
    .command('compare')
    .description('the three LUTLinear variants on the whole model side by side, then LUT-LLM (emulated) vs the A100 and MI210 rooflines, with tokens/J');
  addRequestOptions(compare, COMPARE_DECODE_SAMPLES)
    .addOption(new Option('--variant <names>', `variants to emulate: "all" or a comma-separated list of ${LINEAR_VARIANTS.join(', ')}`).argParser(parseVariantList).default([...LINEAR_VARIANTS], 'all'))
    .option('--roofline', 'also print the roofline points of each op (decode and prefill) on each GPU and on LUT-LLM')
    .action((o: RequestFlags & { variant: LinearVariant[]; roofline?: boolean }) => {
      compareCommand(
        {
          model: o.model,
          platform: resolvePlatform(o.platform, o.clockMhz),
          variants: o.variant,
          prompt: o.prompt,
          output: o.output,
          ...(o.prefillChunk !== undefined ? { prefillChunk: o.prefillChunk } : {}),
          decodeSamples: o.decodeSamples,
          prefetch: o.prefetch,
          roofline: o.roofline ?? false,
          ...(o.json !== undefined ? { json: o.json } : {}),
        },
        quietIo(io, o.quiet),
      );
    });

  // ---- linear
  program
    .command('linear')
    .description('one LUTLinear op (timing mode) in each variant side by side: cycles, HBM bandwidth vs peak, per-stage utilisation, bottleneck')
    .option('--shape <MxD>', 'layer shape: out-features x in-features (e.g. 2048x6144 is Qwen3-1.7B\'s down projection)', '2048x2048')
    .addOption(new Option('--variant <name|all>', `variants: "all" or a comma-separated list of ${LINEAR_VARIANTS.join(', ')}`).argParser(parseVariantList).default([...LINEAR_VARIANTS], 'all'))
    .option('--tokens <T>', 'tokens per call, in tokens: 1 = GEMV (decode), > 1 = GEMM (prefill chunk)', intAtLeast('--tokens', 1), 1)
    .option('--platform <file|preset>', `platform: a preset (${PRESETS}) or a JSON platform file`, RUN_DEFAULTS.platform)
    .option('--clock-mhz <MHz>', 'override the kernel clock of the platform, in MHz', positiveNumber('--clock-mhz'))
    .option('--json <file>', 'write the reports as JSON (trace events omitted)')
    .action((o: { shape: string; variant: LinearVariant[]; tokens: number; platform: string; clockMhz?: number; json?: string }) => {
      linearCommand(
        { shape: o.shape, variants: o.variant, tokens: o.tokens, platform: resolvePlatform(o.platform, o.clockMhz), ...(o.json !== undefined ? { json: o.json } : {}) },
        io,
      );
    });

  // ---- platform
  program
    .command('platform')
    .description('print a platform: clock, HBM channel plan and bandwidth per stream, on-chip budget, board power, VQ format')
    .option('--platform <file|preset>', `a preset (${PRESETS}) or a JSON platform file`, RUN_DEFAULTS.platform)
    .option('--clock-mhz <MHz>', 'override the kernel clock, in MHz', positiveNumber('--clock-mhz'))
    .action((o: { platform: string; clockMhz?: number }) => {
      io.out(describePlatform(resolvePlatform(o.platform, o.clockMhz)).join('\n'));
    });

  // ---- demo
  program
    .command('demo')
    .description('run a small LUTLinear-shaped pipeline on the runtime and print its trace summary')
    .option('--tiles <n>', 'weight tiles streamed from HBM', intAtLeast('--tiles', 1), 64)
    .option('--depth <n>', 'depth of every FIFO, in tokens', intAtLeast('--depth', 1), 2)
    .option('--hbm-bytes-per-cycle <n>', 'bandwidth of the weight channel group, bytes per cycle', intAtLeast('--hbm-bytes-per-cycle', 1), 1024)
    .option('--clock-mhz <n>', 'kernel clock in MHz (for the time column)', positiveNumber('--clock-mhz'), 227)
    .option('--trace <file>', 'write a Chrome/Perfetto trace JSON (open in ui.perfetto.dev)')
    .option('--dot <file>', 'write the task graph as Graphviz dot')
    .action((o: { tiles: number; depth: number; hbmBytesPerCycle: number; clockMhz: number; trace?: string; dot?: string }) => {
      const graph = demoGraph({ tiles: o.tiles, depth: o.depth, hbmBytesPerCycle: o.hbmBytesPerCycle });
      const result = runGraph(graph, { trace: o.trace ? 'full' : 'summary' });
      io.out(formatSummary(result.summary, { clockMhz: o.clockMhz }));
      const advice = suggestFifoDepths(graph).filter((s) => s.suggestedDepth > s.depth);
      if (advice.length > 0) {
        io.out('FIFO depths that would remove back-pressure (peak occupancy of an unbounded run):');
        for (const s of advice) io.out(`  ${s.fifo}: depth ${s.depth} -> ${s.suggestedDepth}`);
      }
      if (o.trace) {
        writeFileSync(o.trace, JSON.stringify(toPerfettoTrace(result.events, { clockMhz: o.clockMhz, title: graph.name })));
        io.out(`trace written to ${o.trace}`);
      }
      if (o.dot) writeFileSync(o.dot, toDot(graph));
    });

  return program;
}

/**
 * Runs the CLI on `argv` (without node and the script path). Returns the exit code: 0, or 1
 * after printing `lut-llm: <message>` (no stack trace) for any error.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0; // --help, --version
      // Our argument parsers' messages name the flag: print them without commander's preamble.
      const own = e.code === 'commander.invalidArgument' ? /is invalid\. (.+)$/s.exec(e.message) : null;
      io.err(`lut-llm: ${own?.[1]?.startsWith('--') ? own[1] : e.message.replace(/^error: /, '')}`);
      return e.exitCode || 1;
    }
    io.err(`lut-llm: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
