export {
  HBM_BYTES_PER_CYCLE_PER_CHANNEL,
  HBM_READ_LATENCY_CYCLES,
  V80_HBM_CHANNELS,
  V80_HBM,
  hbmChannelGroup,
  kvCacheChannelGroup,
  kvCacheChannels,
  HBM_PORT_INTERLEAVE_BYTES,
  hbmPeakBytesPerCycle,
  hbmTransferCycles,
  bandwidthGBps,
  type HbmChannelPlan,
  type HbmConfig,
  type HbmStream,
} from './hbm.js';
export {
  BRAM36,
  URAM288,
  LUTRAM64,
  PRIMITIVES,
  V80_ON_CHIP,
  onChipBits,
  memoryBank,
  bankResource,
  checkBudget,
  type OnChipKind,
  type OnChipPrimitive,
  type OnChipBudget,
  type MemoryBank,
} from './on-chip.js';
export { HBM_INTERLEAVE_BYTES, HBM_CHANNEL_CAPACITY_BYTES, stripeTensors, stripedAddress, type TensorPlacement, type ChannelGroupLayout } from './layout.js';
export { achievedBytesPerCyclePerChannel, validateHbmEfficiency, SHUHAI_U280_SEQUENTIAL_FRACTION, V80_HBM_EFFICIENCY, type HbmEfficiency } from './hbm-efficiency.js';
export { fifoMemory, type FifoMemory } from './fifo-memory.js';
