import { describe, expect, it } from 'vitest';
import { command } from '../../../src/modules/command.js';
import { shell } from '../../../src/modules/shell.js';
import { at, fakeCtx, fakeProbe } from './fake-probe.js';

const plan = (mod: typeof command | typeof shell, args: unknown, script: Parameters<typeof fakeProbe>[0] = []) => {
  const probe = fakeProbe(script);
  return { probe, p: mod.plan(mod.parse(args, at) as never, probe, fakeCtx()) };
};

describe('command: steps', () => {
  it.each([
    [{ _raw: 'ls -l /tmp' }, 'ls -l /tmp'],
    [{ _raw: `echo 'a b' "c d"` }, `echo 'a b' 'c d'`],
    [{ _raw: 'echo $HOME > /tmp/x' }, `echo '$HOME' '>' /tmp/x`],
    [{ _raw: 'echo a; rm -rf /' }, `echo 'a;' rm -rf /`],
    [{ _raw: 'FOO=1 env' }, `'FOO=1' env`],
    [{ cmd: 'uptime' }, 'uptime'],
    [{ argv: ['printf', '%s\n', "it's"] }, `printf '%s\n' 'it'\\''s'`],
    [{ _raw: 'make install', chdir: '/src/app' }, 'cd /src/app && make install'],
    [{ _raw: 'ls', chdir: '/my dir' }, `cd '/my dir' && ls`],
  ])('%j → %s', async (args, want) => {
    const { p, probe } = plan(command, args);
    expect(await p).toEqual({ changed: true, steps: [{ kind: 'exec', cmd: want, capture: true }], result: expect.anything() });
    expect(probe.commands).toEqual([]);
  });

  it('stdin gets a newline by default', async () => {
    const r = await plan(command, { _raw: 'cat', stdin: 'hi' }).p;
    expect(r.steps).toEqual([{ kind: 'exec', cmd: 'cat', capture: true, stdin: 'hi\n' }]);
  });
  it('stdin_add_newline: false keeps stdin as is', async () => {
    const r = await plan(command, { _raw: 'cat', stdin: 'hi', stdin_add_newline: 'no' }).p;
    expect(r.steps?.[0]).toMatchObject({ stdin: 'hi' });
  });
});

describe('command: creates / removes', () => {
  it('creates exists → skipped, one probe', async () => {
    const { p, probe } = plan(command, { _raw: 'make', creates: '/opt/done' }, [[/test -e/, 'creates=0\n']]);
    expect(await p).toEqual({ changed: false, skipped: 'creates /opt/done exists' });
    expect(probe.commands).toEqual(['test -e /opt/done; echo "creates=$?"']);
  });
  it('creates missing → runs', async () => {
    const r = await plan(command, { _raw: 'make', creates: '/opt/done' }, [[/test -e/, 'creates=1\n']]).p;
    expect(r.changed).toBe(true);
    expect(r.steps).toHaveLength(1);
  });
  it('removes missing → skipped', async () => {
    const r = await plan(command, { _raw: 'rm /x', removes: '/x' }, [[/test -e/, 'removes=1\n']]).p;
    expect(r).toEqual({ changed: false, skipped: 'removes /x does not exist' });
  });
  it('removes present → runs', async () => {
    const r = await plan(command, { _raw: 'rm /x', removes: '/x' }, [[/test -e/, 'removes=0\n']]).p;
    expect(r.changed).toBe(true);
  });
  it('both guards in one probe; relative paths resolve from chdir', async () => {
    const { p, probe } = plan(command, { _raw: 'x', creates: 'out', removes: '/in', chdir: '/w' }, [[/creates/, 'creates=1\nremoves=0\n']]);
    expect((await p).changed).toBe(true);
    expect(probe.commands).toEqual(['test -e /w/out; echo "creates=$?"; test -e /in; echo "removes=$?"']);
  });
});

