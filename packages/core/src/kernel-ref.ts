import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where a worker finds a kernel: a compiled ES module (file URL) and the name of its export.
 * The export must have the `Kernel` signature and be a pure function of its arguments (no state
 * kept between calls): that is what makes results identical whichever worker runs it.
 */
export interface KernelRef {
  readonly module: string;
  readonly exportName: string;
}

/**
 * Declares a kernel that can run in a worker, from the declaring module's `import.meta.url`:
 *
 *     export const lutPsumWorker = workerKernel(import.meta.url, './kernels.js', 'lutPsumKernel');
 *
 * Node 20 cannot load TypeScript in worker threads, so when the declaring module runs from its
 * TypeScript sources (tests under vitest), the reference is redirected from `src/` to the
 * compiled `dist/` (built by `npm test` / `npm start` before anything runs).
 */
export function workerKernel(importMetaUrl: string, relativeModule: string, exportName: string): KernelRef {
  const url = new URL(relativeModule, importMetaUrl);
  return { module: compiledModuleUrl(url.href), exportName };
}

const optionalRefs = new Map<string, KernelRef | null>();

/**
 * `workerKernel`, or undefined when the module has no compiled counterpart (a package used from
 * its sources without a build): its kernel then runs on the main thread only. Cached per
 * module and export, since stages build their actors many times per graph.
 */
export function optionalWorkerKernel(importMetaUrl: string, relativeModule: string, exportName: string): KernelRef | undefined {
  const key = `${new URL(relativeModule, importMetaUrl).href}#${exportName}`;
  let ref = optionalRefs.get(key);
  if (ref === undefined) {
    try {
      ref = workerKernel(importMetaUrl, relativeModule, exportName);
    } catch {
      ref = null;
    }
    optionalRefs.set(key, ref);
  }
  return ref ?? undefined;
}

/** Maps `.../src/x.ts` or `.../src/x.js` to `.../dist/x.js` when the source file is not runnable JS. */
export function compiledModuleUrl(href: string): string {
  if (!href.startsWith('file:')) return href;
  const path = fileURLToPath(href);
  if (path.endsWith('.js') && existsSync(path)) return href;
  const m = /^(.*)[/\\]src[/\\](.*)\.(?:ts|js)$/.exec(path);
  if (!m) return href;
  const compiled = `${m[1]}/dist/${m[2]}.js`;
  if (!existsSync(compiled)) {
    throw new Error(`worker kernel module ${path} has no compiled counterpart ${compiled}: run 'npm run build' first`);
  }
  return pathToFileURL(compiled).href;
}
