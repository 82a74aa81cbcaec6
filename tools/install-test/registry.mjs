// A throw-away Verdaccio registry for the install test, run as a child process (so the test's own
// event loop stays free for the npm child processes that talk to it). argv[2] = a scratch folder
// for storage and users. No uplinks: nothing is fetched from the internet; the test publishes every
// package that an install needs. Listens on 127.0.0.1, port chosen by the OS, and reports it to the
// parent over IPC; exits when the parent goes away, so a killed test run leaves no server behind.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runServer } from 'verdaccio';

const dir = process.argv[2];
if (!dir) throw new Error('registry.mjs: give the scratch folder as the first argument');
mkdirSync(join(dir, 'storage'), { recursive: true });
process.on('disconnect', () => process.exit(0));

const app = await runServer({
  self_path: dir,
  storage: join(dir, 'storage'),
  auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 10 } },
  uplinks: {},
  packages: { '**': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' } },
  publish: { allow_offline: true },
  web: { enable: false },
  max_body_size: '200mb',
  log: { type: 'stdout', format: 'pretty', level: 'error' },
});
app.listen(0, '127.0.0.1', () => process.send?.({ port: app.address().port }));