describe('command: parse errors', () => {
  it.each([
    [{ _raw: 'ls', chdri: '/x' }, 'unknown argument "chdri" for module "command"'],
    [{}, 'give one of _raw, cmd, argv'],
    [{ _raw: 'ls', argv: ['ls'] }, 'give only one of _raw, argv'],
    [{ _raw: `echo 'open` }, 'cannot split the command: unterminated single quote'],
    [{ _raw: '   ' }, 'the command is empty'],
    [{ argv: { a: 1 } }, 'argument "argv" must be a string or a list of strings'],
    [{ _raw: 'ls', creates: ['a'] }, 'argument "creates" must be a string'],
  ])('%j', (args, msg) => expect(() => command.parse(args, at)).toThrow(msg));
  it('hint for a typo', () => {
    try {
      command.parse({ _raw: 'ls', chdri: '/x' }, at);
    } catch (e) {
      expect((e as { hint?: string }).hint).toBe('did you mean "chdir"?');
      return;
    }
    expect.unreachable();
  });
  it('an unrendered template is not split at load time', () =>
    expect(command.parse({ _raw: `echo {{ "it's" }}` }, at).argv).toEqual([`echo {{ "it's" }}`]));
});

describe('shell', () => {
  it.each([
    [{ _raw: 'echo $HOME | wc -c' }, `/bin/sh -c 'echo $HOME | wc -c'`],
    [{ cmd: 'ls > /tmp/l', chdir: '/srv' }, `cd /srv && /bin/sh -c 'ls > /tmp/l'`],
    [{ _raw: 'echo hi', executable: '/bin/bash' }, `/bin/bash -c 'echo hi'`],
    [{ _raw: "echo 'q'" }, `/bin/sh -c 'echo '\\''q'\\'''`],
  ])('%j → %s', async (args, want) => {
    const r = await plan(shell, args).p;
    expect(r).toEqual({
      changed: true,
      steps: [{ kind: 'exec', cmd: want, capture: true }],
      result: { cmd: (args as { _raw?: string; cmd?: string })._raw ?? (args as { cmd: string }).cmd },
    });
  });
  it('unless exits 0 → skipped', async () => {
    const { p, probe } = plan(shell, { _raw: 'useradd bob', unless: 'id bob' }, [[/unless/, 'unless=0\n']]);
    expect(await p).toEqual({ changed: false, skipped: 'unless command succeeded: id bob' });
    expect(probe.commands).toEqual([`(/bin/sh -c 'id bob') </dev/null >/dev/null 2>&1; echo "unless=$?"`]);
  });
  it('unless exits 1 → runs', async () => {
    const r = await plan(shell, { _raw: 'useradd bob', unless: 'id bob' }, [[/unless/, 'unless=1\n']]).p;
    expect(r.steps?.[0]).toMatchObject({ cmd: `/bin/sh -c 'useradd bob'` });
  });
  it('unless runs in chdir with the executable; all guards in one probe', async () => {
    const { p, probe } = plan(shell, { _raw: 'x', unless: 'test -f y', chdir: '/w', creates: '/c', executable: '/bin/bash' }, [
      [/creates/, 'creates=1\nunless=1\n'],
    ]);
    expect((await p).changed).toBe(true);
    expect(probe.commands).toEqual([
      `test -e /c; echo "creates=$?"; (cd /w && /bin/bash -c 'test -f y') </dev/null >/dev/null 2>&1; echo "unless=$?"`,
    ]);
  });
  it('creates wins over unless', async () => {
    const r = await plan(shell, { _raw: 'x', unless: 'false', creates: '/c' }, [[/creates/, 'creates=0\nunless=1\n']]).p;
    expect(r.skipped).toBe('creates /c exists');
  });
  it.each([
    [{ _raw: 'ls', unles: 'x' }, 'unknown argument "unles" for module "shell"'],
    [{ _raw: '' }, 'the command is empty'],
    [{ argv: ['ls'] }, 'unknown argument "argv"'],
    [{ _raw: 'ls', stdin_add_newline: 'perhaps' }, 'must be a boolean'],
  ])('parse error %j', (args, msg) => expect(() => shell.parse(args, at)).toThrow(msg));
});
