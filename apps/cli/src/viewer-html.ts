import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TraceReport } from '@lut-llm/trace-report';
import { CliError } from './options.js';

/** The built trace viewer's page (apps/trace-viewer/dist/index.html). */
function viewerIndex(): string {
  let file: string;
  try {
    file = createRequire(import.meta.url).resolve('@lut-llm/trace-viewer/index.html');
  } catch {
    file = '';
  }
  if (!file || !existsSync(file)) throw new CliError('the trace viewer is not built (apps/trace-viewer/dist/index.html is missing): run `npm run build`');
  return file;
}

/** Text safe inside a <script> element (no closing tag, no HTML comment openers). */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/**
 * One self-contained HTML page: the built viewer with its script and stylesheet inlined and,
 * when given, the report embedded as JSON (so it opens from disk, file://, with no server), or
 * the live WebSocket path of `lut-llm serve`.
 */
export function viewerHtml(opts: { readonly report?: TraceReport; readonly live?: string } = {}): string {
  const index = viewerIndex();
  const dir = dirname(index);
  let html = readFileSync(index, 'utf8');
  html = html.replace(/<script type="module" crossorigin src="\.\/([^"]+)"><\/script>/, (_m, src: string) => `<script type="module">${scriptSafe(readFileSync(join(dir, src), 'utf8'))}</script>`);
  html = html.replace(/<link rel="stylesheet" crossorigin href="\.\/([^"]+)">/, (_m, href: string) => `<style>${readFileSync(join(dir, href), 'utf8')}</style>`);
  if (/src="\.\/assets\//.test(html) || /href="\.\/assets\//.test(html)) throw new CliError('the built trace viewer has assets this command cannot inline: rebuild it with `npm run build`');
  let head = '';
  // JSON in a script element: '<' escaped as \u003c so the text can never close the element.
  if (opts.report) head += `<script id="lut-llm-report" type="application/json">${JSON.stringify(opts.report).replace(/</g, '\\u003c')}</script>`;
  if (opts.live) head += `<script>window.LUT_LLM_LIVE = ${JSON.stringify(opts.live)};</script>`;
  return html.replace('</head>', `${head}</head>`);
}
