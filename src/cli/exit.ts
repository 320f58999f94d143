// The one place that turns errors into messages and exit codes.
import { formatLocation, InputError, RunbookError } from '../errors.js';
import { EXIT } from '../shared/outcome.js';
import { redact } from '../vault/secrets.js';

// The exit codes are decided in src/shared/outcome.ts (exitCodeOf); kept here for the CLI's callers.
export { EXIT };

/** Known secrets are masked in every error text, stack traces included. */
export function describeError(e: unknown, verbosity = 0): string {
  return redact(errorLines(e, verbosity));
}

function errorLines(e: unknown, verbosity: number): string {
  if (e instanceof RunbookError) {
    const loc = e.at ? formatLocation(e.at) : '';
    const where = loc && !e.message.includes(loc) ? `${loc}: ` : '';
    const lines = [`error: ${where}${e.message}`];
    if (e.hint) lines.push(`  hint: ${e.hint}`);
    if (verbosity >= 3 && e.stack) lines.push(e.stack);
    return lines.join('\n');
  }
  const err = e as Error;
  if (verbosity >= 3 && err?.stack) return `error: ${err.stack}`;
  return `error: ${err?.message ?? String(e)}\n  hint: run again with -vvv for the stack trace, and report it if it looks like a bug in runbook`;
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof InputError) return EXIT.badInput;
  if (e instanceof RunbookError) return EXIT.failed;
  return 1;
}

export function fail(e: unknown, verbosity = 0): never {
  process.stderr.write(`${describeError(e, verbosity)}\n`);
  process.exit(exitCodeFor(e));
}
