/** A graph that cannot be run: names the culprit actor, port or FIFO. */
export class GraphValidationError extends Error {
  override readonly name = 'GraphValidationError';
  constructor(
    message: string,
    /** Every problem found (the message lists them all). */
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}

/** Who is blocked on what when a run can make no progress. */
export interface BlockedActor {
  readonly actor: string;
  /** 'empty': waits to read `fifo`; 'full': waits to write `fifo`. */
  readonly waitsOn: 'empty' | 'full';
  readonly fifo: string;
  /** Cycle since which the actor has been blocked. */
  readonly sinceCycle: number;
}

/** The run reached a state where no actor can ever fire again, but some have not finished. */
export class DeadlockError extends Error {
  override readonly name = 'DeadlockError';
  constructor(
    readonly cycle: number,
    readonly blocked: readonly BlockedActor[],
  ) {
    const lines = blocked.map(
      (b) => `  ${b.actor} waits on ${b.waitsOn === 'empty' ? 'empty' : 'full'} FIFO '${b.fifo}' (since cycle ${b.sinceCycle})`,
    );
    const fifos = [...new Set(blocked.map((b) => b.fifo))].join(', ');
    super(`deadlock at cycle ${cycle}: no actor can fire; blocked FIFOs: ${fifos}\n${lines.join('\n')}`);
  }
}

/** An error raised while running: a kernel or behaviour failure, a broken rate contract. */
export class RunError extends Error {
  override readonly name = 'RunError';
  constructor(
    message: string,
    readonly actor?: string,
    readonly firingIndex?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
