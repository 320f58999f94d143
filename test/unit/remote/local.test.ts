import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskError } from '../../../src/errors.js';
import { connectLocal } from '../../../src/remote/local.js';
import { putScript, wrapBecome } from '../../../src/remote/remote-scripts.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-local-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('connectLocal', () => {
  const conn = connectLocal();

  it('returns code, stdout and stderr', async () => {
    expect(await conn.exec('echo out; echo err >&2; exit 3')).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('feeds stdin and closes it', async () => {
    expect((await conn.exec('cat; echo done', { stdin: 'hello\n' })).stdout).toBe('hello\ndone\n');
    expect((await conn.exec('cat; echo eof')).stdout).toBe('eof\n');
  });

  it('times out, killing the whole process group', async () => {
    const t0 = Date.now();
    const err = await conn.exec('sleep 30 | cat', { timeout: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect(err.message).toBe('command timed out after 1s');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('put writes atomically with the given mode and leaves no temp file', async () => {
    const dest = join(dir, 'a.conf');
    await conn.put(dest, Buffer.from('one\n'), { mode: '0640' });
    expect(readFileSync(dest, 'utf8')).toBe('one\n');
    expect(statSync(dest).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((f) => f.startsWith('.runbook-tmp'))).toEqual([]);
  });

  it('put keeps the mode of the file it replaces, defaults to 0644', async () => {
    const dest = join(dir, 'b.sh');
    writeFileSync(dest, 'old', { mode: 0o750 });
    await conn.put(dest, Buffer.from('new'));
    expect(statSync(dest).mode & 0o777).toBe(0o750);
    await conn.put(join(dir, 'c'), Buffer.from('x'));
    expect(statSync(join(dir, 'c')).mode & 0o777).toBe(0o644);
  });

  it('put sets owner and group in its own command; a bad owner leaves dest as it was', async () => {
    const dest = join(dir, 'owned');
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    await conn.put(dest, Buffer.from('one\n'), { owner: String(uid), group: String(gid) });
    expect(statSync(dest)).toMatchObject({ uid, gid });
    const err = await conn.put(dest, Buffer.from('two\n'), { owner: 'no-such-user-rb' }).catch((e) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect(err.message).toMatch(
      /^cannot write .*owned: chown: .*no-such-user-rb[\s\S]*\nchown no-such-user-rb failed: .*owned left as it was$/,
    );
    expect(readFileSync(dest, 'utf8')).toBe('one\n');
    expect(readdirSync(dir).filter((f) => f.startsWith('.runbook-tmp'))).toEqual([]);
  });

  it("put with owner and group sets exactly those, not the replaced file's owner first", () => {
    const keep = /stat -c '[^']*%u:%g'/;
    expect(putScript('/etc/x', undefined, 1, 'root:adm')).not.toMatch(keep);
    expect(putScript('/etc/x', undefined, 1, 'root:adm')).toContain('chown root:adm "$t"');
    // Only an owner: the group stays the replaced file's, so the old owner:group goes on first.
    expect(putScript('/etc/x', undefined, 1, 'app')).toMatch(keep);
    expect(putScript('/etc/x', undefined, 1)).not.toContain('chown app');
  });

  it('put replaces by rename: a reader holding the old inode still sees old content', async () => {
    const dest = join(dir, 'd');
    writeFileSync(dest, 'old');
    const inode = statSync(dest).ino;
    await conn.put(dest, Buffer.from('new'));
    expect(statSync(dest).ino).not.toBe(inode);
  });

  it('put removes stale temp files but not fresh ones', async () => {
    const sub = join(dir, 'stale');
    mkdirSync(sub);
    writeFileSync(join(sub, '.runbook-tmp.old111'), 'x');
    writeFileSync(join(sub, '.runbook-tmp.new222'), 'x');
    const old = new Date(Date.now() - 11 * 60_000);
    utimesSync(join(sub, '.runbook-tmp.old111'), old, old);
    await conn.put(join(sub, 'f'), Buffer.from('y'));
    expect(readdirSync(sub).sort()).toEqual(['.runbook-tmp.new222', 'f']);
  });

  it('put refuses a temp name planted in its place (a symlink to another file), as mktemp would', async () => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep');
    const dest = join(dir, 'planted');
    // Same shell, so the same $$ in the temp's name: the link sits exactly where the upload would write.
    const plant = `ln -s ${victim} ${dir}/.runbook-tmp.$$.fixed\n`;
    const r = await conn.exec(plant + putScript(dest, '0644', 3, undefined, 'fixed'), { stdin: 'new' });
    expect(r.code).not.toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('keep');
    expect(readdirSync(dir)).not.toContain('planted');
  });

  it('put into a missing directory fails as a TaskError and leaves nothing', async () => {
    await expect(conn.put(join(dir, 'nope', 'f'), Buffer.from('x'))).rejects.toThrow(TaskError);
  });

  // chmod and chown are stand-ins that log and then run the real ones: which ran is what the host paid for.
  const putLogged = (dest: string, content: string, mode?: string, prep = '') => {
    const bin = mkdtempSync(join(tmpdir(), 'rb-put-shim-'));
    for (const tool of ['chmod', 'chown'])
      writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${bin}/log\nexec /bin/${tool} "$@"\n`, { mode: 0o755 });
    writeFileSync(join(bin, 'log'), '');
    const r = spawnSync('sh', ['-c', `${prep}\n${putScript(dest, mode, content.length)}`], {
      input: content,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });
    const ran = readFileSync(join(bin, 'log'), 'utf8');
    rmSync(bin, { recursive: true });
    return {
      code: r.status,
      stderr: r.stderr,
      ran: ran
        .replace(/\S*\.runbook-tmp\S*/g, 'TMP')
        .trim()
        .split('\n')
        .filter(Boolean),
    };
  };

  it.each([
    ['0644', 0o644, []],
    ['0600', 0o600, []],
    ['444', 0o444, []],
    ['0755', 0o755, ['chmod 0755 TMP']],
    ['2644', 0o2644, ['chmod 2644 TMP']],
  ])('put with mode %s: the file has exactly it; chmod runs only for execute or special bits', (mode, want, ran) => {
    const dest = join(dir, `mode-${mode}`);
    // whatever umask the shell had before, the temp is made with the mode's own
    expect(putLogged(dest, 'x\n', mode, 'umask 000')).toEqual({ code: 0, stderr: '', ran });
    expect(statSync(dest).mode & 0o7777).toBe(want);
    expect(readFileSync(dest, 'utf8')).toBe('x\n');
  });

  it.each([
    ['a new file', undefined, 0o644, []],
    ['a 0600 file', 0o600, 0o600, []],
    ['a 0755 file', 0o755, 0o755, ['chmod 755 TMP']],
  ])('put with no mode over %s: the mode kept (0644 for a new one), chmod only for execute bits', (name, had, want, ran) => {
    const dest = join(dir, `keep-${name.replace(/ /g, '-')}`);
    if (had !== undefined) writeFileSync(dest, 'old', { mode: had });
    expect(putLogged(dest, 'y\n', undefined, 'umask 000')).toEqual({ code: 0, stderr: '', ran });
    expect(statSync(dest).mode & 0o7777).toBe(want);
  });

  it("put over a file of this user's own: no chown", () => {
    const mine = join(dir, 'own-mine');
    writeFileSync(mine, 'old');
    expect(putLogged(mine, 'new\n', '0644').ran).toEqual([]);
    expect(readFileSync(mine, 'utf8')).toBe('new\n');
  });

  // Skipped only when not root: giving a file to another owner needs root. CI runs as root.
  it.skipIf(process.getuid?.() !== 0)("put over another owner's file (root replacing it): that owner kept, by one chown", () => {
    const theirs = join(dir, 'own-theirs');
    writeFileSync(theirs, 'old');
    chownSync(theirs, 1, 1);
    expect(putLogged(theirs, 'new\n', '0644').ran).toEqual(['chown 1:1 TMP']);
    expect([statSync(theirs).uid, statSync(theirs).gid]).toEqual([1, 1]);
  });

  it('put refuses a non-octal mode', async () => {
    await expect(conn.put(join(dir, 'e'), Buffer.from('x'), { mode: 'u+x; rm -rf /' })).rejects.toThrow(/invalid file mode/);
  });

  it('readFile: bytes, null when absent, TaskError otherwise', async () => {
    const bin = Buffer.from([0, 255, 10, 128, 1]);
    writeFileSync(join(dir, 'bin'), bin);
    expect(await conn.readFile(join(dir, 'bin'))).toEqual(bin);
    expect(await conn.readFile(join(dir, 'missing'))).toBeNull();
    expect(await conn.readFile(join(dir, 'bin', 'under-a-file'))).toBeNull();
    await expect(conn.readFile(dir)).rejects.toThrow(TaskError);
  });

  // As another user become is a real sudo (a password, or a sudoers entry): npm run coverage runs as any user.
  it.skipIf(process.getuid?.() !== 0)('become as root runs the command as-is', async () => {
    expect((await conn.exec('id -u', { become: true })).stdout.trim()).toBe(String(process.getuid?.()));
  });
});

describe('wrapBecome', () => {
  // The full table is in become.test.ts.
  it('sudo -n for no password; the password only ever goes to stdin', () => {
    expect(wrapBecome("echo 'x'", { become: true, loginUser: 'deploy', nonce: 'n' }).cmd).toBe(
      `sudo -n -H -- sh -c 'echo RUNBOOK-BECOME-n\necho '\\''x'\\'''`,
    );
    const w = wrapBecome('id', { become: true, loginUser: 'deploy', password: 'pw-secret' });
    expect(w.cmd).not.toContain('pw-secret');
    expect(w.cmd).toContain('sudo -k -S -p RUNBOOK-SUDO-PROMPT-');
    expect(w.sudo?.password?.toString()).toBe('pw-secret\n');
    expect(wrapBecome('id', { become: true, loginUser: 'root', password: 'pw' }).cmd).toBe('id');
    expect(wrapBecome('id', { become: false, loginUser: 'deploy', password: 'pw' })).toEqual({ cmd: 'id' });
  });

  it('quotes the destination in the upload script', () => {
    expect(putScript("/tmp/it's here")).toContain(`f='/tmp/it'\\''s here'`);
  });
});
