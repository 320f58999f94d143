// Playbooks written to a fresh temp dir, so each case is one readable string beside its assertions.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { PlaybookError, RunbookError } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import type { Playbook } from '../../../src/playbook/types.js';

export function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-pb-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export function loadText(text: string, extra: Record<string, string> = {}): Playbook {
  const dir = writeTree({ 'site.yml': text, ...extra });
  return loadPlaybook(join(dir, 'site.yml'));
}

export function errorOf(text: string, extra: Record<string, string> = {}): RunbookError {
  try {
    loadText(text, extra);
  } catch (e) {
    expect(e).toBeInstanceOf(RunbookError);
    return e as RunbookError;
  }
  throw new Error('expected the playbook to be rejected');
}

/** "line:col" of an error, the part a user's editor jumps to. */
export function lineCol(e: RunbookError): string {
  return `${e.at?.line}:${e.at?.col}`;
}

/** One bad playbook and what the user must be told about it. */
export interface BadCase {
  title: string;
  yaml: string;
  message: string | RegExp;
  /** "line:col" */
  at: string;
  hint?: string | RegExp;
  type?: typeof RunbookError;
  files?: Record<string, string>;
}

export function expectRejected(c: BadCase): void {
  const e = errorOf(c.yaml, c.files);
  expect(e).toBeInstanceOf(c.type ?? PlaybookError);
  if (typeof c.message === 'string') expect(e.message).toBe(c.message);
  else expect(e.message).toMatch(c.message);
  expect(e.at?.file).toMatch(/site\.yml$/);
  expect(lineCol(e)).toBe(c.at);
  expect(e.hint, 'a hint says what to do').toBeTruthy();
  if (typeof c.hint === 'string') expect(e.hint).toBe(c.hint);
  else if (c.hint) expect(e.hint).toMatch(c.hint);
}
