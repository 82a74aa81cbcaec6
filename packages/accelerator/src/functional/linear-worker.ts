// A piscina worker of the functional LUTLinear stream (loaded from dist/: node 20 cannot load .ts
// in worker_threads). Layers arrive once per worker as SharedArrayBuffer-backed arrays and are
// cached by id; a task names the id, one phase of an op and its claim counter, and the worker
// claims chunks of that phase until none is left, writing into the op's shared buffers.
import type { QuantizedLinear } from '@lut-llm/vq';
import { runPassTiming, type PassReport } from '../inference/run.js';
import { claimChunks } from './linear-kernel.js';
import type { LinearTask, LinearTaskResult, TimingPassTask } from './linear-pool.js';

const layers = new Map<number, QuantizedLinear>();

export default function run(task: LinearTask | TimingPassTask): LinearTaskResult | PassReport {
  // The timing-mode run of the pass whose numbers the other tasks compute: off the main thread,
  // so it overlaps the LUTLinear ops instead of following them.
  if ('timingPass' in task) return runPassTiming(task.timingPass);
  if (task.layer) layers.set(task.layerId, task.layer);
  const layer = layers.get(task.layerId);
  if (!layer) return { missing: task.layerId };
  claimChunks(layer, task.schedule, task.buf, task.chunks, task.ctl, task.lane);
  return null;
}
