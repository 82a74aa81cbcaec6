import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandGrid, parseGrid, runSweepLocal, runSweepOnQueue } from '@lut-llm/dse';

/**
 * The BullMQ sweep against a real Redis: Debian's redis-server on loopback, a throw-away port and
 * data directory, stopped after (.ci/run installs redis-server when missing). Without
 * redis-server this spec fails, naming what to install: it never skips.
 */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - t0 > timeoutMs) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

interface Proc {
  readonly child: ChildProcess;
  readonly lines: string[];
}

function start(cmd: string, args: string[], onLine?: (line: string, child: ChildProcess) => void): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      onLine?.(l, child);
    }
  });
  child.stderr!.on('data', () => {});
  return { child, lines };
}

let redis: Proc | undefined;
let dataDir: string;
let url: string;
const workers: Proc[] = [];

beforeAll(async () => {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: this spec needs Debian\'s redis-server (apt-get install redis-server; .ci/run installs it when missing)');
  }
  dataDir = mkdtempSync(join(tmpdir(), 'lut-llm-redis-'));
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redis = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '', '--appendonly', 'no', '--daemonize', 'no']);
  await waitFor('redis-server to accept connections', () => redis!.lines.some((l) => /Ready to accept connections/.test(l)), 10_000);
});

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode !== null || w.child.signalCode !== null ? r(null) : w.child.once('exit', r)))));
  if (redis) {
    redis.child.kill('SIGTERM');
    await new Promise((r) => (redis!.child.exitCode !== null ? r(null) : redis!.child.once('exit', r)));
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('lut-llm sweep --queue (BullMQ, Redis)', () => {
  // 4 x 5 x 2 = 40 points of the tiny model, 2 passes each.
  const grid = parseGrid({ request: { promptTokens: 8, outputTokens: 2, decodeSamples: 2 }, axes: { model: ['tiny'], cA: [16, 32, 48, 64], clockMhz: [200, 210, 220, 230, 240], lutBits: [4, 8] } });
  const points = expandGrid(grid);

  it('two workers share 40 points; one killed mid-point; every point completes once, with the local sweep\'s numbers', async () => {
    expect(points).toHaveLength(40);
    const sweep = runSweepOnQueue(points, { url, pollMs: 100, timeoutMs: 100_000 });
    const args = [MAIN, 'worker', '--queue', url, '--lock-ms', '1500'];
    // Kill worker A (SIGKILL: no clean-up) the moment its 4th "start" line arrives, in the stdout
    // handler itself: it dies mid-point. (Polling for the line let a fast point finish and store
    // its result before the kill on a quiet machine.)
    let started = 0;
    let killedHash = '';
    const a = start(process.execPath, args, (l, child) => {
      if (l.startsWith('start ') && ++started === 4) {
        killedHash = l.slice('start '.length);
        child.kill('SIGKILL');
      }
    });
    const b = start(process.execPath, args);
    workers.push(a, b);
    await waitFor('worker A to start its 4th point', () => killedHash !== '', 60_000);
    const rows = await sweep;
    expect(a.lines).not.toContain(`done ${killedHash}`);
    expect(b.lines).toContain(`done ${killedHash}`); // the stalled point went back to the queue and B did it

    // Exactly once: every point's result stored and reported once by one worker.
    const done = [...a.lines, ...b.lines].filter((l) => l.startsWith('done ')).map((l) => l.slice(5));
    expect(done).toHaveLength(40);
    expect(new Set(done).size).toBe(40);
    // The local sweep re-times 32 of the 40 points (each (c_a, table bits) group differs only in the
    // clock); the queue's workers emulate every point: equal rows check the re-timing too.
    const local = await runSweepLocal(points, { workers: 0 });
    expect(rows).toEqual(local);
    expect(rows.filter((r) => r.status === 'ok')).toHaveLength(40);

    // Queued again: every result is stored already, so nothing is queued and nothing recomputed.
    const again = await runSweepOnQueue(points, { url, pollMs: 100, timeoutMs: 10_000 });
    expect(again).toEqual(local);
    expect(b.lines.filter((l) => l.startsWith('done ')).length).toBe(done.length - a.lines.filter((l) => l.startsWith('done ')).length);
  }, 150_000);
});
