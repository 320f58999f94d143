// The corpus of real public playbooks (test/fixtures/corpus): every playbook ansible-core accepts either loads, or is
// refused the way bad input is refused — exit 4, a message naming file:line:col and what is not supported — never a
// crash or a stack trace. The summary line is printed; scripts/corpus-status.mjs writes the same one to status.txt.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script shared with the status writer, no type declarations
import { acceptedPlaybooks, CORPUS, galaxyRoles, summarize } from '../../../scripts/corpus-status.mjs';
import { describeError, exitCodeFor } from '../../../src/cli/exit.js';
import { RunbookError } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/playbook/load.js';

interface Result {
  playbook: string;
  ok: boolean;
  message?: string;
}

const playbooks: string[] = acceptedPlaybooks();
const results: Result[] = [];
let savedRolesPath: string | undefined;

describe('corpus of public playbooks', () => {
  beforeAll(() => {
    savedRolesPath = process.env.RUNBOOK_ROLES_PATH;
    process.env.RUNBOOK_ROLES_PATH = galaxyRoles();
  });

  afterAll(() => {
    if (savedRolesPath === undefined) delete process.env.RUNBOOK_ROLES_PATH;
    else process.env.RUNBOOK_ROLES_PATH = savedRolesPath;
    console.log(summarize(results));
  });

  it('has playbooks ansible-core accepts', () => {
    expect(playbooks.length).toBeGreaterThan(20);
  });

  it.each(playbooks)('%s loads or is refused cleanly', (rel) => {
    let error: unknown;
    try {
      loadPlaybook(join(CORPUS, rel));
    } catch (e) {
      error = e;
    }
    if (error === undefined) {
      results.push({ playbook: rel, ok: true });
      return;
    }
    const text = describeError(error);
    results.push({ playbook: rel, ok: false, message: text });
    expect(error, text).toBeInstanceOf(RunbookError);
    expect(exitCodeFor(error), text).toBe(4);
    const e = error as RunbookError;
    // file:line:col of the offending construct, in a file that exists
    expect(e.at?.file, text).toBeTruthy();
    expect(e.at?.line, text).toBeGreaterThan(0);
    expect(e.at?.col, text).toBeGreaterThan(0);
    const file = e.at?.file ?? '';
    expect(existsSync(isAbsolute(file) ? file : join(CORPUS, file)), text).toBe(true);
    const first = text.split('\n')[0];
    expect(first, 'the first line names where').toMatch(/:\d+:\d+/);
    // names the construct, not a generic crash
    expect(e.message.trim().length, text).toBeGreaterThan(10);
    expect(text, 'no stack trace').not.toMatch(/\n\s+at [\w.<>]+ \(|\.ts:\d+:\d+\)/);
    expect(text, 'no generic crash').not.toMatch(/report it if it looks like a bug|TypeError|ReferenceError|Cannot read prop/);
  });
});
