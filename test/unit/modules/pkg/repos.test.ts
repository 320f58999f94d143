import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { aptRepository, parseSourceLine, suggestFilename } from '../../../../src/modules/pkg/apt-repository.js';
import { deb822Repository, renderSources, slugOf } from '../../../../src/modules/pkg/deb822-repository.js';
import { parseFiles, readFilesScript } from '../../../../src/modules/pkg/repo-files.js';
import { parseIni, writeIni, yumRepository } from '../../../../src/modules/pkg/yum-repository.js';
import type { Plan } from '../../../../src/modules/types.js';
import { at, ctx, fakeProbe, statDir, statFile, stepsOf } from '../net/fake-probe.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const files = (f: Record<string, string>) =>
  Object.entries(f)
    .map(([p, t]) => `@@@file ${p}\n${t}\n`)
    .join('');
const uploaded = (p: Plan) =>
  (p.steps ?? []).filter((s) => s.kind === 'upload').map((s) => (s.kind === 'upload' ? [s.dest, s.content.toString(), s.mode] : []));

describe('apt_repository', () => {
  test.each([
    ['deb http://dl.google.com/linux/chrome/deb/ stable main', undefined, 'dl_google_com_linux_chrome_deb.list'],
    [
      'deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable',
      undefined,
      'download_docker_com_linux_debian.list',
    ],
    ['deb https://user:pw@repo.example.com/apt ./', undefined, 'repo_example_com_apt.list'],
    ['deb http://x/ y', 'google-chrome', 'google-chrome.list'],
  ])('file name of %s', (repo, filename, want) => {
    expect(suggestFilename(repo, filename)).toBe(want);
  });

  test('parse a sources line as Ansible does', () => {
    expect(parseSourceLine('# deb  http://a   b c # mine')).toEqual({
      valid: true,
      enabled: false,
      source: 'deb http://a b c',
      comment: 'mine',
    });
    expect(parseSourceLine('## just a comment').valid).toBe(false);
  });

  const repo = 'deb [trusted=yes] file:/srv/repo ./';
  const dest = '/etc/apt/sources.list.d/file_srv_repo.list'; // file: has no //, so Ansible keeps "file" in the name
  const plan = async (args: object, have: Record<string, string>, stat = ['absent', statDir]) => {
    const probe = fakeProbe([
      [/^for f in/, files(have)],
      [/^if \[/, `${stat.join('\n')}\n`],
    ]);
    return apt.plan(apt.parse({ repo, ...args }, at), probe, ctx());
  };
  const apt = aptRepository;

  test('present: a new file, mode 0644, then apt-get update', async () => {
    const p = await plan({}, { '/etc/apt/sources.list': 'deb http://deb.debian.org/debian bookworm main\n' });
    expect(uploaded(p)).toEqual([[dest, `${repo}\n`, '0644']]);
    expect(stepsOf(p)[1]).toMatch(/apt-get update -q/);
    expect(p.result).toMatchObject({ sources_added: [dest] });
  });

  test('present already (blanks differ): nothing to do, one round trip', async () => {
    const p = await plan({}, { '/etc/apt/sources.list.d/other.list': 'deb  [trusted=yes]   file:/srv/repo ./\n' });
    expect(p.changed).toBe(false);
  });

  test('a commented line is enabled where it is', async () => {
    const have = '# deb [trusted=yes] file:/srv/repo ./\ndeb http://x y z\n';
    const p = await plan({ update_cache: false }, { '/etc/apt/sources.list.d/mine.list': have }, [statFile('644', sha(have)), statDir]);
    expect(uploaded(p)).toEqual([['/etc/apt/sources.list.d/mine.list', `${repo}\ndeb http://x y z\n`, '0644']]);
  });

  test('absent: removed from every file; a file left empty is deleted', async () => {
    const p = await plan({ state: 'absent', update_cache: false }, { [dest]: `${repo}\n` });
    expect(stepsOf(p)).toEqual([`rm -f -- ${dest}`]);
    const none = await plan({ state: 'absent' }, { '/etc/apt/sources.list': 'deb http://a b c\n' });
    expect(none.changed).toBe(false);
  });

  test('refused', () => {
    expect(() => apt.parse({ repo: 'ppa:deadsnakes/ppa' }, at)).toThrow(/Launchpad/);
    expect(() => apt.parse({ repo: 'http://x y' }, at)).toThrow(/not a sources line/);
    expect(() => apt.parse({ repo, filename: 'a/b' }, at)).toThrow(/plain name/);
  });

  test('the file reader keeps each file exactly', () => {
    expect(readFilesScript(['/a', '/b/*.list'])).toBe(
      `for f in /a /b/*.list; do [ -f "$f" ] || continue; printf '@@@file %s\\n' "$f"; cat "$f"; echo; done`,
    );
    expect([...parseFiles('@@@file /a\nx\n\n@@@file /b\ny\n')]).toEqual([
      ['/a', 'x\n'],
      ['/b', 'y'],
    ]);
  });
});

describe('deb822_repository', () => {
  const args = {
    name: 'Docker CE',
    uris: 'https://download.docker.com/linux/debian',
    suites: 'bookworm',
    components: 'stable',
    signed_by: '/etc/apt/keyrings/docker.asc',
    architectures: ['amd64', 'arm64'],
  };
  const text =
    'Architectures: amd64 arm64\nComponents: stable\nX-Repolib-Name: Docker CE\nSigned-By: /etc/apt/keyrings/docker.asc\nSuites: bookworm\nTypes: deb\nURIs: https://download.docker.com/linux/debian\n';

  test('fields sorted by argument name, as Ansible writes them; the slug names the file', async () => {
    expect(slugOf('Docker CE_stable')).toBe('docker-ce-stable');
    const probe = fakeProbe([[/^if \[ -e \/etc\/apt\/sources.list.d\/docker-ce.sources \]/, `absent\n${statDir}\n`]]);
    const p = await deb822Repository.plan(deb822Repository.parse(args, at), probe, ctx());
    expect(uploaded(p)).toEqual([['/etc/apt/sources.list.d/docker-ce.sources', text, '0644']]);
    expect(p.result).toMatchObject({ dest: '/etc/apt/sources.list.d/docker-ce.sources', repo: text });
  });

  test('unchanged file: nothing to do', async () => {
    const probe = fakeProbe([[/^if \[/, `${statFile('644', sha(text))}\n${statDir}\n`]]);
    const p = await deb822Repository.plan(deb822Repository.parse(args, at), probe, ctx());
    expect(p.changed).toBe(false);
  });

  test('an inline key is folded into continuation lines, blank lines as "."; booleans yes/no', () => {
    expect(renderSources({ signed_by: '-----BEGIN X-----\n\nabc\n-----END X-----', enabled: false, types: ['deb', 'deb-src'] })).toBe(
      'Enabled: no\nSigned-By:\n    -----BEGIN X-----\n    .\n    abc\n    -----END X-----\nTypes: deb deb-src\n',
    );
  });

  test('absent removes the file and the key files of the slug', async () => {
    const probe = fakeProbe([[/^if \[/, `${statFile()}\nabsent\n${statFile()}\n`]]);
    const p = await deb822Repository.plan(deb822Repository.parse({ name: 'docker', state: 'absent' }, at), probe, ctx());
    expect(stepsOf(p)).toEqual(['rm -f -- /etc/apt/sources.list.d/docker.sources /etc/apt/keyrings/docker.gpg']);
  });

  test('refused', () => {
    expect(() => deb822Repository.parse({ ...args, signed_by: 'https://x/key.gpg' }, at)).toThrow(/URL/);
    expect(() => deb822Repository.parse({ name: 'x', uris: 'http://a' }, at)).toThrow(/missing required argument "suites"/);
    expect(() => deb822Repository.parse({ ...args, types: 'rpm' }, at)).toThrow(/deb or deb-src/);
    expect(() => deb822Repository.parse({ ...args, components: undefined }, at)).toThrow(/components are required/);
  });
});

describe('yum_repository', () => {
  const epel = {
    name: 'epel',
    description: 'EPEL YUM repo',
    baseurl: ['https://a/$basearch/', 'https://b/'],
    gpgcheck: true,
    enabled: false,
    exclude: ['kernel*', 'foo'],
  };
  const want =
    '[epel]\nbaseurl = https://a/$basearch/\n\thttps://b/\nenabled = 0\nexclude = kernel* foo\ngpgcheck = 1\nname = EPEL YUM repo\n\n';
  const plan = async (args: object, old: string | null, stat: string) => {
    const probe = fakeProbe([[/^if \[/, `${stat}\n${statDir}\n`]], { '/etc/yum.repos.d/epel.repo': old, '/etc/yum.repos.d/all.repo': old });
    return yumRepository.plan(yumRepository.parse(args, at), probe, ctx());
  };

  test('the ini Ansible writes: sorted keys, 1/0, baseurl continuation with a tab, a blank line after the section', async () => {
    const p = await plan(epel, null, 'absent');
    expect(uploaded(p)).toEqual([['/etc/yum.repos.d/epel.repo', want, undefined]]);
  });

  test('same section already: no change, file bytes left alone', async () => {
    const old = `# managed\n${want}`;
    const p = await plan(epel, old, statFile('644', sha(old)));
    expect(p.changed).toBe(false);
  });

  test('other sections are kept; a changed one moves to the end; absent deletes the file with its last section', async () => {
    const other = '[base]\nname = Base\nbaseurl = http://b\n\n';
    const p = await plan({ ...epel, file: 'all' }, `[epel]\nname = old\nbaseurl = x\n\n${other}`, statFile('644', sha('x')));
    expect(uploaded(p)[0]?.[1]).toBe(`[base]\nname = Base\nbaseurl = http://b\n\n${want}`);
    const gone = await plan({ name: 'epel', state: 'absent' }, want, statFile());
    expect(stepsOf(gone)).toEqual(['rm -f -- /etc/yum.repos.d/epel.repo']);
  });

  test('ini round trip', () => {
    const ini = parseIni('[a]\nKey = v\n  more\n; c\n[b]\nx: 1\n');
    expect(writeIni(ini)).toBe('[a]\nkey = v\n\tmore\n\n[b]\nx = 1\n\n');
  });

  test('refused as Ansible refuses', () => {
    expect(() => yumRepository.parse({ name: 'x', description: 'd' }, at)).toThrow(/'baseurl', 'metalink' or 'mirrorlist' is required/);
    expect(() => yumRepository.parse({ name: 'x', baseurl: 'http://a' }, at)).toThrow(/'description' is required/);
    expect(yumRepository.parse({ name: 'x', state: 'absent' }, at)).toMatchObject({ dest: '/etc/yum.repos.d/x.repo' });
  });

  test('missing reposdir fails', async () => {
    const probe = fakeProbe([[/^if \[/, 'absent\nabsent\n']]);
    const p = await yumRepository.plan(yumRepository.parse(epel, at), probe, ctx());
    expect(p.failed).toBe("Repo directory '/etc/yum.repos.d' does not exist.");
  });
});
