import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { validateLiveConfig } from './live-config.js';
import { CliError, intAtLeast } from './options.js';
import type { CliIo } from './progress.js';
import { viewerHtml } from './viewer-html.js';

export const SERVE_DEFAULTS = { host: '127.0.0.1', port: 8765, snapshotEvery: 100_000 } as const;

/** The compiled worker (from src/ in tests and dist/ when installed, both resolve to dist/). */
const WORKER_URL = new URL('../dist/serve-worker.js', import.meta.url);

export interface LiveServer {
  /** The page's address (http://host:port/). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `lut-llm serve`: the trace viewer at `/` and a WebSocket at `/live`. A page sends
 * `{type: 'run', config}`; a configuration that fails validation gets `{type: 'error'}` naming
 * every bad field; a valid one runs in a worker thread, whose aggregates (start, snapshots,
 * finished passes, done) are forwarded as they come. Closing the socket stops its run.
 */
export async function startServer(opts: { host?: string; port?: number; snapshotEvery?: number } = {}): Promise<LiveServer> {
  // Loaded here, not with the CLI: fastify costs ~50 ms of CPU that every other command would pay.
  const [{ default: Fastify }, { default: websocket }] = await Promise.all([import('fastify'), import('@fastify/websocket')]);
  const page = viewerHtml({ live: '/live' });
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const workers = new Set<Worker>();
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  app.addHook('onClose', async () => {
    await Promise.all([...workers].map((w) => w.terminate()));
  });
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/live', { websocket: true }, (socket) => {
    let worker: Worker | null = null;
    const send = (m: string) => {
      if (socket.readyState === socket.OPEN) socket.send(m);
    };
    const refuse = (message: string) => send(JSON.stringify({ type: 'error', message }));
    socket.on('message', (raw: Buffer) => {
      let msg: { type?: unknown; config?: unknown };
      try {
        msg = JSON.parse(raw.toString('utf8')) as typeof msg;
      } catch {
        refuse('the message is not JSON');
        return;
      }
      if (msg.type !== 'run') return refuse(`unknown message type ${JSON.stringify(msg.type)}; expected "run"`);
      if (worker) return refuse('a run is already in progress on this connection');
      let request;
      try {
        request = validateLiveConfig(msg.config);
      } catch (e) {
        return refuse((e as Error).message);
      }
      const w = new Worker(WORKER_URL, { workerData: { request, snapshotEvery: opts.snapshotEvery ?? SERVE_DEFAULTS.snapshotEvery } });
      worker = w;
      workers.add(w);
      w.on('message', (m: string) => send(m));
      w.on('error', (e) => refuse(`the run failed: ${e.message}`));
      w.on('exit', () => {
        workers.delete(w);
        worker = null;
      });
    });
    socket.on('close', () => void worker?.terminate());
  });
  await app.listen({ host: opts.host ?? SERVE_DEFAULTS.host, port: opts.port ?? SERVE_DEFAULTS.port });
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    close: async () => {
      // An open page keeps its socket: end them so closing never waits on a browser.
      for (const client of app.websocketServer.clients) client.terminate();
      await app.close();
    },
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Adds `lut-llm serve` to the program. */
export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('serve the trace viewer with live runs: the page runs a configuration and watches its stalls and bottlenecks as the run advances (WebSocket)')
    .option('--host <address>', 'address to bind (loopback by default; anything else exposes the server to the network)', SERVE_DEFAULTS.host)
    .option('--port <n>', 'TCP port (0: any free port)', intAtLeast('--port', 0), SERVE_DEFAULTS.port)
    .action(async (o: { host: string; port: number }) => {
      if (o.port > 65535) throw new CliError(`--port must be at most 65535, got ${o.port}`);
      if (!LOOPBACK.has(o.host)) io.err(`lut-llm serve: binding ${o.host}, not loopback: anyone who can reach this address can start runs`);
      let server: LiveServer;
      try {
        server = await startServer({ host: o.host, port: o.port });
      } catch (e) {
        throw new CliError(`serve: cannot listen on ${o.host}:${o.port}: ${(e as Error).message}`);
      }
      io.out(`lut-llm serve: open ${server.url} (Ctrl-C stops)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
