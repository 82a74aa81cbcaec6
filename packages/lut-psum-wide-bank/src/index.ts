import { registerStage } from '@lut-llm/contracts';
import { DEFAULT_LUT_PSUM_2D_PARAMS, lutPsum2dStage, lutPsumPlugin, resolveLutPsum2dParams, type LutPsum2dParams } from '@lut-llm/lut-psum';

/**
 * 2D matchers with 8 table-bank partitions: 16 BRAM ports a cycle, so a new table's fill takes half the cycles.
 *
 * Generated from the reference 2D-table matcher chain (packages/lut-psum: co-quantized weights,
 * index register, table banks, kernel and cycle model) with this implementation's own defaults.
 * The accelerator pins the lanes and codebook sizes (matchers, outputLanes, activationCentroids,
 * weightCentroids, lutBits) to the op's.
 * Change the defaults (or the actor and `plugin.cycleModel` for another datapath), derive the
 * cycles you expect by hand in a spec, and keep the conformance suite passing.
 */
export const DEFAULTS: LutPsum2dParams = Object.freeze({
  ...DEFAULT_LUT_PSUM_2D_PARAMS,
  // Table bank partitions: 8 instead of the reference's 4, i.e. 16 BRAM ports a cycle for row reads
  // and table fills (2 x 1024 entries of 8 bits still fit: 8 BRAM36 per matcher instead of 4).
  tablePartitions: 8,
});

/** The registry entry (importing this package registers it): actor, banks, cycle model, install. */
export const plugin = lutPsumPlugin(lutPsum2dStage, "wide-bank", "2D matchers with 8 table-bank partitions: 16 BRAM ports a cycle, so a new table's fill takes half the cycles", (o: Partial<LutPsum2dParams>) => resolveLutPsum2dParams({ ...DEFAULTS, ...o }), "@lut-llm/lut-psum-wide-bank");
registerStage(plugin);
