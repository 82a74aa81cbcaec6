import { InvalidArgumentError } from 'commander';
import { LINEAR_COMPARISON_COLUMNS, type LinearComparisonColumn } from '@lut-llm/accelerator';

/**
 * `linear --variant all|<list>`: the three LUTLinear variants as the paper compares them, plus
 * 'weight-only-lut', the T-MAC-style online-table weight-only alternate; "all" is all four.
 */
export function parseLinearColumns(v: string): LinearComparisonColumn[] {
  if (v === 'all') return [...LINEAR_COMPARISON_COLUMNS];
  const out: LinearComparisonColumn[] = [];
  for (const part of v.split(',').map((s) => s.trim())) {
    if (!(LINEAR_COMPARISON_COLUMNS as readonly string[]).includes(part)) {
      throw new InvalidArgumentError(`--variant: unknown variant '${part}'; expected 'all' or one or more (comma-separated) of ${LINEAR_COMPARISON_COLUMNS.join(', ')}`);
    }
    if (!out.includes(part as LinearComparisonColumn)) out.push(part as LinearComparisonColumn);
  }
  return out;
}
