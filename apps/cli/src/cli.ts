import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { KV_BUFFER_FIFO, LINEAR_COMPARISON_COLUMNS, LINEAR_VARIANTS, PLATFORM_PRESETS, defaultPassWorkers, describePlatform, loadPlatformConfig, type LinearComparisonColumn, type LinearVariant, type PassLanes, type PlatformConfig } from '@lut-llm/accelerator';
import { formatSummary, runGraph, suggestFifoDepths, toDot, toPerfettoTrace } from '@lut-llm/core';
import { fifosCommand } from './fifos.js';
import { writeOutput } from './files.js';
import { parseTracePass, parseTraceWindow, DEFAULT_TRACE_WINDOW_CYCLES, type TracePass } from './trace.js';
import type { Qwen3Config } from '@lut-llm/model';
import { COMPARE_DECODE_SAMPLES, compareCommand } from './compare.js';
import { demoGraph } from './demo.js';
import { linearCommand } from './linear.js';
import { parsePrefillSweep } from './sweep.js';
import { FUNCTIONAL_DEFAULTS, functionalCommand, type FunctionalCommandOptions } from './functional.js';
import {
  ALLOW_INFEASIBLE,
  BOUNDS,
  CliError,
  MODEL_NAMES,
  checkAtMost,
  TINY_MODEL,
  checkLengths,
  checkWritable,
  intAtLeast,
  workerCount,
  parseDecodeSamples,
  parseMode,
  parseModel,
  parseVariant,
  parseNameList,
  parseVariantList,
  positiveNumber,
  resolvePlatform,
} from './options.js';
import { addHardwareFlags, parseLutBits, withLutBits } from './hardware.js';
import { Interrupted, processIo, type CliIo } from './progress.js';
import { collectStages, compareStagesCommand, implementationsLine, listStagesText, loadStageSpecs, requestUnderSpec } from './stages.js';
import { RUN_DEFAULTS, checkPassPlatform, runCommand } from './run.js';
import { registerServeCommand } from './serve.js';
import { registerTraceCommand } from './trace-cmd.js';
import { addDseCommands } from './dse.js';
import { registerWhatIfCommands } from './what-if.js';

const PRESETS = Object.keys(PLATFORM_PRESETS).join(', ');

/** Options shared by run and compare. */
function addRequestOptions(cmd: Command, decodeSamplesDefault: number): Command {
  addHardwareFlags(cmd, true);
  return cmd
    .addOption(
      new Option('--model <name>', `model to emulate: ${MODEL_NAMES.join(', ')} ("tiny": hidden 256, 2 layers, vocabulary 512)`)
        .argParser(parseModel)
        .default(parseModel(RUN_DEFAULTS.model), RUN_DEFAULTS.model),
    )
    .option('--platform <file|preset>', `platform: a preset (${PRESETS}) or a JSON platform file (fields merged over its "preset", default ${RUN_DEFAULTS.platform})`, RUN_DEFAULTS.platform)
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
    .option('--json <file>', "write the whole report as JSON (trace events and wall times omitted; '-' = stdout, the text report then goes to stderr)")
    .option(`${ALLOW_INFEASIBLE}`, 'emulate a design that does not fit the platform (HBM capacity per channel group) as a what-if, labelled so in every output, instead of refusing it')
    .option(
      '--set <fifo.name=depth|stages.stage.key=value>',
      'override one FIFO depth, e.g. --set fifo.weight-tiles=8 (`lut-llm fifos` lists the names; fifo.kv-prefetcher.kv=<chunks> sets the KV prefetcher\'s buffer, stages.kv-prefetcher.bufferChunks), or a stage implementation or parameter, e.g. --set stages.centroid-search.impl=full-tree, --set stages.attention.kvChunkPositions=32 (`lut-llm stages` lists them); repeatable',
      collectRequestSet,
      [],
    )
    .option('--stages <spec.json>', 'a graph spec: { "plugins": [packages], "stages": { "<stage>": { "impl": name, "params": {...} } } } (compare: repeatable, one column each)', collectStages, [])
    .option('--pass-workers <n>', `timing mode: threads that run the passes (prefill chunks, decode steps) in parallel, the main thread included (n - 1 worker threads are started); 0 or 1 = one after another on the main thread (reports are identical for any count; default: run: the first pass on the main thread, then one thread per core, here ${defaultPassWorkers()}, if the passes left repay a worker's start-up as the first pass measured it, else one after another; compare: one thread per core)`, workerCount('--pass-workers', 0));
}

