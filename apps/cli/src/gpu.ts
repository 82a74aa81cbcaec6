import { readFileSync } from 'node:fs';
import {
  GPU_BASELINES,
  GPU_LATENCY_DEFAULTS,
  GPU_WEIGHT_FORMATS,
  GpuCalibrationError,
  calibrateGpuLatency,
  formatNumber,
  gpuLatency,
  gpuRoofline,
  parseGpuMeasurements,
  type GpuBaselineName,
  type GpuCalibration,
  type LatencyEstimate,
} from '@lut-llm/accelerator';
import { table } from '@lut-llm/core';
import type { Qwen3Config } from '@lut-llm/model';
import { CliError } from './options.js';

/**
 * The GPU side of `compare` (issue 17, item 1): BF16 / INT8 / INT4 rows of the per-kernel latency
 * model for each GPU, calibrated on the user's measurements when `--gpu-measured` names a file,
 * and the ideal roofline kept as a named "roofline bound" row.
 */

/** Reads, validates and fits a `--gpu-measured` file; errors name the flag and the problem. */
export function loadGpuCalibration(file: string, model: Qwen3Config): GpuCalibration {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`--gpu-measured: cannot read '${file}': ${(e as Error).message}`);
  }
  try {
    const m = parseGpuMeasurements(text, file);
    return calibrateGpuLatency(model, m, GPU_LATENCY_DEFAULTS[m.gpu]);
  } catch (e) {
    if (e instanceof GpuCalibrationError) throw new CliError(`--gpu-measured: ${e.message}`);
    throw e;
  }
}

/** The calibration report: fitted vs default free parameters, and each point's residual. */
export function formatGpuCalibration(c: GpuCalibration): string {
  const d = c.defaults;
  const p = c.params;
  const head =
    `GPU calibration: ${GPU_BASELINES[c.gpu].name} ${c.format.toUpperCase()}, ${c.residuals.length} measurements` +
    `${c.source ? ` (${c.source})` : ''}; free parameters fitted by least squares on relative error: ` +
    `kernelOverheadSeconds ${(d.kernelOverheadSeconds * 1e6).toFixed(2)} -> ${(p.kernelOverheadSeconds * 1e6).toFixed(2)} us, ` +
    `hbmEfficiency ${d.hbmEfficiency.toFixed(3)} -> ${p.hbmEfficiency.toFixed(3)}; every other parameter stays modelled`;
  const rows = c.residuals.map((r) => [
    String(r.point.promptTokens),
    String(r.point.outputTokens),
    r.quantity === 'ttft' ? 'TTFT' : 'end-to-end',
    formatNumber(r.measuredMs),
    formatNumber(r.modelledMs),
    formatNumber(r.calibratedMs),
    `${r.residualMs >= 0 ? '+' : ''}${formatNumber(r.residualMs)} (${((100 * r.residualMs) / r.measuredMs).toFixed(1)}%)`,
  ]);
  return [
    head,
    table(['prompt', 'output', 'measured', 'measured ms', 'modelled ms', 'calibrated ms', 'residual ms'], rows),
    `rms relative residual ${(100 * c.rmsRelativeResidual).toFixed(2)}%`,
  ].join('\n');
}

/**
 * GPU rows of the comparison: per GPU, BF16 / INT8 / INT4 by the per-kernel model (calibrated
 * parameters for the calibrated GPU, its method column saying so), then its roofline bound.
 */
export function gpuComparisonRows(model: Qwen3Config, promptTokens: number, outputTokens: number, calibration?: GpuCalibration): LatencyEstimate[] {
  const rows: LatencyEstimate[] = [];
  for (const [name, gpu] of Object.entries(GPU_BASELINES) as [GpuBaselineName, (typeof GPU_BASELINES)[GpuBaselineName]][]) {
    const cal = calibration?.gpu === name ? calibration : undefined;
    for (const format of GPU_WEIGHT_FORMATS) {
      const provenance = cal
        ? cal.format === format
          ? `calibrated (${cal.residuals.length} measurements)`
          : `calibrated on ${cal.format.toUpperCase()} points`
        : 'modelled';
      rows.push(gpuLatency(gpu, model, { promptTokens, outputTokens, format, params: cal?.params ?? GPU_LATENCY_DEFAULTS[name], provenance }));
    }
    const bound = gpuRoofline(gpu, model, { promptTokens, outputTokens });
    rows.push({ ...bound, system: `${gpu.name} roofline bound`, method: 'ideal roofline (INT8 weights, 100% of peak, no launches)' });
  }
  return rows;
}

/** One line per baseline row (GPU model rows, or the FP16 DSP design): LUT-LLM's end-to-end speed and tokens/J against it. */
export function gpuRatioLines(lut: LatencyEstimate, lutLabel: string, gpuRows: readonly LatencyEstimate[]): string[] {
  return gpuRows.map((g) => {
    const speed = g.endToEndSeconds / lut.endToEndSeconds;
    const energy = lut.tokensPerJoule / g.tokensPerJoule;
    return (
      `LUT-LLM (${lutLabel}) vs ${g.system} [${g.method}]: ` +
      `${speed >= 1 ? `${speed.toFixed(2)}x faster` : `${(1 / speed).toFixed(2)}x slower`} end-to-end, ` +
      `${energy >= 1 ? `${energy.toFixed(2)}x more` : `${(1 / energy).toFixed(2)}x fewer`} tokens/J`
    );
  });
}
