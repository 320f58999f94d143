// become: the command line wrapBecome builds (table), the controller's side of the sudo exchange (BecomeIo,
// scripted), and a real switch to another user through the local connection (sudo on this machine, as root).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TaskError } from '../../../src/errors.js';
import { BecomeIo } from '../../../src/remote/become-io.js';
import { connectLocal } from '../../../src/remote/local.js';
import { type BecomeRequest, wrapBecome } from '../../../src/remote/remote-scripts.js';

const N = 'n0';
const MARK = `RUNBOOK-BECOME-${N}`;
const PROMPT = `RUNBOOK-SUDO-PROMPT-${N}:`;
/** What sudo runs: the marker line first, then the command, in one quoted sh -c word. */
const inner = (cmd: string) => `sh -c 'echo ${MARK}\n${cmd}'`;

describe('wrapBecome', () => {
  const cases: [string, Omit<BecomeRequest, 'nonce'>, string][] = [
    ['no become: the command as written', { become: false, loginUser: 'deploy', password: 'pw' }, 'id -u'],
    ['become: undefined is no become', { loginUser: 'deploy' }, 'id -u'],
    ['root becoming root: nothing to do', { become: true, loginUser: 'root' }, 'id -u'],
    ['root becoming root, named', { become: true, becomeUser: 'root', loginUser: 'root', password: 'pw' }, 'id -u'],
    ['already the become user: nothing to do', { become: true, becomeUser: 'deploy', loginUser: 'deploy', password: 'pw' }, 'id -u'],
    ['no password: sudo -n', { become: true, loginUser: 'deploy' }, `sudo -n -H -- ${inner('id -u')}`],
    [
      'no password, another user: sudo -n -u',
      { become: true, becomeUser: 'postgres', loginUser: 'deploy' },
      `sudo -n -H -u postgres -- ${inner('id -u')}`,
    ],
    [
      'root becoming another user: sudo -n -u, the password is not needed',
      { become: true, becomeUser: 'postgres', loginUser: 'root', password: 'pw' },
      `sudo -n -H -u postgres -- ${inner('id -u')}`,
    ],
    [
      'a password: sudo -k -S, or the password line read off first when sudoers needs none',
      { become: true, loginUser: 'deploy', password: 'pw' },
      `if sudo -k -n -H true 2>/dev/null; then IFS= read -r _; exec sudo -n -H -- ${inner('id -u')}; else exec sudo -k -S -p ${PROMPT} -H -- ${inner('id -u')}; fi`,
    ],
    [
      'a password and another user',
      { become: true, becomeUser: 'www-data', loginUser: 'deploy', password: 'pw' },
      `if sudo -k -n -H -u www-data true 2>/dev/null; then IFS= read -r _; exec sudo -n -H -u www-data -- ${inner('id -u')}; else exec sudo -k -S -p ${PROMPT} -H -u www-data -- ${inner('id -u')}; fi`,
    ],
    [
      'a user name that needs quoting is quoted',
      { become: true, becomeUser: 'a b', loginUser: 'deploy' },
      `sudo -n -H -u 'a b' -- ${inner('id -u')}`,
    ],
    ['an empty become_user means root', { become: true, becomeUser: '', loginUser: 'deploy' }, `sudo -n -H -- ${inner('id -u')}`],
  ];
  for (const [title, req, want] of cases) {
    it(title, () => {
      expect(wrapBecome('id -u', { ...req, nonce: N }).cmd).toBe(want);
    });
  }

  it('quotes the command inside sudo (single quotes survive)', () => {
    expect(wrapBecome("echo 'a b'", { become: true, loginUser: 'deploy', nonce: N }).cmd).toBe(
      `sudo -n -H -- sh -c 'echo ${MARK}\necho '\\''a b'\\'''`,
    );
  });

  it('the password is on stdin only, never in the command; the exchange names both users', () => {
    const w = wrapBecome('id -u', { become: true, becomeUser: 'postgres', loginUser: 'deploy', password: 's3cret pw', nonce: N });
    expect(w.cmd).not.toContain('s3cret');
    expect(w.sudo).toEqual({ marker: MARK, prompt: PROMPT, password: Buffer.from('s3cret pw\n'), login: 'deploy', target: 'postgres' });
    expect(wrapBecome('id -u', { become: true, loginUser: 'deploy', nonce: N }).sudo).toEqual({
      marker: MARK,
      login: 'deploy',
      target: 'root',
    });
    expect(wrapBecome('id -u', { become: true, loginUser: 'root' }).sudo).toBeUndefined();
  });

  it('a fresh marker per command', () => {
    const a = wrapBecome('true', { become: true, loginUser: 'deploy' }).sudo?.marker;
    const b = wrapBecome('true', { become: true, loginUser: 'deploy' }).sudo?.marker;
    expect(a).toMatch(/^RUNBOOK-BECOME-[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
  });
});

/** A BecomeIo on a recording sink. */
function session(req: Omit<BecomeRequest, 'nonce'>, stdin?: string, startTimeoutMs?: number) {
  const writes: string[] = [];
  let ended: string | undefined | null = null;
  const io = new BecomeIo(
    wrapBecome('cat', { ...req, nonce: N }),
    {
      write: (b) => writes.push(b.toString()),
      end: (b) => {
        ended = b === undefined ? undefined : b.toString();
      },
    },
    stdin,
    startTimeoutMs,
  );
  return { io, writes, ended: () => ended };
}

const failure = (fn: () => unknown): TaskError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TaskError);
    return e as TaskError;
  }
  throw new Error('expected a TaskError');
};

