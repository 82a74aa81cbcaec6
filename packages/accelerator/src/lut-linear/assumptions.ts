import { lutPsum1dBank, lutPsum2dBank } from '@lut-llm/lut-psum';
import type { MemoryBank } from '@lut-llm/memory';
import type { LutLinearConfig } from './options.js';

/**
 * The resource budget the LUTLinear variants are compared under (DESIGN.md 1.1, 4): the public
 * V80 build's resource report (repository LUT-FPGA/LUT-LLM): about 1.27 M LUTs, 4,162 DSPs,
 * 1,537 BRAM18 and 480 URAM. These are what the build *uses*; the device's counts (10,848 DSP58,
 * 3,741 BRAM36, 1,925 URAM) are packages/memory `V80_ON_CHIP`, the budget `run` checks against.
 * (The repository's `qwen_block/qwen_utilization.rpt`, one decoder block after synthesis, reports
 * 2,352 DSPs, 960 RAMB36 + 81 RAMB18 and 560 URAM: another build than DESIGN.md 4's figures.) Every variant's PSum stage is sized to the DSPs the co-quantized
 * matcher chain uses (iso-DSP: 512 INT lanes packed 4 per DSP58 x 16 matchers = 2,048), so the
 * comparison is of how each uses the same arithmetic, and each states its share of the budget.
 */
export const V80_BUILD_RESOURCES = Object.freeze({
  luts: 1_270_000,
  dsps: 4162,
  bram18: 1537,
  uram: 480,
  source: 'the public V80 build\'s resource report (LUT-FPGA/LUT-LLM; DESIGN.md 4)',
});

/** INT lanes one DSP58 adds per cycle in the co-quantized matcher (4 x 12-bit SIMD). */
export const INT_LANES_PER_DSP58 = 4;

/** What a variant's PSum stage assumes, printed beside its cycles. */
export interface LutLinearAssumptions {
  /** Column label: the variant, or 'weight-only-lut' for the online-table alternate. */
  readonly label: string;
  /** How the partial sums are computed. */
  readonly computes: string;
  /** DSP58s of the PSum stage (the accumulator and the rest of the design are not counted). */
  readonly dsps: number;
  /** On-chip table storage of the PSum stage, in the build's units. */
  readonly bram18: number;
  readonly uram: number;
  readonly lutramLuts: number;
  /** Flip-flop bits of register-held tables or codebooks. */
  readonly registerBits: number;
  /** Where the tables live, in words. */
  readonly tableStorage: string;
}

function storageOf(bank: MemoryBank, copies: number): { bram18: number; uram: number; lutramLuts: number } {
  const n = bank.primitives * copies;
  // A BRAM36 is two BRAM18 (the build's resource report counts BRAM18); a LUTRAM64 is one LUT.
  return { bram18: bank.kind === 'bram' ? 2 * n : 0, uram: bank.kind === 'uram' ? n : 0, lutramLuts: bank.kind === 'lutram' ? n : 0 };
}

/** The assumptions of the op's variant and implementation (see {@link LutLinearAssumptions}). */
export function lutLinearAssumptions(cfg: LutLinearConfig): LutLinearAssumptions {
  const m = cfg.positionLanes;
  const { cA, cW, v, lutBits } = cfg.numerics;
  switch (cfg.variant) {
    case 'co-quant': {
      const p = cfg.lutPsum2d;
      return {
        label: 'co-quant',
        computes: `2D tables T[a][w] (${cA} x ${cW} INT${lutBits}), ${p.outputLanes} INT look-up + add lanes per matcher`,
        dsps: (m * p.outputLanes) / INT_LANES_PER_DSP58,
        ...storageOf(lutPsum2dBank('m', p), m),
        registerBits: m * p.registerCopies * cW * lutBits,
        tableStorage: `${m} matchers x 2 (ping-pong) x ${cA * cW} entries x ${lutBits} bits in ${p.tableMemory}`,
      };
    }
    case 'activation-only': {
      const p = cfg.lutPsum1d;
      return {
        label: 'activation-only',
        computes: `1D tables of ${cA} FP${p.entryBits} partial products per (position, output), ${p.fp32AddLanes} FP32 adders per matcher`,
        dsps: m * p.fp32AddLanes,
        ...storageOf(lutPsum1dBank('m', p), m),
        registerBits: 0,
        tableStorage: `${m} matchers x 2 (ping-pong) x ${cA} x ${p.outputLanes} entries x ${p.entryBits} bits in ${p.tableMemory}`,
      };
    }
    case 'weight-only': {
      const codebookBits = m * 2 * cW * v * 32;
      if (cfg.weightOnlyImplementation === 'dsp-dequant') {
        const p = cfg.weightOnlyDspPsum;
        return {
          label: 'weight-only',
          computes: `codebook de-quantisation (${cW}:1 mux) + ${v} FP32 MACs per weight sub-vector on ${p.dspMacsPerMatcher} DSPs per matcher`,
          dsps: m * p.dspMacsPerMatcher,
          bram18: 0, uram: 0, lutramLuts: 0,
          registerBits: codebookBits,
          tableStorage: `codebooks (${cW} x ${v} FP32 per position and group) in registers`,
        };
      }
      const p = cfg.weightOnlyPsum;
      return {
        label: 'weight-only-lut',
        computes: `online 1D tables of ${cW} FP32 dot products per (position, group) per token (T-MAC style), ${p.fp32AddLanes} FP32 adders + ${p.tableBuildMacsPerCycle} table-build MACs per matcher`,
        dsps: m * (p.fp32AddLanes + p.tableBuildMacsPerCycle),
        bram18: 0, uram: 0, lutramLuts: 0,
        registerBits: codebookBits + m * cW * 32,
        tableStorage: `codebooks and the ${cW}-entry online table in registers`,
      };
    }
  }
}
