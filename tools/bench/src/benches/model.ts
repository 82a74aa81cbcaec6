/**
 * packages/model: cost of the pieces the accelerator's functional mode and the quantization
 * pipeline lean on — generating one full-size synthetic layer, decoding BF16 checkpoint data,
 * and the FP32 reference forward pass on the tiny config.
 */
import {
  QWEN3_CONFIGS,
  Qwen3Reference,
  SafetensorsReader,
  SyntheticQwen3Weights,
  encodeSafetensors,
  parameterCounts,
  syntheticLayerWeights,
  tinyQwen3Config,
} from '@lut-llm/model';
import { timeBestMs, type Bench, type BenchRow } from '../harness.js';

const bench: Bench = {
  name: 'model',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    const big = QWEN3_CONFIGS['Qwen3-1.7B'];
    const layerMs = timeBestMs(() => void syntheticLayerWeights(big, 0, 1), 1);
    rows.push({ label: 'synthetic Qwen3-1.7B layer (50.3 M weights)', value: layerMs, unit: 'ms' });
    rows.push({ label: 'synthetic weights generated', value: parameterCounts(big).perLayer / (layerMs / 1000) / 1e6, unit: 'M/s' });

    const n = 16 * 1024 * 1024;
    const data = new Float32Array(n).map((_, i) => Math.sin(i));
    const file = encodeSafetensors({ w: { dtype: 'BF16', shape: [n], data } });
    const reader = SafetensorsReader.fromBytes(file);
    const bf16Ms = timeBestMs(() => void reader.readFloat32('w'), 3);
    rows.push({ label: 'safetensors BF16 -> FP32 decode', value: (2 * n) / (bf16Ms / 1000) / 1e6, unit: 'MB/s' });

    const tiny = tinyQwen3Config();
    const ref = new Qwen3Reference(new SyntheticQwen3Weights(tiny, 1));
    const prompt = Array.from({ length: 32 }, (_, i) => (i * 37) % tiny.vocab);
    const prefillMs = timeBestMs(() => {
      ref.reset();
      ref.prefill(prompt);
    }, 3);
    rows.push({ label: 'FP32 reference prefill, tiny config, 32 tokens', value: prefillMs, unit: 'ms' });
    ref.reset();
    ref.prefill(prompt);
    const decodeMs = timeBestMs(() => void ref.decode(7), 10);
    rows.push({ label: 'FP32 reference decode, tiny config (cache grows)', value: decodeMs, unit: 'ms/token' });
    return rows;
  },
};

export default bench;
