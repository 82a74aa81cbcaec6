import { isStageStateFifo, KV_BUFFER_FIFO, runPassTiming, stageNumber, type PlatformConfig } from '@lut-llm/accelerator';
import { table } from '@lut-llm/core';
import type { Qwen3Config } from '@lut-llm/model';
import { reportJson, writeOutput, writtenNote } from './files.js';
import { checkLayers, checkWritable } from './options.js';
import type { CliIo } from './progress.js';
import { checkPassPlatform } from './run.js';

export interface FifosCommandOptions {
  readonly model: Qwen3Config;
  readonly platform: PlatformConfig;
  /** FIFO names given with --set (their source reads "--set"). */
  readonly setNames: readonly string[];
  readonly phase: 'decode' | 'prefill';
  readonly prompt: number;
  readonly layers?: number;
  /** One row per instance instead of one per name pattern. */
  readonly all: boolean;
  readonly json?: string;
}

/** One FIFO (or every instance of a name pattern). */
export interface FifoRow {
  /** Name, or pattern with `L<n>` for every layer. */
  readonly fifo: string;
  readonly instances: number;
  /** Depth in tokens (min-max over the instances when they differ). */
  readonly depth: string;
  readonly widthBytes: string;
  /** Where the depth comes from, and the name a `--set fifo.<name>=<depth>` uses to change it. */
  readonly source: string;
  readonly setName: string;
  /** Highest occupancy of any instance in the emulated pass. */
  readonly peakOccupancy: number;
  /** Cycles producers were stalled on a full FIFO, summed over the instances. */
  readonly fullStallCycles: number;
}

/** LUTLinear streams: one depth override by stream name applies to every op's stream (pass-graph.ts). */
const LUT_LINEAR_STREAMS = ['activations', 'centroids', 'activation-indices', 'weight-tiles', 'scales', 'psums', 'accumulated', 'outputs'];

/** Where the depth of FIFO `name` comes from (pass-graph.ts and lut-linear/graph.ts), and its --set name (or '-': fixed). */
export function fifoDepthSource(name: string, platform: PlatformConfig, setNames: readonly string[]): { source: string; setName: string } {
  const over = (key: string) => (setNames.includes(key) ? '--set' : Object.hasOwn(platform.fifoDepthOverrides, key) ? 'platform fifoDepthOverrides' : undefined);
  const stream = /^(?:L\d+\.)?(?:qkv|o|gate_up|down|lm_head)\.(.+)$/.exec(name)?.[1];
  if (stream !== undefined && LUT_LINEAR_STREAMS.includes(stream)) {
    return { source: over(stream) ?? 'LUTLinear default: the reference design\'s stream depth (qwen_block.h)', setName: stream };
  }
  if (/-go$/.test(name)) return { source: 'fixed 1: hand-over token between the ops\' HBM loaders', setName: '-' };
  if (name === KV_BUFFER_FIFO) {
    return { source: setNames.includes(name) ? '--set (the prefetcher\'s bufferChunks)' : `platform stages["kv-prefetcher"].bufferChunks (${stageNumber(platform, 'kv-prefetcher', 'bufferChunks', 4)})`, setName: name };
  }
  if (isStageStateFifo(name)) return { source: 'fixed by the stage (internal state)', setName: '-' };
  if (/kv-trigger$|kv-prefetcher\.trigger$/.test(name)) return { source: 'fixed 1: prefetch trigger', setName: '-' };
  return { source: over(name) ?? `platform fifoDepthDefault (${platform.fifoDepthDefault})`, setName: name };
}

const range = (xs: number[]) => {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? String(lo) : `${lo}-${hi}`;
};

/** `lut-llm fifos`: every FIFO of a pass graph, its depth and where it comes from, and its peak occupancy in one emulated pass. */
export function fifosCommand(o: FifosCommandOptions, io: CliIo): FifoRow[] {
  checkLayers(o.layers, o.model);
  if (o.json !== undefined) checkWritable('--json', o.json, { allowStdout: true });
  const pass = {
    model: o.model,
    platform: o.platform,
    phase: o.phase,
    tokens: o.phase === 'prefill' ? o.prompt : 1,
    history: o.phase === 'prefill' ? 0 : o.prompt,
    ...(o.layers !== undefined ? { layers: o.layers } : {}),
  } as const;
  const graph = checkPassPlatform(pass);
  const report = runPassTiming(pass);
  const peak = new Map(report.summary.fifos.map((f) => [f.fifo, f]));
  const groups = new Map<string, { depth: number[]; width: number[]; peak: number; full: number; source: string; setName: string; n: number }>();
  for (const f of graph.fifos) {
    const key = o.all ? f.name : f.name.replace(/^L\d+\./, 'L<n>.');
    const src = fifoDepthSource(f.name, o.platform, o.setNames);
    const s = peak.get(f.name);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { depth: [], width: [], peak: 0, full: 0, source: src.source, setName: src.setName.replace(/^L\d+\./, o.all ? (/^L\d+\./.exec(f.name)?.[0] ?? '') : 'L<n>.'), n: 0 }));
    g.n++;
    g.depth.push(f.depth);
    g.width.push(f.widthBytes);
    g.peak = Math.max(g.peak, s?.maxOccupancy ?? 0);
    g.full += s?.fullStallCycles ?? 0;
  }
  const rows: FifoRow[] = [...groups].map(([fifo, g]) => ({
    fifo,
    instances: g.n,
    depth: range(g.depth),
    widthBytes: range(g.width),
    source: g.source,
    setName: g.setName,
    peakOccupancy: g.peak,
    fullStallCycles: g.full,
  }));
  const text = o.json === '-' ? (t: string) => io.err(t) : (t: string) => io.out(t);
  text(
    `FIFOs of ${o.model.name} on ${o.platform.name}: ${graph.fifos.length} FIFOs in ${rows.length} ${o.all ? 'instances' : 'name patterns (L<n> = every layer; --all lists each)'}; ` +
      `occupancy from one ${o.phase} pass (${pass.tokens} token(s) at position ${pass.history}, ${report.cycles.toLocaleString('en-US')} cycles)`,
  );
  text(
    table(
      ['fifo', 'instances', 'depth', 'width B', 'peak occupancy', 'full-stall cycles', '--set name', 'depth from'],
      rows.map((r) => [r.fifo, String(r.instances), r.depth, r.widthBytes, String(r.peakOccupancy), r.fullStallCycles.toLocaleString('en-US'), r.setName === '-' ? '-' : `fifo.${r.setName}`, r.source]),
    ),
  );
  text('A FIFO whose peak occupancy equals its depth and has full-stall cycles back-pressures its producer: `lut-llm run --set fifo.<name>=<depth>` tries a deeper one.');
  if (o.json !== undefined) {
    writeOutput('--json', o.json, reportJson({ model: o.model.name, platform: o.platform.name, phase: o.phase, cycles: report.cycles, fifos: rows }), io);
    writtenNote(io, o.json, 'FIFO table (JSON)');
  }
  return rows;
}
