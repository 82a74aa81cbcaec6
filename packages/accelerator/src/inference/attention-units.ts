import { ATTENTION_IMPLEMENTATIONS, attentionJobCycles, resolveAttentionParams, type AttentionImplementation } from '@lut-llm/attention';
import type { AttentionJob } from '@lut-llm/contracts';
import type { Qwen3Config } from '@lut-llm/model';
import { stageOverrides, type PlatformConfig } from '../platform/index.js';

/** Cycles of one layer's attention job on each attention unit the emulator models. */
export interface AttentionUnitComparison {
  readonly label: string;
  readonly job: AttentionJob;
  /** Cycles per unit, by implementation ('as-built', 'pipelined'). */
  readonly cycles: Readonly<Record<AttentionImplementation, number>>;
}

/**
 * The attention of one layer on the built unit and on the pipelined one ("what the unit could
 * be"), from packages/attention's cycle models with the platform's attention parameters and the
 * model's heads (KV history on chip): the prefill of the whole prompt in one call and, when there
 * are decode steps, the last decode step (history prompt + output - 2).
 */
export function compareAttentionUnits(model: Qwen3Config, platform: PlatformConfig, promptTokens: number, outputTokens: number): AttentionUnitComparison[] {
  const base = { ...(stageOverrides(platform, 'attention') as object), shape: { heads: model.heads, kvHeads: model.kvHeads, headDim: model.headDim } };
  const jobs: { label: string; job: AttentionJob }[] = [{ label: `prefill of ${promptTokens} tokens`, job: { layer: 0, phase: 'prefill', queryTokens: promptTokens, queryStart: 0 } }];
  if (outputTokens > 1) {
    const h = promptTokens + outputTokens - 2;
    jobs.push({ label: `decode at ${h} positions of history`, job: { layer: 0, phase: 'decode', queryTokens: 1, queryStart: h } });
  }
  return jobs.map(({ label, job }) => ({
    label,
    job,
    cycles: Object.fromEntries(ATTENTION_IMPLEMENTATIONS.map((impl) => [impl, attentionJobCycles(resolveAttentionParams({ ...base, implementation: impl } as never), job)])) as Record<AttentionImplementation, number>,
  }));
}
