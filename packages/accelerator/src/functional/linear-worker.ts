// A piscina worker of the functional LUTLinear stream (loaded from dist/: node 20 cannot load .ts
// in worker_threads). Layers arrive once per worker as SharedArrayBuffer-backed arrays and are
// cached by id; tasks carry the id, a tile range and the op's shared index buffer.
import { Piscina } from 'piscina';
import type { QuantizedLinear } from '@lut-llm/vq';
import { runPassTiming, type PassReport } from '../inference/run.js';
import { lutLinearTiles } from './linear-kernel.js';
import type { LinearTask, LinearTaskResult, TimingPassTask } from './linear-pool.js';

const layers = new Map<number, QuantizedLinear>();

export default function run(task: LinearTask | TimingPassTask): LinearTaskResult | PassReport {
  // The timing-mode run of the pass whose numbers the other tasks compute: off the main thread,
  // so it overlaps the LUTLinear tiles instead of following them.
  if ('timingPass' in task) return runPassTiming(task.timingPass);
  if (task.layer) layers.set(task.layerId, task.layer);
  const layer = layers.get(task.layerId);
  if (!layer) return { missing: task.layerId };
  // moved, not cloned (piscina unwraps a moved value only at the top level of the result)
  return Piscina.move(lutLinearTiles(layer, task.indices, task.schedule, task.tile0, task.tile1)) as unknown as Float32Array;
}
