import { InvalidArgumentError, type Command } from 'commander';
import { compareAttentionUnits, formatNumber, loadPlatformConfig, stageOverrides, type InferenceReport, type PlatformConfig } from '@lut-llm/accelerator';
import { table } from '@lut-llm/core';
import type { Qwen3Config } from '@lut-llm/model';
import { CliError } from './options.js';

/**
 * Hardware-fidelity flags and output (issue 17): `--lut-bits`, `--beyond-built-limits`, the
 * built-limits what-if note, per-layer and LM-head cycles, and the attention unit as built vs
 * the pipelined one. Kept apart from the commands so that their files only call in.
 */

/** `--lut-bits 4|8`. */
export function parseLutBits(v: string): 4 | 8 {
  if (v === '4' || v === '8') return Number(v) as 4 | 8;
  throw new InvalidArgumentError(`--lut-bits must be 4 or 8 (bits per 2D table entry), got '${v}'`);
}

/** Adds `--lut-bits` (and, for requests, `--beyond-built-limits`) to a command. */
export function addHardwareFlags(cmd: Command, request: boolean): Command {
  cmd.option('--lut-bits <4|8>', 'bits per 2D table entry: 4 (the public build) or 8 (the paper\'s first version); overrides the platform', parseLutBits);
  if (request) {
    cmd.option('--beyond-built-limits', 'emulate a request beyond the built design\'s limits (MAX_SEQ_LEN 128 prompt tokens, MAX_KV_LEN 256 positions) as a what-if instead of refusing it');
  }
  return cmd;
}

/** The platform with `--lut-bits` applied (its name says so when it changes the preset's value). */
export function withLutBits(platform: PlatformConfig, lutBits: 4 | 8 | undefined): PlatformConfig {
  if (lutBits === undefined || lutBits === platform.vq.lutBits) return platform;
  try {
    const name = /\(INT\d tables\)/.test(platform.name) ? platform.name.replace(/\(INT\d tables\)/, `(INT${lutBits} tables)`) : `${platform.name}, INT${lutBits} tables`;
    return loadPlatformConfig({ name, vq: { lutBits } }, { base: platform });
  } catch (e) {
    throw new CliError(`--lut-bits ${lutBits}: ${(e as Error).message}`);
  }
}

/** Lines saying that a request ran beyond the built limits (nothing when it fits). */
export function builtLimitLines(r: InferenceReport): string[] {
  if (r.beyondBuiltLimits.length === 0) return [];
  return ['WHAT-IF beyond the built design (--beyond-built-limits): the hardware as built cannot run this request:', ...r.beyondBuiltLimits.map((s) => `  ${s}`), ''];
}

/** Per-layer cycles (prefill total and decode mean) and the LM head, as a table and one summary line. */
export function layerLines(r: InferenceReport): string[] {
  const ms = (c: number) => formatNumber(c / (r.clockMhz * 1e3));
  const L = Math.max(r.prefillLayerCycles.length, r.decodeLayerCycles.length);
  const rows: string[][] = [];
  const cell = (a: readonly number[], l: number) => (a[l] === undefined ? '-' : `${Math.round(a[l]!).toLocaleString('en-US')} (${ms(a[l]!)} ms)`);
  const decodeHead = Number.isNaN(r.decodeLmHeadCycles) ? '-' : `${Math.round(r.decodeLmHeadCycles).toLocaleString('en-US')} (${ms(r.decodeLmHeadCycles)} ms)`;
  for (let l = 0; l < L; l++) rows.push([`layer ${l}`, cell(r.prefillLayerCycles, l), cell(r.decodeLayerCycles, l)]);
  rows.push(['LM head', `${r.prefillLmHeadCycles.toLocaleString('en-US')} (${ms(r.prefillLmHeadCycles)} ms)`, decodeHead]);
  const mean = (a: readonly number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
  return [
    `per layer and LM head (cycles; prefill: whole prompt, decode: mean per step; a layer runs from taking its input to the next layer taking its own)`,
    table(['', 'prefill', 'decode'], L > 8 ? [...rows.slice(0, 3), ['...', '', ''], ...rows.slice(L - 2)] : rows),
    `  mean layer: prefill ${ms(mean(r.prefillLayerCycles))} ms, decode ${Number.isNaN(mean(r.decodeLayerCycles)) ? '-' : ms(mean(r.decodeLayerCycles))} ms; ` +
      `LM head: prefill ${ms(r.prefillLmHeadCycles)} ms, decode ${Number.isNaN(r.decodeLmHeadCycles) ? '-' : ms(r.decodeLmHeadCycles)} ms`,
    '',
  ];
}

/** Attention per layer on the built unit vs the pipelined one ("what the unit could be"), as a table. */
export function attentionUnitLines(model: Qwen3Config, platform: PlatformConfig, prompt: number, output: number): string[] {
  const mhz = platform.clockMhz;
  const cell = (c: number) => `${c.toLocaleString('en-US')} (${formatNumber(c / (mhz * 1e3))} ms)`;
  const rows = compareAttentionUnits(model, platform, prompt, output).map((u) => [u.label, cell(u.cycles['as-built']), cell(u.cycles.pipelined), `${(u.cycles['as-built'] / u.cycles.pipelined).toFixed(2)}x`]);
  const current = (stageOverrides(platform, 'attention')['implementation'] as string | undefined) ?? 'pipelined';
  return [
    `attention unit, cycles per layer at ${mhz} MHz (KV history on chip): as built (gqa/gqa.h: every key block for every query, MAC and reduction loops apart) vs pipelined (what the unit could be: causal tiles skipped); this platform emulates '${current}'`,
    table(['job', 'as built', 'pipelined', 'built / pipelined'], rows),
    '',
  ];
}
