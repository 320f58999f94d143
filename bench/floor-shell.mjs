// The persistent-shell floor: bare ssh2, one `sh` per host on one session channel, the workload's commands written
// to it one after another (each followed by a marker with its exit status), all hosts in parallel.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Runs `commands` on every host ({ip, keyPath}) through one shell each; resolves with failures counted. */
export async function shellFloorRun(hosts, commands) {
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
          c.on('ready', () =>
            c.exec('exec sh', (err, ch) => {
              if (err) return done(false);
              let buf = '';
              let i = 0;
              const next = () => {
                if (i === commands.length) return done(true);
                ch.write(`{ ${commands[i]}\n} </dev/null; printf '\\nRBFLOOR%d %d\\n' ${i} $?\n`);
              };
              ch.stderr.on('data', () => {});
              ch.on('close', () => done(i === commands.length));
              ch.on('data', (d) => {
                buf += d;
                const m = new RegExp(`\nRBFLOOR${i} (\\d+)\n`).exec(buf);
                if (!m) return;
                if (m[1] !== '0') return done(false);
                buf = buf.slice(m.index + m[0].length);
                i++;
                next();
              });
              next();
            }),
          );
          c.connect({ host: h.ip, port: 22, username: 'root', privateKey: keyOf(h.keyPath), readyTimeout: 60_000, hostVerifier: () => true });
        }),
    ),
  );
  return { failures };
}

// As a script: node bench/floor-shell.mjs <targets.json> <tasks>
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [targets, n] = process.argv.slice(2);
  const hosts = JSON.parse(readFileSync(targets, 'utf8'));
  const cmds = Array.from({ length: Number(n) }, (_, i) => `echo ${i + 1} > /tmp/step${i + 1} && cat /tmp/step${i + 1}`);
  const r = await shellFloorRun(hosts, cmds);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exitCode = r.failures ? 1 : 0;
}
