// A failure as one line for the output: location (unless the message already names it), message, hint.
import { formatLocation, RunbookError } from '../errors.js';

export function errorText(e: unknown): string {
  if (e instanceof RunbookError) {
    const loc = e.at ? formatLocation(e.at) : '';
    const where = loc && !e.message.includes(loc) ? `${loc}: ` : '';
    return `${where}${e.message}${e.hint ? ` (${e.hint})` : ''}`;
  }
  return e instanceof Error ? e.message : String(e);
}