/** `--set` of run and compare: FIFO depths as [name, depth] pairs, stage settings as their text. */
type RequestSet = [string, number] | string;
function collectRequestSet(v: string, prev: RequestSet[]): RequestSet[] {
  if (v.startsWith('stages.')) return [...prev, v];
  return [...prev, ...collectSet(v, [])];
}
const fifoSettings = (set: readonly RequestSet[]): [string, number][] => set.filter((e): e is [string, number] => Array.isArray(e));
const stageSettings = (set: readonly RequestSet[]): string[] => set.filter((e): e is string => typeof e === 'string');

/** `--set fifo.<name>=<depth>` (repeatable): collected as [name, depth] pairs. */
function collectSet(v: string, prev: [string, number][]): [string, number][] {
  const m = /^fifo\.(.+)=(\d+)$/.exec(v);
  const depth = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(depth) || depth < 1) throw new InvalidArgumentError(`--set must be fifo.<name>=<depth> with an integer depth >= 1, got '${v}'`);
  checkAtMost(`--set fifo.${m[1]}`, depth, BOUNDS.fifoDepth, 'a FIFO preallocates 24 B per slot, and no FIFO of the design carries that many tiles');
  return [...prev, [m[1]!, depth]];
}

/**
 * The platform of --platform / --clock-mhz with the --set FIFO depths applied. The KV
 * prefetcher's stream (`KV_BUFFER_FIFO`) is its on-chip buffer of chunks, so its depth is the
 * stage's `bufferChunks`: `--set fifo.kv-prefetcher.kv=<chunks>` sets that.
 */
function platformOf(o: { platform: string; clockMhz?: number; set?: RequestSet[] }): PlatformConfig {
  const cfg = resolvePlatform(o.platform, o.clockMhz);
  const fifos = fifoSettings(o.set ?? []);
  if (fifos.length === 0) return cfg;
  const fifoDepthOverrides: Record<string, number> = { ...cfg.fifoDepthOverrides };
  let bufferChunks: number | undefined;
  for (const [name, depth] of fifos) {
    if (name === KV_BUFFER_FIFO) bufferChunks = depth;
    else fifoDepthOverrides[name] = depth;
  }
  try {
    return loadPlatformConfig({ fifoDepthOverrides, ...(bufferChunks !== undefined ? { stages: { 'kv-prefetcher': { bufferChunks } } } : {}) }, { base: cfg });
  } catch (e) {
    throw new CliError(`--set: ${(e as Error).message}`);
  }
}

interface RunFlags extends RequestFlags {
  variant: LinearVariant;
  mode: 'timing' | 'functional';
  layers?: number;
  top: number;
  trace?: string;
  tracePass?: TracePass;
  traceWindow?: number | 'exact';
  seed: number;
  silu: 'pwl9' | 'exact';
  checkpoint?: string;
  quantCache?: string;
  workers?: number;
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
    [o.stages.length > 0 || stageSettings(o.set).length > 0, '--stages or --set stages.* (stage implementations are chosen in timing mode; functional equivalence is each implementation\'s conformance suite)'],
    [given('passWorkers'), '--pass-workers (functional mode runs its passes in order: each needs the K/V of the one before)'],
  ];
  for (const [bad, flag] of refuse) if (bad) throw new CliError(`--mode functional does not take ${flag}; it is a timing-mode flag`);
  if (o.checkpoint !== undefined && given('model')) throw new CliError('--checkpoint and --model: the model of a checkpoint is its config.json; give one of them');
  const model = o.model;
  const prompt = given('prompt') ? o.prompt : FUNCTIONAL_DEFAULTS.prompt;
  const output = given('output') ? o.output : FUNCTIONAL_DEFAULTS.output;
  if (o.checkpoint === undefined) checkLengths(prompt, output, model);
  if (o.json !== undefined) checkWritable('--json', o.json, { allowStdout: true });
  return {
    model,
    platform: withLutBits(platformOf(o), o.lutBits),
    prompt,
    output,
    ...(o.prefillChunk !== undefined ? { prefillChunk: o.prefillChunk } : {}),
    seed: o.seed,
    silu: o.silu,
    allowInfeasible: o.allowInfeasible ?? false,
    ...(o.json !== undefined ? { json: o.json } : {}),
    ...(o.checkpoint !== undefined ? { checkpoint: o.checkpoint } : {}),
    ...(o.quantCache !== undefined ? { quantCache: o.quantCache } : {}),
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
  };
}

