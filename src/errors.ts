// One family of errors; cli/exit.ts is the only place that turns them into text and exit codes.
export interface Location {
  file: string;
  line?: number;
  col?: number;
}

export function formatLocation(at: Location | undefined): string {
  if (!at) return '';
  let s = at.file;
  if (at.line !== undefined) s += `:${at.line}`;
  if (at.line !== undefined && at.col !== undefined) s += `:${at.col}`;
  return s;
}

export interface ErrorOptions {
  at?: Location;
  hint?: string;
  cause?: unknown;
}

export class RunbookError extends Error {
  readonly at?: Location;
  readonly hint?: string;
  constructor(
    message: string,
    readonly opts: ErrorOptions = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.at = opts.at;
    this.hint = opts.hint;
  }
}

/** Bad input found before any host is touched: exit 4. */
export class InputError extends RunbookError {}
export class InventoryError extends InputError {}
export class PlaybookError extends InputError {}
/** Valid Ansible that runbook does not have: a module it lacks, a collection's, a download. */
export class ModuleUnavailable extends PlaybookError {}
export class TemplateError extends InputError {}
export class ExpressionError extends InputError {}
export class UsageError extends InputError {}
/** A host could not be reached or authenticated. */
export class ConnectError extends RunbookError {}
/** A task failed on a host at run time. */
export class TaskError extends RunbookError {}

/** "did you mean" from a small edit-distance search; too small a job for a dependency. */
export function didYouMean(word: string, choices: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of choices) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestD <= limit ? `did you mean "${best}"?` : undefined;
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
