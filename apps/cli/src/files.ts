import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './options.js';
import type { CliIo } from './progress.js';

/**
 * Keys of a report that vary from run to run (emulation wall time): left out of the
 * deterministic report and given apart (`wallTime` of the JSON file, stderr of the text).
 */
const NONDETERMINISTIC_KEYS = new Set(['wallMs']);

/** JSON of a report without its trace events (the `events` arrays) nor wall times, NaN/Infinity as null. */
export function reportJson(report: unknown): string {
  return JSON.stringify(report, (key, value: unknown) => (key === 'events' || NONDETERMINISTIC_KEYS.has(key) ? undefined : value), 2);
}

/**
 * A file written atomically: the text goes to a temporary file in the same directory, renamed over
 * the target only once complete, so a failed or interrupted write never leaves a truncated file.
 */
export class AtomicFile {
  private readonly tmp: string;
  private fd: number;
  private done = false;

  constructor(
    private readonly flag: string,
    private readonly file: string,
  ) {
    const path = resolve(file);
    this.tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (e) {
      throw new CliError(`${flag}: cannot write '${file}': ${(e as Error).message}`);
    }
  }

  write(data: string | Uint8Array): void {
    try {
      if (typeof data === 'string') writeSync(this.fd, data);
      else writeSync(this.fd, data);
    } catch (e) {
      this.abort();
      throw new CliError(`${this.flag}: cannot write '${this.file}': ${(e as Error).message}`);
    }
  }

  /** Closes the temporary file and renames it over the target. */
  commit(): void {
    if (this.done) return;
    this.done = true;
    try {
      closeSync(this.fd);
      renameSync(this.tmp, resolve(this.file));
    } catch (e) {
      try {
        unlinkSync(this.tmp);
      } catch {
        /* already gone */
      }
      throw new CliError(`${this.flag}: cannot write '${this.file}': ${(e as Error).message}`);
    }
  }

  /** Drops the temporary file (the target is left as it was). */
  abort(): void {
    if (this.done) return;
    this.done = true;
    try {
      closeSync(this.fd);
    } catch {
      /* closed */
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      /* already gone */
    }
  }
}

/** Writes `text` to `file` atomically (temporary file + rename), or to stdout for '-'. Errors name the flag. */
export function writeOutput(flag: string, file: string, text: string, io?: CliIo): void {
  if (file === '-') {
    if (!io) throw new CliError(`${flag}: '-' (stdout) is not supported for this output`);
    io.out(text);
    return;
  }
  const f = new AtomicFile(flag, file);
  f.write(text);
  f.commit();
}

/** "written to X" for a file, nothing for stdout (which holds the JSON itself). */
export function writtenNote(io: CliIo, file: string, what: string): void {
  if (file !== '-') io.out(`${what} written to ${file}`);
}
