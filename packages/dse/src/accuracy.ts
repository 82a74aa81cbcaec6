import { Worker } from 'node:worker_threads';
import { compiledSibling } from '@lut-llm/accelerator';
import type { LinearVariant } from '@lut-llm/contracts';
import { concatRows } from '@lut-llm/model';
import {
  Rng,
  activationOnlyLinear,
  buildActivationOnlyLinear,
  compareOutputs,
  fp32Gemm,
  lutLinear,
  quantizeLinear,
  syntheticActivations,
  syntheticWeights,
  weightOnlyGemm,
  type VqConfig,
} from '@lut-llm/vq';

/** The VQ fields of a platform that change the numbers (accelerator's `PlatformVq`). */
export type AccuracyVq = Pick<VqConfig, 'v' | 'cA' | 'cW' | 'groupSize' | 'lutBits' | 'distance'>;

/**
 * The fixed synthetic calibration set of the accuracy proxy: linear layers of Qwen3-like shape
 * (an attention-style square projection and an MLP-style widening one), weights N(0, 1/D), and
 * activations N(0, 1) with vq's LLM-like outlier channel (20-100x, consistent sign). The
 * codebooks are fitted on `calibrationTokens` tokens and the error measured on `evalTokens`
 * other tokens of the same distribution. Sized so one configuration takes a fraction of a second
 * (it runs once per distinct VQ configuration of a sweep).
 */
export const ACCURACY_CALIBRATION = {
  layers: [
    { inFeatures: 256, outFeatures: 256 },
    { inFeatures: 256, outFeatures: 768 },
  ],
  calibrationTokens: 256,
  evalTokens: 32,
  seed: 24,
} as const;

export interface AccuracyCalibration {
  readonly layers: readonly { readonly inFeatures: number; readonly outFeatures: number }[];
  readonly calibrationTokens: number;
  readonly evalTokens: number;
  readonly seed: number;
}

/** The accuracy proxy of one functional configuration (every layer's outputs pooled). */
export interface AccuracyProxy {
  /** 10 log10(sum y^2 / sum (y - y_q)^2) over every output of every layer, y the FP32 reference. */
  readonly sqnrDb: number;
  /** Cosine similarity of the quantized outputs with the FP32 ones (all layers as one vector). */
  readonly cosine: number;
}

/** What the proxy measures and what it does not (printed with a sweep, as the on-chip note is). */
export const ACCURACY_PROXY_NOTE =
  'accuracy proxy: SQNR and cosine of the quantized linear layers against FP32 on a fixed synthetic calibration set ' +
  '(two Qwen3-shaped layers, Gaussian weights, activations with an outlier channel; codebooks fitted on 256 tokens, ' +
  'measured on 32 others); it ranks VQ configurations by their quantization error, it is not task accuracy ' +
  '(no real weights, no error propagation through layers, attention or the non-linear functions)';

const cache = new Map<string, AccuracyProxy>();
/** Forgets every memoised proxy (tests; a long-lived process that wants its memory back). */
export function clearAccuracyCache(): void {
  cache.clear();
}

const keyOf = (vq: AccuracyVq, variant: LinearVariant, calib: AccuracyCalibration) => JSON.stringify([vq.v, vq.cA, vq.cW, vq.groupSize, vq.lutBits, vq.distance, variant, calib]);

/**
 * The accuracy proxy of a VQ configuration and linear variant: each calibration layer quantized
 * as the variant computes it (co-quant: 2D tables and integer look-ups; weight-only: rebuilt
 * weights, FP32 activations; activation-only: FP32 1D tables), its outputs on held-out tokens
 * compared with the FP32 layer. Deterministic (seeded data, seeded k-means); memoised per
 * configuration within a process.
 */
