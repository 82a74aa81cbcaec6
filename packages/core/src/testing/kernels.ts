/**
 * Kernels used by the runtime's own tests of worker execution (compiled to dist/ so workers can
 * load them). Each is a pure function of its arguments, as worker kernels must be.
 */
import type { Kernel } from '../actor.js';
import { threadId } from 'node:worker_threads';
import { workerKernel } from '../kernel-ref.js';
import { int32Tile } from '../tile-alloc.js';

/** out = in * 2 + firing index, elementwise (Float32Array). */
export const scaleKernel: Kernel = (inputs, _outputs, firing) => {
  const x = inputs['in'] as Float32Array;
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i]! * 2 + firing.index;
  return { out: y };
};

/** out = cumulative sum of in (float32 rounding at each step: order matters, so does purity). */
export const prefixSumKernel: Kernel = (inputs) => {
  const x = inputs['in'] as Float32Array;
  const y = new Float32Array(x.length);
  let s = Math.fround(0);
  for (let i = 0; i < x.length; i++) y[i] = s = Math.fround(s + x[i]!);
  return { out: y };
};

/** Throws on firing 3. */
export const failOnThirdKernel: Kernel = (inputs, _o, firing) => {
  if (firing.index === 3) throw new Error('corrupt tile');
  return { out: inputs['in'] };
};

/** Kills its worker thread on firing 1. */
export const killWorkerKernel: Kernel = (inputs, _o, firing) => {
  if (firing.index === 1) process.exit(7);
  return { out: inputs['in'] };
};

export const scaleWorker = workerKernel(import.meta.url, './kernels.js', 'scaleKernel');
export const prefixSumWorker = workerKernel(import.meta.url, './kernels.js', 'prefixSumKernel');
export const failOnThirdWorker = workerKernel(import.meta.url, './kernels.js', 'failOnThirdKernel');
export const killWorkerWorker = workerKernel(import.meta.url, './kernels.js', 'killWorkerKernel');

/** out = [metadata records of the firing's inputs, of its outputs, firing index] (what a worker kernel is sent). */
export const metaProbeKernel: Kernel = (_inputs, outputs, firing) => ({ out: Float64Array.of(Object.keys(firing.inputs).length, Object.keys(outputs).length, firing.index) });

/** out = [thread id] (where the kernel ran; test-only: not a pure function). */
export const threadProbeKernel: Kernel = () => ({ out: Float64Array.of(threadId) });

export const metaProbeWorker = workerKernel(import.meta.url, './kernels.js', 'metaProbeKernel');
export const threadProbeWorker = workerKernel(import.meta.url, './kernels.js', 'threadProbeKernel');

/** A kernel that (wrongly) returns a Promise. */
export const asyncKernel: Kernel = (inputs) => Promise.resolve({ out: inputs['in'] }) as unknown as Readonly<Record<string, unknown>>;
export const asyncWorker = workerKernel(import.meta.url, './kernels.js', 'asyncKernel');

/** A kernel whose result cannot be sent back to the main thread (it holds a function). */
export const uncloneableResultKernel: Kernel = () => ({ out: { f: () => 1 } });
export const uncloneableResultWorker = workerKernel(import.meta.url, './kernels.js', 'uncloneableResultKernel');

/** A kernel whose output is a slab view (int32Tile): 8 copies of its firing index. */
export const slabTileKernel: Kernel = (_inputs, _outputs, firing) => ({ out: int32Tile(8).fill(firing.index) });
export const slabTileWorker = workerKernel(import.meta.url, './kernels.js', 'slabTileKernel');
