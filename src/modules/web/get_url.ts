// Downloads a URL to a file on the host (the host fetches it); the file is replaced only when the content differs.
import { posix } from 'node:path';
import { quote } from '../../remote/quote.js';
import { fail, mode } from '../args.js';
import { attrFix, type FileStat, parseStat, statScript } from '../fs.js';
import { defineModule, type Plan, type Probe, type Step } from '../types.js';
import { httpScript, NO_CLIENT, parseHttp, responseFilename, transportError } from './http.js';
import { checkUrl, requestOf, TEMP_DIR, URL_ARGS } from './url-args.js';

const ALGORITHMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
const HEX = { md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 } as const;
type Algorithm = (typeof ALGORITHMS)[number];

export interface GetUrlArgs {
  url: string;
  dest: string;
  checksum?: { algorithm: Algorithm; digest: string };
  force: boolean;
  mode?: string;
  owner?: string;
  group?: string;
  tmpDest?: string;
  backup: boolean;
  request: ReturnType<typeof requestOf>;
}

const digestOf = (out: string) => out.trim().split(/\s+/)[0] ?? '';

/** Bookkeeping lines the download probe prints after the HTTP report. */
const FILE_MARK = '@@runbook-file';

function downloadScript(p: GetUrlArgs): string {
  const dir = p.tmpDest ? quote(p.tmpDest) : `"\${TMPDIR:-/tmp}"`;
  const alg = p.checksum?.algorithm ?? 'sha256';
  return [
    TEMP_DIR,
    `f=$(mktemp ${dir}/runbook-get_url.XXXXXX) || { rm -rf "$t"; exit 96; }`,
    // The download is kept only once its path has been printed; any other exit removes it.
    `keep=; trap 'rm -rf "$t"; [ -n "$keep" ] || rm -f "$f"' EXIT`,
    httpScript(p.request, '"$f"'),
    `a=$(sha1sum <"$f") && b=$(sha256sum <"$f") && c=$(${alg}sum <"$f") && n=$(wc -c <"$f") || exit 95`,
    `printf '${FILE_MARK} %s %s %s %s %s\\n' "\${a%% *}" "\${b%% *}" "\${c%% *}" "$n" "$f"`,
    'keep=1',
  ].join('\n');
}

function parseFileLine(stdout: string): { sha1: string; sha256: string; digest: string; size: number; path: string } | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(`${FILE_MARK} `));
  if (!line) return undefined;
  const [sha1, sha256, digest, size, ...path] = line.slice(FILE_MARK.length + 1).split(' ');
  return { sha1, sha256, digest, size: Number(size), path: path.join(' ') };
}

/** dest's facts: the stat line, then (for a regular file) its sha1 and, when a checksum is wanted, that digest. */
async function statDest(probe: Probe, dest: string, alg?: Algorithm): Promise<{ have: FileStat; sha1?: string; digest?: string }> {
  const q = quote(dest);
  const sums = `if [ -f ${q} ]; then sha1sum <${q}; ${alg ? `${alg}sum <${q}` : 'echo'}; else echo; echo; fi`;
  const r = await probe.run(
    `${statScript(dest, { follow: true, hash: true })}; ${statScript(posix.dirname(dest), { follow: true })}; ${sums}`,
  );
  const [st, parent, sha1, digest] = r.stdout.split('\n');
  if (r.code !== 0 || st === undefined) throw new Error(`could not inspect ${dest}: ${r.stderr.trim() || `exit ${r.code}`}`);
  const have = parseStat(st);
  if (have.type === 'absent' && parent !== undefined && parseStat(parent).type !== 'dir')
    return { have: { type: 'other', target: 'no-parent' } };
  return { have, sha1: digestOf(sha1 ?? '') || undefined, digest: digestOf(digest ?? '') || undefined };
}

function keepId(name?: string, id?: string) {
  return name && name !== 'UNKNOWN' ? name : id;
}