export function accuracyProxy(vq: AccuracyVq, variant: LinearVariant, calib: AccuracyCalibration = ACCURACY_CALIBRATION): AccuracyProxy {
  const key = keyOf(vq, variant, calib);
  const hit = cache.get(key);
  if (hit) return hit;
  const cfg: Partial<VqConfig> = { v: vq.v, cA: vq.cA, cW: vq.cW, groupSize: vq.groupSize, lutBits: vq.lutBits, distance: vq.distance };
  const refs: Float32Array[] = [];
  const tests: Float32Array[] = [];
  calib.layers.forEach(({ inFeatures: D, outFeatures: M }, l) => {
    // Three independent streams per layer: weights, calibration tokens, evaluation tokens.
    const W = syntheticWeights(M, D, new Rng(calib.seed * 1000 + 3 * l));
    const calibX = syntheticActivations(calib.calibrationTokens, D, new Rng(calib.seed * 1000 + 3 * l + 1));
    const x = syntheticActivations(calib.evalTokens, D, new Rng(calib.seed * 1000 + 3 * l + 2));
    const T = calib.evalTokens;
    const q = quantizeLinear(W, M, D, calibX, calib.calibrationTokens, cfg);
    refs.push(fp32Gemm(W, M, D, x, T));
    if (variant === 'co-quant') tests.push(lutLinear(q, x, T));
    else if (variant === 'weight-only') tests.push(weightOnlyGemm(q, x, T));
    else tests.push(activationOnlyLinear(buildActivationOnlyLinear(W, M, D, q.actCodebooks, cfg), x, T));
  });
  const c = compareOutputs(concatRows(...refs), concatRows(...tests));
  const r: AccuracyProxy = { sqnrDb: c.sqnrDb, cosine: c.cosineSimilarity };
  cache.set(key, r);
  return r;
}

/** A message to the accuracy thread, and its answer. */
export interface AccuracyRequest {
  readonly id: number;
  readonly vq: AccuracyVq;
  readonly variant: LinearVariant;
  readonly calib: AccuracyCalibration;
}
export type AccuracyAnswer = { readonly id: number; readonly result: AccuracyProxy } | { readonly id: number; readonly error: string };

let thread: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (r: AccuracyProxy) => void; reject: (e: Error) => void }>();
const inFlight = new Map<string, Promise<AccuracyProxy>>();

function failAll(e: Error): void {
  for (const w of waiting.values()) w.reject(e);
  waiting.clear();
  thread = undefined;
}

/**
 * {@link accuracyProxy} on a worker thread of its own (started on first use, one for the process):
 * the same numbers, but the k-means (a second or more on a loaded machine) leaves the event loop
 * free, so a queue worker keeps renewing its job's lock and a pooled sweep keeps its pass workers
 * fed. The thread does not keep the process alive when nothing waits on it.
 */
export function accuracyProxyAsync(vq: AccuracyVq, variant: LinearVariant, calib: AccuracyCalibration = ACCURACY_CALIBRATION): Promise<AccuracyProxy> {
  const key = keyOf(vq, variant, calib);
  const hit = cache.get(key);
  if (hit) return Promise.resolve(hit);
  const running = inFlight.get(key);
  if (running) return running;
  if (!thread) {
    const t = new Worker(new URL(compiledSibling(import.meta.url, './accuracy-worker.js')));
    t.on('message', (a: AccuracyAnswer) => {
      const w = waiting.get(a.id);
      waiting.delete(a.id);
      if (waiting.size === 0) t.unref();
      if (!w) return;
      if ('error' in a) w.reject(new Error(a.error));
      else w.resolve(a.result);
    });
    t.on('error', (e) => failAll(new Error(`accuracy thread failed: ${e.message}`)));
    t.on('exit', (code) => failAll(new Error(`accuracy thread exited (code ${code})`)));
    thread = t;
  }
  const id = nextId++;
  const t = thread;
  const p = new Promise<AccuracyProxy>((resolve, reject) => waiting.set(id, { resolve, reject }))
    .then((r) => {
      cache.set(key, r);
      return r;
    })
    .finally(() => inFlight.delete(key));
  inFlight.set(key, p);
  t.ref();
  t.postMessage({ id, vq, variant, calib } satisfies AccuracyRequest);
  return p;
}
