// Worker-thread plumbing that PassLanes and PassPool share, on node built-ins only: the CLI imports
// PassLanes (through the `@lut-llm/accelerator/pass-lanes` entry) at process start, before it loads
// anything else, so this module must not pull in the emulator's modules.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The compiled `.js` of a module next to this one. Node 20 cannot load `.ts` in worker threads
 * (DESIGN.md section 5): when this module runs from its TypeScript source (vitest), the worker
 * module is taken from the package's dist/, which `npm run build` writes.
 */
export function compiledSibling(moduleUrl: string, sibling: string): string {
  const here = fileURLToPath(moduleUrl);
  const js = fileURLToPath(new URL(sibling, moduleUrl));
  if (here.endsWith('.js')) {
    if (!existsSync(js)) throw new Error(`pass pool: worker module ${js} is missing: run 'npm run build'`);
    return pathToFileURL(js).href;
  }
  const m = /^(.*)[/\\]src[/\\](.*)$/.exec(js);
  const compiled = m ? `${m[1]}/dist/${m[2]}` : js;
  if (!existsSync(compiled)) throw new Error(`pass pool: worker module ${compiled} (compiled from ${here}) is missing: run 'npm run build' first`);
  return pathToFileURL(compiled).href;
}

/**
 * Pass workers used by default: one per core when there are at least two (a pass is CPU-bound,
 * and the main thread only assembles results), else 0 (serial: a single core gains nothing
 * from a worker).
 */
export function defaultPassWorkers(): number {
  const cores = availableParallelism();
  return cores >= 2 ? cores : 0;
}
