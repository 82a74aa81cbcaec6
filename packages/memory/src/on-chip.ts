import type { ResourceSpec } from '@lut-llm/core';

export type OnChipKind = 'bram' | 'uram' | 'lutram';

/** One on-chip memory primitive as HLS maps arrays onto it. */
export interface OnChipPrimitive {
  readonly kind: OnChipKind;
  /** Bits per primitive. */
  readonly capacityBits: number;
  /** Widest native port in bits. */
  readonly widthBits: number;
  /** Accesses per cycle (ports). BRAM and URAM are true dual-port; a LUTRAM has one write and one read port. */
  readonly portsPerCycle: number;
  /** Read latency in cycles with the output register HLS enables by default. */
  readonly readLatencyCycles: number;
}

/** BRAM36: 36 Kb, up to 72 bits wide (36 per port in true dual-port mode), 2 ports. */
export const BRAM36: OnChipPrimitive = { kind: 'bram', capacityBits: 36 * 1024, widthBits: 72, portsPerCycle: 2, readLatencyCycles: 2 };
/** URAM288: 288 Kb, 72 bits wide, 2 ports (time-shared internally), deeper pipeline. */
export const URAM288: OnChipPrimitive = { kind: 'uram', capacityBits: 288 * 1024, widthBits: 72, portsPerCycle: 2, readLatencyCycles: 3 };
/** LUTRAM (a SLICEM LUT6 as a 64x1 RAM): tiny, one read port for our use, combinational read (registered: 1 cycle). */
export const LUTRAM64: OnChipPrimitive = { kind: 'lutram', capacityBits: 64, widthBits: 1, portsPerCycle: 1, readLatencyCycles: 1 };

export const PRIMITIVES: Readonly<Record<OnChipKind, OnChipPrimitive>> = { bram: BRAM36, uram: URAM288, lutram: LUTRAM64 };

/**
 * On-chip budget of the device, in primitives: the memories and the DSP slices. Used for capacity
 * checks only, never for timing. Override them in a platform file for another device.
 */
export interface OnChipBudget {
  readonly bram36: number;
  readonly uram288: number;
  /** LUTs usable as distributed RAM or shift registers (the "LUT as Memory" sites). */
  readonly lutramLuts: number;
  /** DSP slices (DSP58 sites; a DSPFP32 or DSP48E5 takes one). */
  readonly dsp58: number;
}

/**
 * The V80's device (XCV80, part xcv80-lsva4737-2MHP-e-S), as Vivado 2024.2 reports its available
 * sites in the LUT-LLM authors' own utilisation report (LUT-FPGA/LUT-LLM
 * `qwen_block/qwen_utilization.rpt`, "Available" column): 3,741 block RAM tiles (RAMB36E5; 7,482
 * RAMB18E5), 1,925 URAM288, 1,287,104 LUTs as memory (of 2,574,208 CLB LUTs) and 10,848 DSP slices.
 * AMD's Alveo V80 product brief states the same DSP count and 132 Mb block RAM / 541 Mb URAM
 * (= 3,741 x 36 Kb and 1,925 x 288 Kb), as quoted by third-party write-ups; the data sheet DS1013
 * itself was not readable here. These are the device's counts, not a build's use of them
 * (accelerator `V80_BUILD_RESOURCES` is the public build's report).
 */
export const V80_ON_CHIP: OnChipBudget = { bram36: 3741, uram288: 1925, lutramLuts: 1_287_104, dsp58: 10_848 };

/** Total on-chip bits of a budget. */
export function onChipBits(b: OnChipBudget): number {
  return b.bram36 * BRAM36.capacityBits + b.uram288 * URAM288.capacityBits + b.lutramLuts * LUTRAM64.capacityBits;
}

/** An array mapped onto on-chip memory: how many primitives it takes and how many ports that gives. */
export interface MemoryBank {
  readonly name: string;
  readonly kind: OnChipKind;
  readonly primitives: number;
  /** Accesses per cycle across the bank (ports of one primitive x partitions). */
  readonly portsPerCycle: number;
  readonly readLatencyCycles: number;
}

/**
 * Maps an array of `words` x `wordBits` onto primitives of `kind`, split into `partitions`
 * independent banks (HLS array_partition): each partition has the primitive's ports, so the bank
 * serves `partitions x ports` accesses per cycle. Capacity is rounded up per partition.
 */
export function memoryBank(name: string, kind: OnChipKind, words: number, wordBits: number, partitions = 1): MemoryBank {
  if (!(words > 0) || !(wordBits > 0) || !Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`memory bank '${name}': words, wordBits must be > 0 and partitions an integer >= 1 (got ${words}, ${wordBits}, ${partitions})`);
  }
  const p = PRIMITIVES[kind];
  const wordsPerPartition = Math.ceil(words / partitions);
  const lanes = Math.ceil(wordBits / p.widthBits);
  const depthPerPrimitive = Math.floor(p.capacityBits / Math.min(wordBits, p.widthBits));
  const perPartition = lanes * Math.ceil(wordsPerPartition / depthPerPrimitive);
  return { name, kind, primitives: perPartition * partitions, portsPerCycle: p.portsPerCycle * partitions, readLatencyCycles: p.readLatencyCycles };
}

/** The bank as a shared resource whose unit is one port access per cycle. */
export function bankResource(bank: MemoryBank): ResourceSpec {
  return { name: bank.name, unitsPerCycle: bank.portsPerCycle, unit: 'port-access', arbitration: { kind: 'round-robin' } };
}

/** Throws if the banks exceed the budget, naming what overflows. */
export function checkBudget(banks: readonly MemoryBank[], budget: OnChipBudget): void {
  const used = { bram: 0, uram: 0, lutram: 0 };
  for (const b of banks) used[b.kind] += b.primitives;
  const over: string[] = [];
  if (used.bram > budget.bram36) over.push(`BRAM36: ${used.bram} needed, ${budget.bram36} available`);
  if (used.uram > budget.uram288) over.push(`URAM288: ${used.uram} needed, ${budget.uram288} available`);
  if (used.lutram > budget.lutramLuts) over.push(`LUTRAM LUTs: ${used.lutram} needed, ${budget.lutramLuts} available`);
  if (over.length > 0) throw new RangeError(`on-chip memory budget exceeded: ${over.join('; ')}`);
}
