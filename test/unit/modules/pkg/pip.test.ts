import { describe, expect, test } from 'vitest';
import { parseRequirement, pip, versionOk } from '../../../../src/modules/pkg/pip.js';
import { at, ctx, fakeProbe, sectioned, stepsOf } from '../net/fake-probe.js';

const PIP = 'pip 23.0.1 from /usr/lib/python3/dist-packages/pip (python 3.11)';
const list = (pkgs: Record<string, string>) => JSON.stringify(Object.entries(pkgs).map(([name, version]) => ({ name, version })));

const plan = async (args: object, reply: Record<string, string>, check = false) => {
  const probe = fakeProbe([[/./, sectioned(reply)]]);
  const p = await pip.plan(pip.parse(args, at), probe, { ...ctx(), check });
  expect(probe.ran).toHaveLength(1);
  return { p, probe };
};

describe('pip', () => {
  test.each([
    [
      'installed already (names compare as PEP 503 says)',
      { name: ['Requests', 'flask_cors'] },
      { pip: PIP, list: list({ requests: '2.31.0', 'Flask-Cors': '4.0' }) },
      [],
    ],
    ['a specifier met', { name: 'flask>=2' }, { pip: PIP, list: list({ Flask: '2.3.2' }) }, []],
    [
      'a specifier not met: one install of the names that need it',
      { name: ['flask>=3', 'requests'] },
      { pip: PIP, list: list({ Flask: '2.3.2', requests: '2' }) },
      ["python3 -m pip install 'flask>=3'"],
    ],
    [
      'version',
      { name: 'requests', version: '2.31.0' },
      { pip: PIP, list: list({ requests: '2.30.0' }) },
      ['python3 -m pip install requests==2.31.0'],
    ],
    [
      'absent',
      { name: ['requests', 'six'], state: 'absent' },
      { pip: PIP, list: list({ requests: '2' }) },
      ['python3 -m pip uninstall -y requests'],
    ],
    [
      'a missing virtualenv is created, then everything installed in it',
      { name: 'requests', virtualenv: '/opt/app/venv', virtualenv_command: 'python3 -m venv' },
      { venv: 'no', pip: 'sh: 1: /opt/app/venv/bin/pip: not found', list: '' },
      ['python3 -m venv /opt/app/venv', '/opt/app/venv/bin/pip install requests'],
    ],
    [
      'in an existing virtualenv, with extra_args and chdir',
      { name: 'x', virtualenv: '/v', extra_args: '--no-index --find-links /srv/wheels', chdir: '/srv' },
      { venv: 'yes', pip: PIP, list: '[]' },
      ['cd /srv && /v/bin/pip install --no-index --find-links /srv/wheels x'],
    ],
    [
      'latest: the dry run decides',
      { name: 'requests', state: 'latest' },
      { pip: PIP, list: list({ requests: '2.30' }), dry: 'Would install requests-2.31.0\nrc=0' },
      ['python3 -m pip install -U requests'],
    ],
    [
      'latest, nothing newer',
      { name: 'requests', state: 'latest' },
      { pip: PIP, list: list({ requests: '2.31' }), dry: 'Requirement already satisfied: requests\nrc=0' },
      [],
    ],
    [
      'requirements, all satisfied',
      { requirements: '/srv/req.txt' },
      { pip: PIP, list: '[]', dry: 'Requirement already satisfied: a\nrc=0' },
      [],
    ],
    [
      'requirements with work',
      { requirements: 'req.txt', chdir: '/srv' },
      { pip: PIP, list: '[]', dry: 'Would install a-1.0 b-2\nrc=0' },
      ['cd /srv && python3 -m pip install -r req.txt'],
    ],
    [
      'forcereinstall always acts',
      { name: 'x', state: 'forcereinstall' },
      { pip: PIP, list: list({ x: '1' }) },
      ['python3 -m pip install --force-reinstall x'],
    ],
    [
      'a local wheel: its name and version from the file name',
      { name: '/tmp/hello_rb-1.0-py3-none-any.whl' },
      { pip: PIP, list: list({ 'hello-rb': '1.0' }) },
      [],
    ],
  ] as const)('%s', async (_, args, reply, steps) => {
    const { p } = await plan(args, reply);
    expect(p.failed).toBeUndefined();
    expect(stepsOf(p)).toEqual(steps);
    expect(p.changed).toBe(steps.length > 0);
  });

  test('the probe reads pip list --format=json', async () => {
    const { probe } = await plan({ name: 'x', executable: 'pip3' }, { pip: PIP, list: '[]' });
    expect(probe.ran[0]).toBe(
      'echo @@pip; pip3 --version 2>&1 | head -n 1; echo @@list; pip3 list --format=json --disable-pip-version-check 2>/dev/null',
    );
  });

  test('no pip on the host: a clear failure', async () => {
    const { p } = await plan({ name: 'x' }, { pip: '/usr/bin/python3: No module named pip', list: '' });
    expect(p.failed).toBe('pip is not available on the host (python3 -m pip: /usr/bin/python3: No module named pip)');
  });

  test('a failing dry run fails the plan', async () => {
    const { p } = await plan({ requirements: 'r.txt' }, { pip: PIP, list: '[]', dry: 'ERROR: Could not open requirements file\nrc=1' });
    expect(p.failed).toBe('pip install --dry-run failed: ERROR: Could not open requirements file');
  });

  test('result keys and the captured last step', async () => {
    const { p } = await plan({ name: 'x' }, { pip: PIP, list: '[]' });
    expect(p.result).toMatchObject({ name: ['x'], version: null, requirements: null, virtualenv: null, cmd: 'python3 -m pip install x' });
    expect(p.steps?.[0]).toMatchObject({ capture: true });
  });

  test('versions', () => {
    expect(parseRequirement('Flask[async]>=2.0')).toEqual({ name: 'Flask', op: '>=', version: '2.0' });
    expect(versionOk('2.10.1', '>=', '2.9')).toBe(true);
    expect(versionOk('1.4.2', '~=', '1.4')).toBe(true);
    expect(versionOk('2.0', '~=', '1.4')).toBe(false);
    expect(versionOk('1.2.3', '==', '1.2.*')).toBe(true);
  });

  test.each([
    [{ name: 'git+https://github.com/x/y' }, /is a URL/],
    [{ name: ['a', 'b'], version: '1' }, /exactly one name/],
    [{ name: 'a', requirements: 'r' }, /give only one of/],
    [{ name: 'a', umask: '0022' }, /umask is not supported/],
    [{ name: 'a', executable: 'pip3', virtualenv: '/v' }, /give only one of/],
  ])('refused: %j', (args, msg) => {
    expect(() => pip.parse(args, at)).toThrow(msg);
  });
});