/** The step that puts the download in place: a temp name beside dest, final attributes, rename. */
export function installStep(
  tmp: string,
  dest: string,
  have: FileStat,
  p: { mode?: string; owner?: string; group?: string },
  backupName?: string,
): Step {
  const q = quote(dest);
  const m = p.mode ?? have.mode;
  const owner = p.owner ?? (have.type === 'file' ? keepId(have.owner, have.uid) : undefined);
  const group = p.group ?? (have.type === 'file' ? keepId(have.group, have.gid) : undefined);
  const who = owner !== undefined ? `${owner}${group !== undefined ? `:${group}` : ''}` : group !== undefined ? `:${group}` : '';
  const chmod = m ? quote(m) : '"$(printf %04o $((0666 & ~0$(umask))))"';
  const cmds = [
    ...(backupName ? [`cp -p ${q} ${quote(backupName)}`] : []),
    `n=$(mktemp ${quote(`${posix.dirname(dest)}/.${posix.basename(dest)}.runbook.XXXXXX`)})`,
    `cat ${quote(tmp)} >"$n"`,
    `chmod ${chmod} "$n"`,
    ...(who ? [`chown ${quote(who)} "$n"`] : []),
    `mv -f "$n" ${q}`,
  ];
  return { kind: 'exec', cmd: `{ ${cmds.join(' && ')}; } || { rc=$?; rm -f "$n" ${quote(tmp)}; exit $rc; }; rm -f ${quote(tmp)}` };
}

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace('T', '@');

