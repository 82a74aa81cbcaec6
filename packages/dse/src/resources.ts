/**
 * The on-chip estimate moved to @lut-llm/accelerator (the CLI's budget check uses it too; an app
 * may not depend on dse's internals and stages may not depend on dse); re-exported for dse's API.
 */
export { estimateOnChip, ON_CHIP_NOT_MODELLED, V80_DSP58, type OnChipEstimate } from '@lut-llm/accelerator';