interface RequestFlags {
  model: Qwen3Config;
  platform: string;
  clockMhz?: number;
  lutBits?: 4 | 8;
  beyondBuiltLimits?: boolean;
  prompt: number;
  output: number;
  prefillChunk?: number;
  decodeSamples: number | 'all';
  prefetch: boolean;
  quiet?: boolean;
  json?: string;
  allowInfeasible?: boolean;
  set: RequestSet[];
  stages: string[];
  passWorkers?: number;
}

/** Flags given on the command line that the chosen mode does not use are errors, not silently ignored. */
function refuseInapplicable(cmd: Command, o: RunFlags): void {
  const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
  if (o.mode === 'timing') {
    for (const [name, flag] of [['seed', '--seed'], ['silu', '--silu'], ['checkpoint', '--checkpoint'], ['quantCache', '--quant-cache'], ['workers', '--workers']] as const) {
      if (given(name)) throw new CliError(`${flag} only applies to --mode functional (timing mode has no numbers to compute)`);
    }
  }
  if (o.trace === undefined) {
    for (const [name, flag] of [['traceWindow', '--trace-window'], ['tracePass', '--trace-pass']] as const) {
      if (given(name)) throw new CliError(`${flag} needs --trace <file>`);
    }
  }
}

/** The io with the progress bar removed under --quiet. */
function quietIo(io: CliIo, quiet: boolean | undefined): CliIo {
  return quiet ? { ...io, progressStream: null } : io;
}

/** What the process gives the commands besides argv and io. */
export interface CliContext {
  /**
   * Pass lanes started when the process started (main.ts, early-lanes.ts): `run` and `compare`
   * use them when their placement wants as many threads, instead of starting workers. The caller
   * closes them.
   */
  readonly passLanes?: PassLanes;
}

/**
 * The `lut-llm` program. Output goes through `io` (so commands can run in-process and be
 * captured); errors are thrown (commander errors included, via exitOverride) for {@link runCli}
 * to print.
 */
