import cliProgress from 'cli-progress';
import type { InferenceReport, runInference$ } from '@lut-llm/accelerator';
import { CliError } from './options.js';

/** Where the CLI writes: text to stdout/stderr, and a stream for the progress bar (null: no bar). */
export interface CliIo {
  /** Writes a block of text followed by a newline (stdout). */
  out(text: string): void;
  /** Writes a block of text followed by a newline (stderr). */
  err(text: string): void;
  /** The terminal the progress bar draws on, or null for no bar (not a TTY, --quiet, tests). */
  readonly progressStream: NodeJS.WritableStream | null;
  /**
   * Registers `cancel` for an interrupt (Ctrl-C) while a cancellable emulation runs; returns the
   * function that removes it. Omitted: an interrupt ends the process as usual.
   */
  readonly onInterrupt?: (cancel: () => void) => () => void;
}

/** The process's stdout/stderr; the bar only when stderr is a terminal; Ctrl-C cancels a running emulation. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    progressStream: process.stderr.isTTY ? process.stderr : null,
    onInterrupt: (cancel) => {
      process.once('SIGINT', cancel);
      return () => process.off('SIGINT', cancel);
    },
  };
}

/** A run cancelled by an interrupt (Ctrl-C): exit code 130, as a shell reports SIGINT. */
export class Interrupted extends CliError {
  constructor() {
    super('interrupted: the emulation was cancelled (Ctrl-C); nothing was written');
  }
}

/**
 * Follows a request's Observable (accelerator `runInference$`: core run$ progress of each pass,
 * passes done, then the report) into the progress bar, and resolves with the report. An interrupt
 * (io.onInterrupt) unsubscribes, which stops the passes (in the pass workers too), and rejects
 * with {@link Interrupted}.
 */
export function followInference(source: ReturnType<typeof runInference$>, io: CliIo, on: { readonly passDone: (label: string) => void; readonly passProgress?: (label: string, cycle: number) => void }): Promise<InferenceReport> {
  return new Promise<InferenceReport>((resolve, reject) => {
    let report: InferenceReport | undefined;
    let off: () => void = () => {};
    const sub = source.subscribe({
      next: (e) => {
        if (e.kind === 'pass-progress') on.passProgress?.(e.label, e.cycle);
        else if (e.kind === 'pass-done') on.passDone(e.label);
        else report = e.report;
      },
      error: (e: unknown) => {
        off();
        reject(e);
      },
      complete: () => {
        off();
        if (report) resolve(report);
        else reject(new Error('the emulation ended without a report'));
      },
    });
    if (!sub.closed && io.onInterrupt) {
      off = io.onInterrupt(() => {
        off();
        sub.unsubscribe();
        reject(new Interrupted());
      });
    }
  });
}

/** Collects output in memory (tests, and callers that want the text). */
export function bufferIo(): CliIo & { readonly stdout: () => string; readonly stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => out.push(`${t}\n`),
    err: (t) => err.push(`${t}\n`),
    progressStream: null,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** Delay before a progress bar appears: shorter runs print nothing. */
export const PROGRESS_DELAY_MS = 1000;

/**
 * A progress bar over emulated passes (cli-progress, on stderr). It appears only once the work
 * has taken more than {@link PROGRESS_DELAY_MS} (the emulation is synchronous, so it is drawn from
 * the progress callbacks), and never without a terminal.
 */
export class PassProgress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly t0 = performance.now();

  constructor(
    private readonly stream: NodeJS.WritableStream | null,
    private readonly total: number,
    /** What is counted (the bar's unit). */
    private readonly unit: string = 'passes',
  ) {}

  private done = 0;

  /** Reports `done` of `total` passes finished; `label` names the last one. */
  update(done: number, label: string): void {
    this.done = done;
    if (!this.stream) return;
    const ms = performance.now() - this.t0;
    // Elapsed and remaining time from the start of the work (the bar itself starts late).
    const payload = { label, elapsed: (ms / 1e3).toFixed(1), left: done > 0 ? ((ms / done) * (this.total - done) / 1e3).toFixed(0) : '?' };
    if (!this.bar) {
      if (ms < PROGRESS_DELAY_MS) return;
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: `emulating [{bar}] {value}/{total} ${this.unit} | {label} | {elapsed} s elapsed, about {left} s left`,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.total, done, payload);
    }
    this.bar.update(done, payload);
  }

  /** Shows the cycle the running pass `label` has reached (core run$ progress), without counting a pass. */
  live(label: string, cycle: number): void {
    this.update(this.done, `${label} at cycle ${cycle.toLocaleString('en-US')}`);
  }

  /** Removes the bar (if drawn). */
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
