// Rerun what failed: every `run` records its failed and unreachable hosts; `--rerun failed` selects them again and
// `--limit @file` reads Ansible-style retry files (one host per line).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { Recap } from '../executor/events.js';

/** $XDG_STATE_HOME/runbook/runs (default ~/.local/state/runbook/runs): one JSON record per playbook. */
export function recordDir(): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'runbook', 'runs');
}

export function recordPath(playbook: string): string {
  const abs = resolve(playbook);
  return join(recordDir(), `${createHash('sha256').update(abs).digest('hex').slice(0, 16)}.json`);
}

export interface RunRecord {
  playbook: string;
  finished: string;
  exitCode: number;
  failed: string[];
  unreachable: string[];
}

/** Written after every run (temp file + rename); best effort: a read-only home must not fail the run. */
export function recordRun(playbook: string, recap: Recap, exitCode: number): void {
  const hosts = Object.keys(recap).sort();
  const rec: RunRecord = {
    playbook: resolve(playbook),
    finished: new Date().toISOString(),
    exitCode,
    failed: hosts.filter((h) => recap[h].failed),
    unreachable: hosts.filter((h) => !recap[h].failed && recap[h].unreachable),
  };
  try {
    const path = recordPath(playbook);
    mkdirSync(recordDir(), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(rec, null, 2)}\n`);
    renameSync(tmp, path);
  } catch {
    // The record is a convenience; the run's own result stands.
  }
}

/** The hosts `--rerun failed` selects: the last run's failed and unreachable ones. */
export function rerunHosts(playbook: string): string[] {
  const path = recordPath(playbook);
  let rec: RunRecord;
  try {
    rec = JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
  } catch {
    throw new UsageError(`--rerun failed: no record of an earlier run of ${playbook}`, {
      hint: `run it once first (records are kept in ${recordDir()}); or name hosts with --limit`,
    });
  }
  return [...rec.failed, ...rec.unreachable];
}

/** `--limit @hosts.retry`: one host per line (blank lines and # comments skipped), as Ansible's retry files. */
export function limitPattern(limit: string | undefined): string | undefined {
  if (!limit?.startsWith('@')) return limit;
  const file = limit.slice(1);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--limit ${limit}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      hint: 'give a file with one host name per line, e.g. --limit @site.retry',
    });
  }
  const hosts = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (!hosts.length) throw new UsageError(`--limit ${limit}: ${file} names no host`, { hint: 'one host name per line' });
  return hosts.join(',');
}
