// The floor: bare ssh2, one connection per host, the workload's commands in sequence, all hosts in parallel.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Runs `commands` on every host ({ip, keyPath}); resolves with failures counted, never rejects. */
export async function floorRun(hosts, commands) {
  const { Client } = require('ssh2');
  const keys = new Map();
  const keyOf = (p) => keys.get(p) ?? keys.set(p, readFileSync(p)).get(p);
  let failures = 0;
  await Promise.all(
    hosts.map(
      (h) =>
        new Promise((resolve) => {
          const c = new Client();
          const done = (ok) => {
            if (!ok) failures++;
            c.end();
            resolve();
          };
          c.on('error', () => done(false));
          c.on('ready', async () => {
            try {
              for (const cmd of commands) {
                await new Promise((res, rej) =>
                  c.exec(cmd, (err, ch) => {
                    if (err) return rej(err);
                    let code;
                    ch.on('data', () => {});
                    ch.stderr.on('data', () => {});
                    ch.on('exit', (x) => (code = x));
                    ch.on('close', () => (code === 0 ? res() : rej(new Error(`rc ${code}`))));
                  }),
                );
              }
              done(true);
            } catch {
              done(false);
            }
          });
          c.connect({ host: h.ip, port: 22, username: 'root', privateKey: keyOf(h.keyPath), readyTimeout: 60_000, hostVerifier: () => true });
        }),
    ),
  );
  return { failures };
}

// As a script: node bench/floor.mjs <targets.json> <tasks>
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [targets, n] = process.argv.slice(2);
  const hosts = JSON.parse(readFileSync(targets, 'utf8'));
  const cmds = Array.from({ length: Number(n) }, (_, i) => `echo ${i + 1} > /tmp/step${i + 1} && cat /tmp/step${i + 1}`);
  const r = await floorRun(hosts, cmds);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exitCode = r.failures ? 1 : 0;
}