/** Ansible's get_url: force=no keeps an existing dest (unless a given checksum differs); downloads land by rename. */
export const get_url = defineModule({
  name: 'get_url',
  doc: 'Downloads a URL to a file on the host (the host fetches it); the file is replaced only when the content differs.',
  example: 'get_url: {url: "https://example.com/app.tar.gz", dest: /opt/app.tar.gz, checksum: "sha256:{{ app_sha256 }}", mode: "0644"}',
  args: {
    url: { required: true, description: 'http, https, ftp or file URL, fetched by the host (curl, else wget, else python3)' },
    dest: {
      type: 'path',
      required: true,
      description: 'file to write; an existing directory takes the name from Content-Disposition or the URL',
    },
    checksum: {
      default: '',
      description: '"<algorithm>:<hex digest>" (md5, sha1, sha224, sha256, sha384, sha512): the download must match it',
    },
    force: { type: 'bool', default: false, description: 'download even when dest exists, replacing it if the content differs' },
    mode: { type: 'raw', check: mode, description: 'octal mode such as "0644" (quote it in YAML)' },
    owner: { description: 'user that owns the file' },
    group: { description: 'group that owns the file' },
    tmp_dest: { type: 'path', description: 'existing directory on the host for the download before it is renamed into place' },
    backup: { type: 'bool', default: false, description: 'keep a timestamped copy of the replaced file beside it' },
    ...URL_ARGS,
    timeout: { type: 'int', default: 10, description: 'seconds the whole download may take' },
  },
  build(v, a): GetUrlArgs {
    checkUrl(a, v.url);
    let checksum: GetUrlArgs['checksum'];
    const cs: string = v.checksum;
    if (cs !== '' && !cs.includes('{{')) {
      const i = cs.indexOf(':');
      if (i < 0) fail(a, 'The checksum parameter has to be in format <algorithm>:<checksum>');
      const algorithm = cs.slice(0, i).toLowerCase() as Algorithm;
      const rest = cs.slice(i + 1);
      if (!ALGORITHMS.includes(algorithm))
        fail(a, `checksum algorithm ${JSON.stringify(algorithm)} is not one of ${ALGORITHMS.join(', ')}`);
      if (/^[a-z]+:\/\//i.test(rest))
        fail(
          a,
          'a checksum read from a URL ("sha256:https://…/SHA256SUMS") is not supported',
          'give the digest itself: checksum: "sha256:<hex>"',
        );
      const digest = rest.replace(/\W+/g, '').toLowerCase();
      if (!/^[0-9a-f]+$/.test(digest) || digest.length !== HEX[algorithm])
        fail(a, 'The checksum format is invalid', `a ${algorithm} digest is ${HEX[algorithm]} hex digits`);
      checksum = { algorithm, digest };
    }
    return {
      url: v.url,
      dest: v.dest,
      checksum,
      force: v.force,
      mode: v.mode,
      owner: v.owner,
      group: v.group,
      tmpDest: v.tmp_dest,
      backup: v.backup,
      request: requestOf(v, 'GET'),
    };
  },
  atTurn: true,
  async plan(p, probe, ctx) {
    const result: Record<string, unknown> = { dest: p.dest, url: p.url, checksum_dest: null, checksum_src: null, elapsed: 0 };
    const attrs = { mode: p.mode, owner: p.owner, group: p.group };
    const first = await statDest(probe, p.dest, p.checksum?.algorithm);
    if (p.dest.endsWith('/') && first.have.type !== 'dir')
      return { changed: false, failed: `Destination directory ${p.dest} does not exist`, result };
    if (first.have.type === 'other' && first.have.target === 'no-parent')
      return { changed: false, failed: `Destination ${posix.dirname(p.dest)} does not exist`, result };
    if (first.have.type === 'file' && !p.force && (!p.checksum || first.digest === p.checksum.digest)) {
      // Ansible's force=no: an existing file is not fetched again; only its attributes are brought in line.
      const fix = attrFix(p.dest, attrs, first.have);
      const res = {
        ...result,
        checksum_dest: first.sha1,
        msg: fix.cmds.length ? 'file already exists but file attributes changed' : 'file already exists',
      };
      if (!fix.cmds.length) return { changed: false, note: 'file already exists', result: res };
      return { changed: true, steps: [{ kind: 'exec', cmd: fix.cmds.join(' && ') }], note: fix.changes.join(', '), result: res };
    }
    if (first.have.type !== 'file' && first.have.type !== 'dir' && first.have.type !== 'absent')
      return { changed: false, failed: `${p.dest} exists and is not a regular file`, result };

    const r = await probe.run(downloadScript(p));
    if (r.code === 127 && !parseHttp(r.stdout, p.url)) return { changed: false, failed: NO_CLIENT, result };
    const http = parseHttp(r.stdout, p.url);
    const file = parseFileLine(r.stdout);
    if (!http) return { changed: false, failed: `download failed: ${r.stderr.trim() || `exit ${r.code}`}`, result };
    result.elapsed = Math.floor(http.elapsedMs / 1000);
    const drop = async () => {
      if (file) await probe.run(`rm -f ${quote(file.path)}`);
    };
    if (http.status === -1) {
      await drop();
      return { changed: false, failed: transportError(http), result };
    }
    result.status_code = http.status;
    if (http.status !== 200 && !/^(file|ftp):/i.test(p.url)) {
      await drop();
      return { changed: false, failed: 'Request failed', result: { ...result, response: `HTTP Error ${http.status}` } };
    }
    if (!file) return { changed: false, failed: `download failed: ${r.stderr.trim() || 'no file written'}`, result };
    let dest = p.dest;
    let have = first.have;
    let destSha1 = first.sha1;
    if (first.have.type === 'dir') {
      dest = posix.join(p.dest, responseFilename(http.headers, http.url));
      const inner = await statDest(probe, dest);
      have = inner.have;
      destSha1 = inner.sha1;
      result.dest = dest;
    }
    Object.assign(result, { checksum_src: file.sha1, checksum_dest: destSha1 ?? null, msg: `OK (${file.size} bytes)`, size: file.size });
    if (p.checksum && file.digest !== p.checksum.digest) {
      await drop();
      return { changed: false, failed: `The checksum for ${dest} did not match ${p.checksum.digest}; it was ${file.digest}.`, result };
    }
    if (have.type !== 'file' && have.type !== 'absent') {
      await drop();
      return { changed: false, failed: `${dest} exists and is not a regular file`, result };
    }
    const same = have.type === 'file' && have.sha256 === file.sha256;
    if (same || ctx.check) await drop();
    if (same) {
      const fix = attrFix(dest, attrs, have);
      if (!fix.cmds.length) return { changed: false, note: 'content unchanged', result };
      return { changed: true, steps: [{ kind: 'exec', cmd: fix.cmds.join(' && ') }], note: fix.changes.join(', '), result };
    }
    const backupName = p.backup && have.type === 'file' ? `${dest}.${stamp(new Date())}~` : undefined;
    if (backupName) result.backup_file = backupName;
    const plan: Plan = {
      changed: true,
      steps: [installStep(file.path, dest, have, attrs, backupName)],
      note: have.type === 'absent' ? `downloaded (${file.size} bytes)` : `content changed (${file.size} bytes)`,
      result,
    };
    return plan;
  },
});
