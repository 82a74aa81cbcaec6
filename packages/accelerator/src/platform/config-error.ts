import type { z } from 'zod';
import { isPlainObject } from './deep-merge.js';

/** One problem in a platform config: where (`platform.hbm.channels.weights`) and what. */
export interface PlatformConfigIssue {
  /** Dotted path from the root `platform` (keys that are not identifiers are bracketed: `platform.stages["lut-psum"]`). */
  readonly path: string;
  /** What was expected and what was found, e.g. `expected an integer >= 1, got 0`. */
  readonly message: string;
}

/** Thrown by the platform loader; lists every bad field, one per line. */
export class PlatformConfigError extends Error {
  override readonly name = 'PlatformConfigError';
  constructor(
    /** Where the config came from (a file path, or "platform object"). */
    readonly source: string,
    readonly issues: readonly PlatformConfigIssue[],
  ) {
    super(`invalid platform config (${source}):\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['hbm', 'channels', 'weights']` -> `platform.hbm.channels.weights`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = 'platform';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** The value at `path` inside `root`, or undefined. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** A short rendering of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `an array ${truncate(JSON.stringify(value))}`;
  if (typeof value === 'object') return `an object ${truncate(JSON.stringify(value))}`;
  return typeof value;
}

function truncate(s: string, max = 60): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

/**
 * Turns zod issues into `{ path, message }` with the received value appended, e.g.
 * `platform.hbm.channels.weights: expected an integer >= 1, got 0`. Unknown fields list the
 * known ones, found in `known` (the preset the input was merged over) at the same path.
 */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], input: unknown, known: unknown): PlatformConfigIssue[] {
  const out: PlatformConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const knownHere = valueAt(known, issue.path);
      const list = isPlainObject(knownHere) ? ` (known fields: ${Object.keys(knownHere).join(', ')})` : '';
      for (const key of issue.keys) {
        out.push({ path: formatPath([...issue.path, key]), message: `unknown field${list}` });
      }
      continue;
    }
    out.push({ path: formatPath(issue.path), message: `${issue.message}, got ${describeValue(valueAt(input, issue.path))}` });
  }
  return out;
}
