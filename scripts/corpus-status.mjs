#!/usr/bin/env node
// What runbook makes of the corpus: every playbook ansible-core accepts (test/fixtures/corpus/manifest.json) goes
// through `runbook run PLAYBOOK --syntax-check` (the built bundle), and the summary line is written to
// test/fixtures/corpus/status.txt with one line per playbook below it. Build first: npm run -s build.
// The summary is shared with test/unit/playbook/corpus.test.ts (summarize, reasonOf, galaxyRoles).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS = join(ROOT, 'test/fixtures/corpus');

/** Playbooks ansible-core accepts, relative to the corpus folder. */
export function acceptedPlaybooks() {
  const m = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8'));
  return m.playbooks.filter((p) => p.accepted).map((p) => p.playbook);
}

/** A roles path as Galaxy would have laid it out: geerlingguy.<name> links, then kubespray's roles/. */
export function galaxyRoles() {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-roles-'));
  const prefix = 'geerlingguy__ansible-role-';
  for (const d of readdirSync(CORPUS)) {
    if (d.startsWith(prefix)) symlinkSync(join(CORPUS, d), join(dir, `geerlingguy.${d.slice(prefix.length)}`));
  }
  return [dir, join(CORPUS, 'kubernetes-sigs__kubespray/roles')].join(':');
}

/** The first line of an error with file paths (and their :line:col) taken out, so refusals group by reason. */
export function reasonOf(message) {
  const first = String(message).split('\n')[0].replace(/^error:\s*/, '');
  return first
    .replace(/(?:\/|\.\.?\/)?(?:[\w.@+-]+\/)+[\w.@+-]+(?::\d+(?::\d+)?)?:?\s*/g, '')
    .replace(/\b[\w.-]+\.ya?ml(?::\d+(?::\d+)?)?:?\s*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** results: [{ playbook, ok, message? }] → "corpus: X of Y playbooks load; refusals by reason: …" */
export function summarize(results) {
  const ok = results.filter((r) => r.ok).length;
  const counts = new Map();
  for (const r of results.filter((x) => !x.ok)) {
    const k = reasonOf(r.message ?? '');
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const reasons = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${n}× ${k}`);
  return `corpus: ${ok} of ${results.length} playbooks load; refusals by reason: ${reasons.length ? reasons.join('; ') : 'none'}`;
}

/** The nearest inventory file beside the playbook or above it inside its repository folder. */
export function inventoryFor(rel) {
  const parts = rel.split('/');
  for (let i = parts.length - 1; i >= 1; i--) {
    const dir = join(CORPUS, ...parts.slice(0, i));
    for (const n of ['inventory', 'hosts', 'hosts.ini', 'inventory-ansible']) {
      if (existsSync(join(dir, n))) return join(dir, n);
    }
  }
  return undefined;
}

function main() {
  const cli = join(ROOT, 'dist/bundle/main.cjs');
  if (!existsSync(cli)) {
    console.error('dist/bundle/main.cjs is missing: npm run -s build');
    process.exit(1);
  }
  const roles = galaxyRoles();
  const results = [];
  const lines = [];
  for (const rel of acceptedPlaybooks()) {
    const inv = inventoryFor(rel);
    const args = [cli, 'run', join(CORPUS, rel), ...(inv ? ['-i', inv] : []), '--syntax-check'];
    const r = spawnSync(process.execPath, args, {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, RUNBOOK_ROLES_PATH: roles, NO_COLOR: '1', CI: 'true' },
      timeout: 60_000,
    });
    const ok = r.status === 0;
    const message = ok ? undefined : (r.stderr || r.stdout).trim();
    results.push({ playbook: rel, ok, message });
    const first = (message ?? '').split('\n')[0];
    const shown = ok ? 'ok' : `exit ${r.status}: ${first.replaceAll(`${CORPUS}/`, '').replaceAll(`${roles.split(':')[0]}/`, 'ROLES_PATH/')}`;
    lines.push(`${rel}: ${shown}`);
  }
  const summary = summarize(results);
  writeFileSync(join(CORPUS, 'status.txt'), `${summary}\n\n${lines.join('\n')}\n`);
  console.log(summary);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
