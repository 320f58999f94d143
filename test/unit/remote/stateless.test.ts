// Which command lines may run in the persistent shell itself: a table of lines in and the answer out, then a real sh
// that runs every accepted line and must come out of each as it went in.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quote } from '../../../src/remote/quote.js';
import { singleCommand, stateless } from '../../../src/remote/stateless.js';

const ACCEPTED = [
  'echo 1 > /tmp/rb-step1 && cat /tmp/rb-step1',
  'ls -l /etc | grep -c conf',
  '/usr/bin/env X=1 true',
  `printf '%s\\n' "$HOME" >> /tmp/rb-out`,
  'test -f /tmp/rb-none || true',
  '[ -d /tmp ] && echo yes',
  'systemctl restart docker',
  'grep -q "a b" /etc/hostname; echo $?',
  'cat /nonexistent 2>/dev/null',
  'ls /nonexistent 2>&1 | head -n 1 >&2',
  "ip -j route show | sed -n '1p'",
  'echo a\necho b',
  'echo done;',
  'echo *.conf {a,b} ~ x=1 --opt=2',
  'pwd',
  "echo 'multi\nline'",
  'echo "$1 $? $$ $# $@"',
  'false || echo recovered',
  'echo 1>/tmp/rb-x 2>/tmp/rb-y',
];

const REFUSED = [
  'cd /tmp && ls',
  'export A=1',
  'A=1 ls',
  'A=1',
  'umask 077',
  'exit 3',
  'echo $(id)',
  'echo `id`',
  'echo "$(id)"',
  'echo ${x:=1}',
  'echo ${x?unset}',
  'echo "${x}"',
  'echo $((1+1))',
  '(cd /)',
  '{ echo; }',
  'sleep 1 &',
  'set -e; false',
  '. ./x',
  'source x',
  'eval x',
  'exec 3>/tmp/f',
  "trap 'x' EXIT",
  'read x',
  'unset PATH',
  'alias ls=x',
  'f() { :; }',
  'if true; then echo; fi',
  'for i in 1; do echo; done',
  'while false; do :; done',
  '! false',
  ': > /tmp/x',
  'echo "unterminated',
  "echo 'x",
  'echo foo |',
  '| echo',
  'echo a && && echo b',
  'echo a &&\necho b',
  'cat <<EOF\nx\nEOF',
  'cat <<<x',
  'echo a >| /tmp/x',
  'echo a &> /tmp/x',
  'echo a |& cat',
  'echo \\',
  'echo a # comment',
  'ulimit -n 10',
  'shift',
  'local x',
  'declare x=1',
  'typeset x',
  'let x=1',
  'hash -r',
  'type ls',
  'wait',
  'jobs',
  'kill $$',
  'builtin cd /',
  'command cd /',
  'chdir /',
  '$cmd arg',
  '"ls" -l',
  '~/bin/tool',
  '> /tmp/x echo a',
  '2>/dev/null ls',
  'printf -v x %s 1',
  "printf '-v' x",
  'echo a; ; echo b',
  '',
  '   ',
  'echo a\0b',
  'echo $',
  'time ls',
];

describe('stateless: lines that cannot change the shell', () => {
  it.each(ACCEPTED)('accepted: %j', (line) => expect(stateless(line)).toBe(true));
  it.each(REFUSED)('refused: %j', (line) => expect(stateless(line)).toBe(false));
});

// Which probes the batch may exec in place, with its redirections written in front (probe-batch.ts).
describe('singleCommand: one program with plain words', () => {
  it.each([
    'ip -j route show',
    "LC_ALL=C base64 -w0 -- '/etc/docker/daemon.json'",
    "stat -L -c '%a %U %G %u %g %s/' -- '/etc/a b' /etc/c",
    "grep -x -F -A3 -e 'Package: bridge-utils' -- /var/lib/dpkg/status",
    'sysctl -n net.ipv4.ip_forward',
    '/usr/bin/ovs-vsctl --format=json -- --columns=name list Port',
    "sh -c 'echo a; exit 3'",
    "printf 'multi\nline'",
  ])('yes: %j', (line) => expect(singleCommand(line)).toBe(true));
  it.each([
    'echo a; echo b',
    'a && b',
    'a | b',
    'a &',
    'echo a\necho b',
    'cat x 2>/dev/null',
    'cat <x',
    'echo $HOME',
    'echo "a b"',
    'echo `id`',
    'echo *',
    'echo ~',
    'echo {a,b}',
    'X=1',
    "X='a b' env",
    "'ls' -l",
    'exit 3',
    'cd /',
    'if true',
    '{ ls; }',
    '(ls)',
    '! ls',
    'ls # comment',
    "echo 'open",
    '',
    '   ',
  ])('no: %j', (line) => expect(singleCommand(line)).toBe(false));
});

describe('every accepted line on a real sh leaves it as it was', () => {
  for (const shell of ['dash', 'bash']) {
    // Skipped only on a machine without that shell (Debian has both, so CI runs both): the line must be judged
    // against each sh a host may have, and a missing one cannot be run.
    it.skipIf(spawnSync(shell, ['-c', 'true']).status !== 0)(
      `${shell}: same directory, umask, variables and functions after each, and the shell reads on`,
      () => {
        const dir = mkdtempSync(join(tmpdir(), 'rb-stateless-'));
        try {
          const probe = 'printf "%s|%s|%s\\n" "$(pwd)" "$(umask)" "$(set | wc -l)"';
          const body = ACCEPTED.map((l) => `{ eval ${quote(l)}\n} </dev/null >/dev/null 2>&1; ${probe}`).join('\n');
          const r = spawnSync(shell, ['-c', `cd ${quote(dir)}; ${probe}\n${body}\necho END`], {
            encoding: 'utf8',
            env: { ...process.env, HOME: dir },
          });
          const lines = r.stdout.trim().split('\n');
          expect(lines.at(-1)).toBe('END');
          expect(new Set(lines.slice(0, -1))).toEqual(new Set([lines[0]]));
        } finally {
          rmSync(dir, { recursive: true, force: true });
          spawnSync('sh', ['-c', 'rm -f /tmp/rb-step1 /tmp/rb-out /tmp/rb-x /tmp/rb-y']);
        }
      },
    );
  }
});
