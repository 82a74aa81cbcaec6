#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { formatSummary, runGraph, suggestFifoDepths, toDot, toPerfettoTrace } from '@lut-llm/core';
import { demoGraph } from './demo.js';

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be an integer >= 1, got '${v}'`);
    return n;
  };
}

const program = new Command();
program.name('lut-llm').description('Dataflow emulator of the LUT-LLM FPGA accelerator (cycles are kernel clock cycles).');

program
  .command('demo', { isDefault: true })
  .description('run a small LUTLinear-shaped pipeline on the runtime and print its trace summary')
  .option('--tiles <n>', 'weight tiles streamed from HBM', positiveInt('--tiles'), 64)
  .option('--depth <n>', 'depth of every FIFO, in tokens', positiveInt('--depth'), 2)
  .option('--hbm-bytes-per-cycle <n>', 'bandwidth of the weight channel group, bytes per cycle', positiveInt('--hbm-bytes-per-cycle'), 1024)
  .option('--clock-mhz <n>', 'kernel clock in MHz (for the time column)', Number, 227)
  .option('--trace <file>', 'write a Chrome/Perfetto trace JSON (open in ui.perfetto.dev)')
  .option('--dot <file>', 'write the task graph as Graphviz dot')
  .action((o: { tiles: number; depth: number; hbmBytesPerCycle: number; clockMhz: number; trace?: string; dot?: string }) => {
    const graph = demoGraph({ tiles: o.tiles, depth: o.depth, hbmBytesPerCycle: o.hbmBytesPerCycle });
    const result = runGraph(graph, { trace: o.trace ? 'full' : 'summary' });
    console.log(formatSummary(result.summary, { clockMhz: o.clockMhz }));
    const advice = suggestFifoDepths(graph).filter((s) => s.suggestedDepth > s.depth);
    if (advice.length > 0) {
      console.log('FIFO depths that would remove back-pressure (peak occupancy of an unbounded run):');
      for (const s of advice) console.log(`  ${s.fifo}: depth ${s.depth} -> ${s.suggestedDepth}`);
    }
    if (o.trace) {
      writeFileSync(o.trace, JSON.stringify(toPerfettoTrace(result.events, { clockMhz: o.clockMhz, title: graph.name })));
      console.log(`trace written to ${o.trace}`);
    }
    if (o.dot) writeFileSync(o.dot, toDot(graph));
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`lut-llm: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
