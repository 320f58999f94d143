// `runbook merge-reports a.json b.json …`: one recap and one exit code from the JSON output of sharded runs.

import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { HostTally, Recap } from '../executor/events.js';
import { exitCodeOf } from '../shared/outcome.js';

/** What one `--output json` run ends with (the `summary` line). */
export interface RunSummary {
  recap: Recap;
  elapsedMs: number;
  exitCode: number;
  interrupted: boolean;
}

// The last summary line of a JSON-lines report (or a file holding only that line).
export function summaryFromText(text: string, file = '<input>'): RunSummary {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(lines[i]);
    } catch {
      continue;
    }
    if (obj?.type !== 'summary' || typeof obj.recap !== 'object' || obj.recap === null) continue;
    return {
      recap: obj.recap as Recap,
      elapsedMs: Number(obj.elapsed_ms ?? 0),
      exitCode: Number(obj.exit_code ?? 0),
      interrupted: obj.interrupted === true,
    };
  }
  throw new InputError(`${file}: no summary line found`, {
    hint: 'give the output of `runbook run … --output json`; a shard that was killed before its end writes none',
  });
}

const COUNTS = ['ok', 'changed', 'skipped', 'failed', 'unreachable', 'ignored', 'rescued'] as const;

// Hosts are summed (a host in two reports counts twice); elapsed is the longest shard's.
export function mergeSummaries(all: RunSummary[]): RunSummary {
  const recap: Recap = {};
  for (const s of all) {
    for (const [host, t] of Object.entries(s.recap)) {
      const into: HostTally = (recap[host] ??= { ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0, ignored: 0, rescued: 0 });
      for (const k of COUNTS) into[k] += Number(t[k] ?? 0);
      // network safety's count appears only where a host was rolled back (older summaries lack it)
      if (t.rolledBack) into.rolledBack = (into.rolledBack ?? 0) + Number(t.rolledBack);
      if (t.firstError && !into.firstError) into.firstError = t.firstError;
    }
  }
  const interrupted = all.some((s) => s.interrupted);
  const exitCode = exitCodeOf({ recap, interrupted });
  return { recap, elapsedMs: Math.max(0, ...all.map((s) => s.elapsedMs)), exitCode, interrupted };
}

// Reads the files, prints the merged recap (or one summary line with --output json), returns the exit code.
export async function mergeReportsCommand(files: string[], opts: { output?: string }): Promise<number> {
  const merged = mergeSummaries(
    files.map((f) => {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch (e) {
        throw new InputError(`cannot read report ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      return summaryFromText(text, f);
    }),
  );
  if (opts.output === 'json') {
    const { recap, elapsedMs, exitCode, interrupted } = merged;
    process.stdout.write(
      `${JSON.stringify({ type: 'summary', recap, elapsed_ms: elapsedMs, exit_code: exitCode, interrupted, reports: files.length })}\n`,
    );
  } else {
    const [{ formatRecap }, { painter }] = await Promise.all([import('../output/recap.js'), import('../output/style.js')]);
    const paint = painter(!!process.stdout.isTTY && !process.env.NO_COLOR);
    process.stdout.write(
      `${formatRecap(merged.recap, merged.elapsedMs, paint)}\n(${files.length} report${files.length === 1 ? '' : 's'} merged; exit ${merged.exitCode})\n`,
    );
  }
  return merged.exitCode;
}
