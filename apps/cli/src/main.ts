#!/usr/bin/env node
import { runCli } from './cli.js';

// `lut-llm` entry point: `npm start` runs `lut-llm run` (Qwen3-1.7B on the V80 preset) by default.
process.exitCode = await runCli(process.argv.slice(2));
