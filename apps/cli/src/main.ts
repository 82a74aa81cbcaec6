#!/usr/bin/env node
import { runCli } from './cli.js';

// A reader that closes early (`lut-llm --help | head`) is not an error: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

// `lut-llm` entry point: `npm start` runs `lut-llm run` (Qwen3-1.7B on the V80 preset) by default.
process.exitCode = await runCli(process.argv.slice(2));