describe('BecomeIo', () => {
  const withPw = { become: true, loginUser: 'deploy', password: 'pw' };

  it('without become everything passes through, stdin at once', () => {
    const s = session({ become: false, loginUser: 'deploy' }, 'data');
    s.io.begin();
    expect(s.ended()).toBe('data');
    s.io.stdout(Buffer.from('out'));
    s.io.stderr(Buffer.from('err'));
    expect(s.io.result(3)).toEqual({ code: 3, stdout: Buffer.from('out'), stderr: Buffer.from('err') });
  });

  it('the password first, stdin held back until sudo started the command; marker and prompt stripped', () => {
    const s = session(withPw, 'file content\n');
    s.io.begin();
    expect(s.writes).toEqual(['pw\n']);
    expect(s.ended()).toBeNull();
    s.io.stderr(Buffer.from(PROMPT.slice(0, 5)));
    s.io.stderr(Buffer.from(PROMPT.slice(5)));
    s.io.stdout(Buffer.from(MARK.slice(0, 7)));
    expect(s.ended()).toBeNull();
    s.io.stdout(Buffer.from(`${MARK.slice(7)}\nfile `));
    expect(s.ended()).toBe('file content\n');
    s.io.stdout(Buffer.from('content\n'));
    s.io.stderr(Buffer.from('warning\n'));
    expect(s.io.result(0)).toEqual({ code: 0, stdout: Buffer.from('file content\n'), stderr: Buffer.from('warning\n') });
  });

  it('no stdin: the password, then end at once', () => {
    const s = session(withPw);
    s.io.begin();
    expect(s.writes).toEqual(['pw\n']);
    expect(s.ended()).toBeUndefined();
  });

  it('a second prompt means a wrong password: stdin ends without the data, a clear error', () => {
    const s = session(withPw, 'secret file\n');
    s.io.begin();
    s.io.stderr(Buffer.from(`${PROMPT}Sorry, try again.\n${PROMPT}`));
    expect(s.ended()).toBeUndefined();
    s.io.stderr(Buffer.from('sudo: 1 incorrect password attempt\n'));
    const e = failure(() => s.io.result(1));
    expect(e.message).toBe('become (deploy → root) failed: sudo rejected the become password (incorrect password)');
    expect(e.hint).toMatch(/ansible_become_password/);
  });

  it('sudo -n without a password', () => {
    const s = session({ become: true, becomeUser: 'postgres', loginUser: 'deploy' }, 'x');
    s.io.begin();
    expect(s.ended()).toBe('x');
    s.io.stderr(Buffer.from('sudo: a password is required\n'));
    const e = failure(() => s.io.result(1));
    expect(e.message).toBe('become (deploy → postgres) failed: sudo requires a password for deploy and none was given');
    expect(e.hint).toMatch(/ansible_become_password.*NOPASSWD/);
  });

  it('sudo missing, and a sudoers refusal, are named', () => {
    const a = session({ become: true, loginUser: 'deploy' });
    a.io.stderr(Buffer.from('sh: 1: sudo: not found\n'));
    expect(failure(() => a.io.result(127)).message).toBe('become (deploy → root) failed: sudo is not installed on this host');
    const b = session(withPw);
    b.io.stderr(Buffer.from(`${PROMPT}deploy is not in the sudoers file.\n`));
    expect(failure(() => b.io.result(1)).message).toBe(
      'become (deploy → root) failed: sudoers does not let deploy run commands as root: deploy is not in the sudoers file.',
    );
  });

  it('a command that exits non-zero after sudo started it is not a become failure', () => {
    const s = session(withPw);
    s.io.begin();
    s.io.stdout(Buffer.from(`${MARK}\n`));
    s.io.stderr(Buffer.from('sudo: fake message from the command\n'));
    expect(s.io.result(1)).toEqual({ code: 1, stdout: Buffer.alloc(0), stderr: Buffer.from('sudo: fake message from the command\n') });
  });

  it('sudo that never starts the command (a prompt it does not know) gets EOF after the start timeout', async () => {
    const s = session(withPw, 'data', 50);
    s.io.begin();
    s.io.stderr(Buffer.from('Verification code: '));
    await new Promise((r) => setTimeout(r, 120));
    expect(s.ended()).toBeUndefined();
    s.io.stderr(Buffer.from('\nsudo: no password was provided\n'));
    expect(failure(() => s.io.result(1)).message).toMatch(
      /sudo did not start the command within 0.05s of getting the password: Verification code:; sudo: no password was provided/,
    );
  });
});

