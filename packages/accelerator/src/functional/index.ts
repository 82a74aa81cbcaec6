export { lutLinearTilesInto, searchBlocks, LinearStreamError, type LinearOpBuffers, type LinearPhase, type LinearSchedule } from './linear-kernel.js';
export { INLINE_LINEAR_EXECUTOR, LinearPool, linearWorkerPath, type LinearPoolOptions, type LinearTileExecutor } from './linear-pool.js';
export { lutLinearTileStream } from './linear-stream.js';
export { runPassStream } from './stream-pass.js';
