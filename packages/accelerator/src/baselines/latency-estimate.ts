import { energyPerToken } from './energy.js';

/**
 * End-to-end figures of one request (prompt in, outputs out), from any method: the GPU roofline,
 * the analytical LUT-LLM model, or the emulator. Conventions:
 * - TTFT is the prefill of the prompt, which also yields the first output token;
 * - the other `outputTokens - 1` tokens are decode steps, step s attending over promptTokens + s tokens;
 * - endToEnd = TTFT + sum of the decode steps;
 * - tokensPerSecond = outputTokens / endToEnd (the request's generation rate);
 * - energyPerTokenJoules = boardWatts x endToEnd / outputTokens, tokensPerJoule its inverse.
 */
export interface LatencyEstimate {
  /** What ran, e.g. "AMD Alveo V80 @ 227 MHz (LUT-LLM)" or "NVIDIA A100 80GB SXM". */
  readonly system: string;
  /** How it was obtained, e.g. "roofline (upper bound on GPU performance)". */
  readonly method: string;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly boardWatts: number;
  readonly ttftSeconds: number;
  /** outputTokens - 1. */
  readonly decodeSteps: number;
  /** Mean decode step time; NaN when there is no decode step (outputTokens = 1). */
  readonly decodeSecondsPerToken: number;
  readonly endToEndSeconds: number;
  readonly tokensPerSecond: number;
  /** 1 / decodeSecondsPerToken (NaN without decode steps). */
  readonly decodeTokensPerSecond: number;
  readonly energyPerTokenJoules: number;
  readonly tokensPerJoule: number;
  /** Caveats to print with the figures. */
  readonly notes: readonly string[];
}

/** Checks a request's lengths (integers >= 1); throws a RangeError naming the bad one. */
export function checkRequest(promptTokens: number, outputTokens: number): void {
  for (const [name, v] of [['promptTokens', promptTokens], ['outputTokens', outputTokens]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be an integer >= 1, got ${String(v)}`);
  }
}

/** Builds a {@link LatencyEstimate} from TTFT and the summed decode step time. */
export function latencyEstimate(args: {
  readonly system: string;
  readonly method: string;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly boardWatts: number;
  readonly ttftSeconds: number;
  /** Sum of the outputTokens - 1 decode step times. */
  readonly decodeSecondsTotal: number;
  readonly notes?: readonly string[];
}): LatencyEstimate {
  checkRequest(args.promptTokens, args.outputTokens);
  const decodeSteps = args.outputTokens - 1;
  const endToEndSeconds = args.ttftSeconds + args.decodeSecondsTotal;
  const decodeSecondsPerToken = decodeSteps > 0 ? args.decodeSecondsTotal / decodeSteps : Number.NaN;
  const energyPerTokenJoules = energyPerToken(endToEndSeconds / args.outputTokens, args.boardWatts);
  return Object.freeze({
    system: args.system,
    method: args.method,
    promptTokens: args.promptTokens,
    outputTokens: args.outputTokens,
    boardWatts: args.boardWatts,
    ttftSeconds: args.ttftSeconds,
    decodeSteps,
    decodeSecondsPerToken,
    endToEndSeconds,
    tokensPerSecond: args.outputTokens / endToEndSeconds,
    decodeTokensPerSecond: 1 / decodeSecondsPerToken,
    energyPerTokenJoules,
    tokensPerJoule: 1 / energyPerTokenJoules,
    notes: Object.freeze([...(args.notes ?? [])]),
  });
}

/**
 * Sum of the decode steps of a request: step s = 1..outputTokens-1 attends promptTokens + s
 * positions (the convention of {@link LatencyEstimate}); `stepSeconds(context)` times one.
 */
export function sumDecodeSteps(promptTokens: number, outputTokens: number, stepSeconds: (context: number) => number): number {
  let total = 0;
  for (let s = 1; s < outputTokens; s++) total += stepSeconds(promptTokens + s);
  return total;
}
