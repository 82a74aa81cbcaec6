import { LINEAR_VARIANTS, PLATFORM_PRESETS } from '@lut-llm/accelerator';
import { z } from 'zod';
import { checkLayers, checkLengths, parseModel } from './options.js';
import type { TraceRequest } from './trace-run.js';

/**
 * A run a page may ask `lut-llm serve` for. Platforms are presets only: a page must not make the
 * server read files. Unknown fields are refused (a typo is not silently a default).
 */
export const liveConfigSchema = z
  .object({
    model: z.string(),
    platform: z.string().default('v80'),
    variant: z.enum(LINEAR_VARIANTS).default('co-quant'),
    prompt: z.number().int().min(1),
    output: z.number().int().min(1),
    layers: z.number().int().min(1).optional(),
    prefillChunk: z.number().int().min(1).optional(),
    prefetch: z.boolean().default(true),
    passes: z.array(z.enum(['prefill', 'decode'])).min(1).default(['prefill', 'decode']),
  })
  .strict();

/** Validates a live run request; throws an Error listing every problem by field. */
export function validateLiveConfig(json: unknown): TraceRequest {
  const r = liveConfigSchema.safeParse(json);
  if (!r.success) throw new Error(`invalid configuration: ${r.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ')}`);
  const c = r.data;
  if (!Object.hasOwn(PLATFORM_PRESETS, c.platform)) throw new Error(`invalid configuration: platform: '${c.platform}' is not a preset (${Object.keys(PLATFORM_PRESETS).join(', ')}); the server runs presets only`);
  const model = parseModel(c.model);
  checkLayers(c.layers, model);
  checkLengths(c.prompt, c.output, model);
  if (c.passes.includes('decode') && c.output < 2) throw new Error('invalid configuration: output: tracing the decode step needs output >= 2');
  return {
    model,
    platform: PLATFORM_PRESETS[c.platform as keyof typeof PLATFORM_PRESETS],
    platformName: c.platform,
    variant: c.variant,
    prompt: c.prompt,
    output: c.output,
    ...(c.layers !== undefined ? { layers: c.layers } : {}),
    ...(c.prefillChunk !== undefined ? { prefillChunk: c.prefillChunk } : {}),
    prefetch: c.prefetch,
    passes: c.passes,
  };
}
