import { BRAM36, LUTRAM64, URAM288 } from '@lut-llm/memory';
import { PLATFORM_HBM_STREAMS, planBandwidthGBps, streamBytesPerCycle, streamGBps } from './bandwidth.js';
import { platformChannelBytesPerCycle } from './package-configs.js';
import type { PlatformConfig } from './schema.js';
import { vqBitsPerWeight } from './vq-storage.js';

const MIB = 1024 * 1024;

/** A human-readable summary of a platform, one line per fact (no trailing newlines). */
export function describePlatform(cfg: PlatformConfig): string[] {
  const { hbm, onChip, vq, dataFormats: f } = cfg;
  const bits = vqBitsPerWeight(vq);
  const totalChannels = PLATFORM_HBM_STREAMS.reduce((s, k) => s + hbm.channels[k], 0);
  const lines = [
    `platform: ${cfg.name}`,
    `clock: ${cfg.clockMhz} MHz (${(1000 / cfg.clockMhz).toFixed(3)} ns per cycle)`,
    `HBM: ${hbm.bytesPerCyclePerChannel} B/cycle per channel, read latency ${hbm.readLatencyCycles} cycles; ` +
      `plan of ${totalChannels} channels = ${planBandwidthGBps(cfg).toFixed(1)} GB/s of the device's ${hbm.devicePeakGBps} GB/s`,
  ];
  if (hbm.efficiency) {
    const e = hbm.efficiency;
    lines.push(
      `HBM efficiency: ${e.portPeakGBps} GB/s per HBM port x ${e.sequentialFraction.toFixed(3)} (sequential, ${e.burstBytes} B bursts, gap ${e.burstGapBeats} beats) ` +
        `-> ${platformChannelBytesPerCycle(cfg)} of ${hbm.bytesPerCyclePerChannel} B/cycle per channel achieved at ${cfg.clockMhz} MHz`,
    );
  }
  for (const s of PLATFORM_HBM_STREAMS) {
    lines.push(
      `  ${s.padEnd(9)} ${String(hbm.channels[s]).padStart(3)} ch  ${String(streamBytesPerCycle(cfg, s)).padStart(5)} B/cycle  ` +
        `${streamGBps(cfg, s).toFixed(1).padStart(6)} GB/s${s === 'weights' ? '  (peak weight bandwidth: tables + indices)' : ''}`,
    );
  }
  lines.push(
    `on-chip budget: ${onChip.bram36} BRAM36 (${mib(onChip.bram36 * BRAM36.capacityBits)} MiB), ` +
      `${onChip.uram288} URAM288 (${mib(onChip.uram288 * URAM288.capacityBits)} MiB), ` +
      `${onChip.lutramLuts} LUTRAM LUTs (${mib(onChip.lutramLuts * LUTRAM64.capacityBits)} MiB), ${onChip.dsp58} DSP58`,
    `board power: ${cfg.boardPowerWatts} W (used as board power x time for energy: an upper bound when it is the board maximum)`,
    `VQ: v=${vq.v}, c_a=${vq.cA}, c_w=${vq.cW}, G=${vq.groupSize}, INT${vq.lutBits} tables, ${vq.distance} distance; ` +
      `${fmt(bits.indexBits)} index + ${fmt(bits.tableBits)} table = ${fmt(bits.totalBits)} bits per weight`,
    `data formats (bytes): activation ${f.activationBytesPerElement}, KV ${f.kvBytesPerElement}/element, ` +
      `centroid ${f.centroidBytesPerElement}/element, scales ${f.scaleBytesPerGroup}/group, RoPE/norm ${f.ropeNormBytesPerElement}/element`,
    `FIFO depth: ${cfg.fifoDepthDefault} by default; overrides: ${formatRecord(cfg.fifoDepthOverrides)}`,
  );
  if (cfg.builtLimits) {
    lines.push(`built limits: MAX_SEQ_LEN ${cfg.builtLimits.maxSeqLen} tokens per prefill call, MAX_KV_LEN ${cfg.builtLimits.maxKvLen} positions of K/V (beyond them: refused, or a what-if)`);
  }
  const stages = Object.entries(cfg.stages);
  if (stages.length === 0) lines.push('stage parameters: stage defaults (no overrides)');
  else for (const [stage, params] of stages) lines.push(`stage ${stage}: ${formatRecord(params)}`);
  return lines;
}

function mib(bits: number): string {
  return (bits / 8 / MIB).toFixed(1);
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function formatRecord(r: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(r);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k}=${String(v)}`).join(', ');
}
