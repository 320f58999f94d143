// Applies a module's plan through the host's connection; files land by temp name + rename (Connection.put).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TaskError } from '../errors.js';
import type { ExecResult, Plan } from '../modules/types.js';
import type { Connection } from '../remote/connection.js';
import { quote } from '../remote/quote.js';

export interface Applied {
  /** rc/stdout/stderr of a `capture` exec step (command, shell). */
  captured?: ExecResult;
  cmd?: string;
}

export async function applyPlan(
  plan: Plan,
  conn: Connection,
  opts: {
    become: boolean;
    becomeUser?: string;
    timeout?: number;
    envPrefix?: string;
    onOutput?: (chunk: string) => void;
    /** Shell text before every command (network safety: refuse once the host has put itself back). */
    gate?: string;
  },
): Promise<Applied> {
  const out: Applied = {};
  const as = { become: opts.become, becomeUser: opts.becomeUser };
  for (const step of plan.steps ?? []) {
    if (step.kind === 'exec') {
      const r = await conn.exec((opts.gate ?? '') + (opts.envPrefix ?? '') + step.cmd, {
        stdin: step.stdin,
        ...as,
        timeout: opts.timeout,
        onOutput: opts.onOutput,
      });
      if (step.capture) {
        out.captured = r;
        out.cmd = step.cmd;
        if (r.code !== 0) return out;
        continue;
      }
      if (r.code !== 0) throw stepFailed(step.cmd, r);
      continue;
    }
    if (step.kind === 'local-write') {
      await writeLocal(step.path, step.content);
      continue;
    }
    if (step.backup) {
      const b = `[ ! -e ${quote(step.dest)} ] || cp -p ${quote(step.dest)} ${quote(step.dest)}.$(date +%Y%m%d%H%M%S)~`;
      const r = await conn.exec((opts.gate ?? '') + b, { ...as, timeout: opts.timeout });
      if (r.code !== 0) throw stepFailed(b, r);
    }
    // Under become_user the file is written as that user, so a new one is theirs (as with Ansible).
    // Owner and group are set by the upload's own command: no chown round trip after it.
    await conn.put(step.dest, step.content, { mode: step.mode, owner: step.owner, group: step.group, gate: opts.gate, ...as });
  }
  return out;
}

function stepFailed(c: string, r: ExecResult): TaskError {
  const err = r.stderr.trim() || r.stdout.trim() || '(no output)';
  return new TaskError(`command failed (rc=${r.code}): ${c}\n${err}`);
}

// fetch's controller-side write: parents created, temp name beside the file, then rename.
async function writeLocal(path: string, content: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.runbook-tmp-${process.pid}`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}
