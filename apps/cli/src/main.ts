#!/usr/bin/env node
// `lut-llm` entry point: `npm start` runs `lut-llm run` (Qwen3-1.7B on the V80 preset) by default.
// Only node built-ins and the pass lanes' light entry load before the lanes start: their worker
// threads load the emulator while this thread loads the CLI (early-lanes.ts says why).
import { startPassLanes } from './early-lanes.js';

// A reader that closes early (`lut-llm --help | head`) is not an error: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const argv = process.argv.slice(2);
const passLanes = startPassLanes(argv);
try {
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(argv, undefined, passLanes ? { passLanes } : {});
} finally {
  await passLanes?.close();
}
