import { PassLanes, defaultPassWorkers } from '@lut-llm/accelerator/pass-lanes';

/**
 * Pass lanes to start when the process starts, before the CLI loads its modules (0: none), for the
 * commands that run timing passes on lanes: `run` (the default command; timing mode) when
 * `--pass-workers n` >= 2 is given, and `compare` with the threads `--pass-workers` asks for
 * (default one per core: its default is lanes). Without the flag `run` decides after its first
 * pass (accelerator's secondLanePays) and starts its own lanes if they pay. Why so early: a lane
 * worker spends ~200 ms of CPU loading the emulator's modules and the main thread about as much
 * loading the CLI's and checking the request; started together on 2 cores, the worker is ready
 * when the first pass is posted, and both lanes start on passes at once (issue 19).
 *
 * This reads argv only as far as it needs and never fails: commander parses it afterwards and
 * reports bad flags. A guess that proves wrong costs one worker's start-up on another core; the
 * command uses the lanes only if its own placement wants 2 or more threads.
 */
export function passLanesAtStart(argv: readonly string[]): number {
  const command = argv[0] === undefined || argv[0].startsWith('-') ? 'run' : argv[0];
  if (command !== 'run' && command !== 'compare') return 0;
  if (argv.some((a) => a === '-h' || a === '--help' || a === '-V' || a === '--version')) return 0;
  const value = (flag: string): string | undefined => {
    let v: string | undefined;
    argv.forEach((a, i) => {
      if (a === flag) v = argv[i + 1];
      else if (a.startsWith(`${flag}=`)) v = a.slice(flag.length + 1);
    });
    return v;
  };
  if (command === 'run' && (value('--mode') ?? 'timing') !== 'timing') return 0;
  const given = value('--pass-workers');
  if (given === undefined && command === 'run') return 0;
  const lanes = given === undefined ? defaultPassWorkers() : /^\d+$/.test(given) ? Number(given) : 0;
  // 64: the CLI's bound on --pass-workers (options.ts BOUNDS.workers); beyond it commander refuses the flag.
  return lanes >= 2 && lanes <= 64 ? lanes : 0;
}

/** {@link passLanesAtStart}'s lanes, started (undefined for none). */
export function startPassLanes(argv: readonly string[]): PassLanes | undefined {
  const lanes = passLanesAtStart(argv);
  return lanes >= 2 ? new PassLanes({ lanes }) : undefined;
}