// sudo is in setup.sh's packages; root can become anyone without a password.
const canSudo = process.getuid?.() === 0 && spawnSync('sudo', ['-n', 'true']).status === 0;

// Skipped only where this process is not root with a working sudo (CI runs as root with sudo installed).
describe.skipIf(!canSudo)('local connection, as root, with sudo', () => {
  it('become_user really switches from root, and a new file belongs to that user', async () => {
    const c = connectLocal();
    expect((await c.exec('whoami; echo $HOME', { become: true, becomeUser: 'nobody' })).stdout).toBe('nobody\n/nonexistent\n');
    expect((await c.exec('id -u', { become: true })).stdout).toBe('0\n');
    expect((await c.exec('id -u', { become: true, becomeUser: 'root' })).stdout).toBe('0\n');
    const dir = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
    spawnSync('chmod', ['1777', dir]);
    await c.put(`${dir}/f`, Buffer.from('hi\n'), { become: true, becomeUser: 'nobody' });
    expect(spawnSync('stat', ['-c', '%U %a', `${dir}/f`], { encoding: 'utf8' }).stdout).toBe('nobody 644\n');
    expect((await c.readFile(`${dir}/f`, { become: true, becomeUser: 'nobody' }))?.toString()).toBe('hi\n');
    const missing = await c.exec('true', { become: true, becomeUser: 'no-such-user-rb' }).catch((e) => e);
    expect(missing).toBeInstanceOf(TaskError);
    expect(missing.message).toMatch(/^become \(root → no-such-user-rb\) failed: sudo exited with 1: sudo: unknown user no-such-user-rb/);
    spawnSync('rm', ['-rf', dir]);
    await c.close();
  });
});