export function buildProgram(io: CliIo, ctx: CliContext = {}): Command {
  const program = new Command();
  program
    .name('lut-llm')
    .description(
      'Dataflow emulator of the LUT-LLM FPGA accelerator (memory-based LLM inference on an AMD Alveo V80). ' +
        'Times are in kernel clock cycles, shown as ms at the platform clock. Default command: run.',
    )
    .version(CLI_VERSION, '-V, --version', 'print the version of lut-llm')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')), outputError: () => {} })
    .showHelpAfterError(false)
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  lut-llm                                   Qwen3-1.7B on the V80, 128 tokens in, 128 out (= lut-llm run)',
        '  lut-llm run --prompt 96 --output 64 --json report.json          (within the built design\'s MAX_SEQ_LEN 128 / MAX_KV_LEN 256)',
        '  lut-llm run --model Qwen3-0.6B --prompt 512 --output 8 --beyond-built-limits   (past them: a labelled what-if)',
        '  lut-llm run --model Qwen3-0.6B --trace decode.json              (windowed trace; open in ui.perfetto.dev)',
        '  lut-llm run --model Qwen3-32B --layers 4 --allow-infeasible      (does not fit the V80: a labelled what-if)',
        '  lut-llm fifos --model Qwen3-0.6B --layers 1                       (every FIFO: depth, source, peak occupancy)',
        '  lut-llm run --set fifo.psums=8                                    (a FIFO depth)',
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
        `(default: ${RUN_DEFAULTS.model} on ${RUN_DEFAULTS.platform}, ${RUN_DEFAULTS.prompt} tokens in, ${RUN_DEFAULTS.output} out)`,
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
    .option('--trace <file>', 'write a Chrome/Perfetto trace JSON of one pass (1 us = 1 cycle; tracks grouped by layer and unit), streamed to disk')
    .option('--trace-pass <pass>', "the pass --trace records: 'prefill[:<chunk>]' or 'decode:<step>' (1-based; default decode:1, or prefill with --output 1)", parseTracePass)
    .option('--trace-window <cycles|exact>', `aggregate the trace into windows of this many cycles (one slice per actor and window, peak FIFO occupancy, units served), or 'exact' for every state change (its size is estimated first); default ${DEFAULT_TRACE_WINDOW_CYCLES} for a whole-model run, exact with --layers`, parseTraceWindow)
    .option('--seed <n>', 'functional mode: seed of the synthetic weights and prompt', intAtLeast('--seed', 0), FUNCTIONAL_DEFAULTS.seed)
    .addOption(new Option('--silu <kind>', "functional mode: SwiGLU's SiLU, the reference design's 9-segment PWL or exact").choices(['pwl9', 'exact']).default('pwl9'))
    .option('--checkpoint <folder>', 'functional mode: a Hugging Face Qwen3 folder (config.json + model.safetensors, or model.safetensors.index.json and shards) instead of synthetic weights; quantized once, then read from the cache')
    .option('--quant-cache <dir>', 'functional mode with --checkpoint: directory of the quantization cache (default $XDG_CACHE_HOME/lut-llm/quant or ~/.cache/lut-llm/quant)')
    .option('--workers <n>', 'functional mode: compute the numbers as a stream outside the timing engine, LUTLinear tiles on a pool of n worker threads (0: the stream on this thread); logits and cycles identical', workerCount('--workers', 0))
    .action(async (o: RunFlags, cmd: Command) => {
      refuseInapplicable(cmd, o);
      if (o.mode === 'functional') {
        await functionalCommand(functionalOptions(o, cmd), quietIo(io, o.quiet));
        return;
      }
      const base = { platform: withLutBits(platformOf(o), o.lutBits), variant: o.variant, prefetch: o.prefetch };
      const specs = await loadStageSpecs(o.stages, stageSettings(o.set), base.platform);
      if (specs.length > 1) throw new CliError('run takes one --stages spec (compare takes several)');
      const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      const spec = specs[0];
      const chosen = spec ? requestUnderSpec(spec, { ...base, variantGiven: given('variant'), prefetchGiven: given('prefetch') }) : undefined;
      const req = chosen ?? base;
      if (spec && chosen) (o.json === '-' ? io.err : io.out)(`${spec.label}: ${implementationsLine(chosen.implementations)}`);
      await runCommand(
        {
          model: o.model,
          platform: req.platform,
          variant: req.variant,
          prompt: o.prompt,
          output: o.output,
          ...(o.prefillChunk !== undefined ? { prefillChunk: o.prefillChunk } : {}),
          decodeSamples: o.decodeSamples,
          ...(o.layers !== undefined ? { layers: o.layers } : {}),
          prefetch: req.prefetch,
          topUnits: o.top,
          ...(o.json !== undefined ? { json: o.json } : {}),
          ...(o.trace !== undefined ? { trace: o.trace } : {}),
          ...(o.tracePass !== undefined ? { tracePass: o.tracePass } : {}),
          ...(o.traceWindow !== undefined ? { traceWindow: o.traceWindow } : {}),
          allowInfeasible: o.allowInfeasible ?? false,
          ...(o.beyondBuiltLimits ? { beyondBuiltLimits: true } : {}),
          ...(o.passWorkers !== undefined ? { passWorkers: o.passWorkers } : {}),
          ...(ctx.passLanes ? { passLanes: ctx.passLanes } : {}),
        },
        quietIo(io, o.quiet),
      );
    });

  // ---- stages
  program
    .command('stages')
    .description('list the registered stage implementations (what --stages specs and --set stages.<stage>.impl=<name> may name), their packages and what they are')
    .action(() => {
      io.out(listStagesText());
    });

  // ---- compare
  const compare = program
    .command('compare')
    .description(
      'the three LUTLinear variants on the whole model side by side, then LUT-LLM (emulated and analytical) vs an FP16 DSP design on the same V80 and the A100 / MI210 ' +
        '(per-kernel latency model, BF16 / INT8 / INT4, calibrated with --gpu-measured; the ideal roofline as a "roofline bound" row), with tokens/J',
    );
  addRequestOptions(compare, COMPARE_DECODE_SAMPLES)
    .addOption(new Option('--variant <names>', `variants to emulate: "all" or a comma-separated list of ${LINEAR_VARIANTS.join(', ')}`).argParser(parseVariantList).default([...LINEAR_VARIANTS], 'all'))
    .option('--roofline', 'also print the roofline points of each op (decode and prefill) on each GPU and on LUT-LLM')
    .option('--gpu-measured <file>', 'JSON of measured GPU requests ({ gpu, format, points: [{ promptTokens, outputTokens, latencyMs }] }): fit the GPU model\'s kernel overhead and HBM efficiency to them')
    .option('--prefill-sweep <from..to>', 'also sweep the prefill from FROM to TO prompt tokens (doubling): LUT-LLM\'s look-ups vs an FP16 DSP-arithmetic design on the same V80', parsePrefillSweep)
    .action(async (o: RequestFlags & { variant: LinearVariant[]; roofline?: boolean; gpuMeasured?: string; prefillSweep?: readonly [number, number] }, cmd: Command) => {
      const platform = withLutBits(platformOf(o), o.lutBits);
      const specs = await loadStageSpecs(o.stages, stageSettings(o.set), platform);
      if (specs.length > 0) {
        const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
        for (const [flag, name] of [['--roofline', 'roofline'], ['--gpu-measured', 'gpuMeasured'], ['--prefill-sweep', 'prefillSweep']] as const) {
          if (given(name)) throw new CliError(`compare --stages compares stage implementations; ${flag} belongs to the variant comparison`);
        }
        if (given('variant') && o.variant.length !== 1) throw new CliError('compare --stages runs one LUTLinear variant: give --variant <one name>');
        await compareStagesCommand(
          {
            model: o.model,
            platform,
            specs,
            ...(given('variant') ? { variant: o.variant[0]! } : {}),
            variantGiven: given('variant'),
            prompt: o.prompt,
            output: o.output,
            ...(o.prefillChunk !== undefined ? { prefillChunk: o.prefillChunk } : {}),
            decodeSamples: o.decodeSamples,
            prefetch: o.prefetch,
            prefetchGiven: given('prefetch'),
            ...(o.json !== undefined ? { json: o.json } : {}),
          },
          quietIo(io, o.quiet),
        );
        return;
      }
      await compareCommand(
        {
          model: o.model,
          platform: withLutBits(platformOf(o), o.lutBits),
          variants: o.variant,
          prompt: o.prompt,
          output: o.output,
          ...(o.prefillChunk !== undefined ? { prefillChunk: o.prefillChunk } : {}),
          decodeSamples: o.decodeSamples,
          prefetch: o.prefetch,
          roofline: o.roofline ?? false,
          ...(o.gpuMeasured !== undefined ? { gpuMeasured: o.gpuMeasured } : {}),
          ...(o.prefillSweep !== undefined ? { prefillSweep: o.prefillSweep } : {}),
          allowInfeasible: o.allowInfeasible ?? false,
          ...(o.json !== undefined ? { json: o.json } : {}),
          ...(o.beyondBuiltLimits ? { beyondBuiltLimits: true } : {}),
          ...(o.passWorkers !== undefined ? { passWorkers: o.passWorkers } : {}),
          ...(ctx.passLanes ? { passLanes: ctx.passLanes } : {}),
        },
        quietIo(io, o.quiet),
      );
    });

  // ---- linear
  program
    .command('linear')
    .description('one LUTLinear op (timing mode) in each variant side by side: cycles, HBM bandwidth vs peak, per-stage utilisation, bottleneck')
    .option('--shape <MxD>', 'layer shape: out-features x in-features (e.g. 2048x6144 is Qwen3-1.7B\'s down projection)', '2048x2048')
    .addOption(
      new Option('--variant <name|all>', `variants: "all" or a comma-separated list of ${LINEAR_COMPARISON_COLUMNS.join(', ')} (weight-only-lut: the T-MAC-style online-table alternate)`)
        .argParser(parseNameList(LINEAR_COMPARISON_COLUMNS))
        .default([...LINEAR_COMPARISON_COLUMNS], 'all'),
    )
    .option('--tokens <T>', 'tokens per call, in tokens: 1 = GEMV (decode), > 1 = GEMM (prefill chunk)', intAtLeast('--tokens', 1), 1)
    .option('--platform <file|preset>', `platform: a preset (${PRESETS}) or a JSON platform file`, RUN_DEFAULTS.platform)
    .option('--clock-mhz <MHz>', 'override the kernel clock of the platform, in MHz', positiveNumber('--clock-mhz'))
    .option('--lut-bits <4|8>', "bits per 2D table entry: 4 (the public build) or 8 (the paper's first version); overrides the platform", parseLutBits)
    .option('--json <file>', "write the reports as JSON (trace events and wall times omitted; '-' = stdout)")
    .option(`${ALLOW_INFEASIBLE}`, "emulate a layer whose tables and indices do not fit the weight channels as a what-if, labelled so")
    .action((o: { shape: string; variant: LinearComparisonColumn[]; tokens: number; platform: string; clockMhz?: number; lutBits?: 4 | 8; json?: string; allowInfeasible?: boolean }) => {
      linearCommand(
        {
          shape: o.shape,
          variants: o.variant,
          tokens: o.tokens,
          platform: withLutBits(resolvePlatform(o.platform, o.clockMhz), o.lutBits),
          allowInfeasible: o.allowInfeasible ?? false,
          ...(o.json !== undefined ? { json: o.json } : {}),
        },
        io,
      );
    });

  // ---- fifos
  program
    .command('fifos')
    .description('list every FIFO of a configuration\'s pass graph: depth, width, where the depth comes from, peak occupancy and full stalls in one emulated pass')
    .addOption(new Option('--model <name>', `model: ${MODEL_NAMES.join(', ')}`).argParser(parseModel).default(parseModel(RUN_DEFAULTS.model), RUN_DEFAULTS.model))
    .option('--platform <file|preset>', `platform: a preset (${PRESETS}) or a JSON platform file`, RUN_DEFAULTS.platform)
    .option('--set <fifo.name=depth>', 'override one FIFO depth (repeatable; fifo.kv-prefetcher.kv=<chunks> sets the KV prefetcher\'s buffer, stages.kv-prefetcher.bufferChunks)', collectSet, [])
    .addOption(new Option('--phase <phase>', 'the pass emulated for the occupancies').choices(['decode', 'prefill']).default('decode'))
    .option('--prompt <tokens>', 'prompt length (prefill: the chunk; decode: the KV history)', intAtLeast('--prompt', 1), 128)
    .option('--layers <n>', 'emulate only the first n decoder layers', intAtLeast('--layers', 1))
    .option('--all', 'one row per FIFO instance instead of one per name pattern (L<n> = every layer)')
    .option('--json <file>', "write the rows as JSON ('-' = stdout)")
    .action((o: { model: Qwen3Config; platform: string; set: [string, number][]; phase: 'decode' | 'prefill'; prompt: number; layers?: number; all?: boolean; json?: string }) => {
      fifosCommand({ model: o.model, platform: platformOf(o), setNames: o.set.map(([n]) => n), phase: o.phase, prompt: o.prompt, ...(o.layers !== undefined ? { layers: o.layers } : {}), all: o.all ?? false, ...(o.json !== undefined ? { json: o.json } : {}) }, io);
    });

  // ---- platform
  program
    .command('platform')
    .description('print a platform: clock, HBM channel plan and bandwidth per stream, on-chip budget, board power, VQ format')
    .option('--platform <file|preset>', `a preset (${PRESETS}) or a JSON platform file`, RUN_DEFAULTS.platform)
    .option('--clock-mhz <MHz>', 'override the kernel clock, in MHz', positiveNumber('--clock-mhz'))
    .action((o: { platform: string; clockMhz?: number }) => {
      const platform = resolvePlatform(o.platform, o.clockMhz);
      // Stage names, parameters and FIFO names checked as run would (on the tiny model's pass graph).
      checkPassPlatform({ model: parseModel(TINY_MODEL), platform, phase: 'decode', tokens: 1, history: 1 });
      io.out(describePlatform(platform).join('\n'));
      // fifoDepthDefault covers the vector streams between units only: say what else sets a depth.
      io.out(
        'FIFO depths not set by fifoDepthDefault: the LUTLinear streams (default: the reference design\'s TAPA stream depths, 16 for the activation indices and 2 for the others; ' +
          'an override by stream name, e.g. "psums", applies to every op), hand-over and stage-internal FIFOs (fixed); `lut-llm fifos` lists every FIFO with its depth and source',
      );
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
      checkAtMost('--tiles', o.tiles, BOUNDS.demoTiles, 'about 6 firings per tile: a few seconds of emulation');
      checkAtMost('--depth', o.depth, BOUNDS.fifoDepth, 'a FIFO preallocates 24 B per slot, and the demo\'s FIFOs never hold more than --tiles tokens');
      if (o.trace) {
        checkWritable('--trace', o.trace);
        checkAtMost('--tiles (with --trace, which keeps every event)', o.tiles, 2 ** 16, 'about 20 trace records per tile are held for the exact trace');
      }
      if (o.dot) checkWritable('--dot', o.dot);
      const graph = demoGraph({ tiles: o.tiles, depth: o.depth, hbmBytesPerCycle: o.hbmBytesPerCycle });
      const result = runGraph(graph, { trace: o.trace ? 'full' : 'summary' });
      io.out(formatSummary(result.summary, { clockMhz: o.clockMhz }));
      const advice = suggestFifoDepths(graph).filter((s) => s.suggestedDepth > s.depth);
      if (advice.length > 0) {
        io.out('FIFO depths that would remove back-pressure (peak occupancy of an unbounded run):');
        for (const s of advice) io.out(`  ${s.fifo}: depth ${s.depth} -> ${s.suggestedDepth}`);
      }
      if (o.trace) {
        writeOutput('--trace', o.trace, JSON.stringify(toPerfettoTrace(result.events, { clockMhz: o.clockMhz, title: graph.name })));
        io.out(`trace written to ${o.trace}`);
      }
      if (o.dot) writeOutput('--dot', o.dot, toDot(graph));
    });

  registerTraceCommand(program, io);
  registerServeCommand(program, io);
  addDseCommands(program, io);
  registerWhatIfCommands(program, io, parseModel, (o) => platformOf(o));

  return program;
}

/** Version of the package (apps/cli/package.json). */
const CLI_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Levenshtein distance (did-you-mean suggestions). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * A first word that is no command (the default command `run` takes no arguments): an error with
 * the nearest command names, instead of commander's "too many arguments for 'run'".
 */
function checkCommandWord(program: Command, argv: readonly string[]): void {
  const word = argv[0];
  if (word === undefined || word.startsWith('-')) return;
  const names = program.commands.map((c) => c.name());
  if (names.includes(word) || word === 'help') return;
  const near = names.filter((n) => editDistance(word, n) <= Math.max(2, Math.floor(n.length / 3)));
  throw new CliError(`unknown command '${word}'${near.length > 0 ? `; did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : ''} (commands: ${names.join(', ')})`);
}

/**
 * Runs the CLI on `argv` (without node and the script path). Returns the exit code: 0, or 1
 * after printing `lut-llm: <message>` (no stack trace) for any error.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo(), ctx: CliContext = {}): Promise<number> {
  const program = buildProgram(io, ctx);
  try {
    checkCommandWord(program, argv);
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
    return e instanceof Interrupted ? 130 : 1;
  }
}
