// The recap: counts first, failed and unreachable hosts grouped by identical error, then every host (failed first).
import type { HostTally, Recap } from '../shared/events.js';
import { type Paint, seconds } from './style.js';

// Natural order of host names as localeCompare(b, 'en', { numeric: true }) gives it. Names that differ only in
// their trailing number (h2, h10) compare as numbers without ICU: its collator costs ~7 ms to make, localeCompare
// with a locale makes one per call. Anything else goes to one collator, made when first needed.
let names: Intl.Collator | undefined;
let texts: Intl.Collator | undefined;
const NUMBERED = /^(\D*?)([1-9]\d{0,14})$/;
export function byName(a: string, b: string): number {
  const x = NUMBERED.exec(a);
  const y = x && NUMBERED.exec(b);
  if (x && y && x[1] === y[1]) return Number(x[2]) - Number(y[2]);
  return (names ??= new Intl.Collator('en', { numeric: true })).compare(a, b);
}
const byText = (a: string, b: string) => (texts ??= new Intl.Collator()).compare(a, b);

const bad = (t: HostTally) => (t.failed ? 2 : t.unreachable || t.rolledBack ? 1 : 0);

/** Hosts that failed or were unreachable with the same first error line, largest group first. */
export interface ErrorGroup {
  error: string;
  status: 'failed' | 'unreachable';
  hosts: string[];
}

/** The part of an error that is the same on every host: "h4 (root@10.0.0.4:22): connection refused" → "port 22: connection refused". */
export function commonError(host: string, error: string): string {
  const m = /^(?:\S+ \()?[^@\s]+@[^\s]+:(\d+)\)?: (.*)$/.exec(error);
  if (m) return `port ${m[1]}: ${m[2]}`;
  return error.startsWith(`${host}: `) ? error.slice(host.length + 2) : error;
}

export function errorGroups(recap: Recap): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>();
  for (const [h, t] of Object.entries(recap)) {
    if (!t.failed && !t.unreachable) continue;
    const status = t.failed ? 'failed' : 'unreachable';
    const error = commonError(h, t.firstError ?? '(no message)');
    const key = `${status}\0${error}`;
    const g = groups.get(key) ?? { error, status, hosts: [] };
    g.hosts.push(h);
    groups.set(key, g);
  }
  for (const g of groups.values()) g.hosts.sort(byName);
  return [...groups.values()].sort((a, b) => b.hosts.length - a.hosts.length || byText(a.error, b.error));
}

/** How many hosts ended ok, changed, failed, unreachable: the first line a fleet's user reads. */
export function recapCounts(recap: Recap): { hosts: number; ok: number; changed: number; failed: number; unreachable: number } {
  const ts = Object.values(recap);
  const failed = ts.filter((t) => t.failed).length;
  const unreachable = ts.filter((t) => !t.failed && t.unreachable).length;
  const changed = ts.filter((t) => !t.failed && !t.unreachable && t.changed).length;
  return { hosts: ts.length, ok: ts.length - failed - unreachable - changed, changed, failed, unreachable };
}

const MAX_LISTED = 8;

/** Counts, then failures grouped by identical error ("37 hosts unreachable: connection refused"), then the recap. */
export function formatSummary(recap: Recap, elapsedMs: number, paint: Paint, maxLines?: number): string {
  const c = recapCounts(recap);
  const parts = [
    paint('green', `${c.ok} ok`),
    paint(c.changed ? 'yellow' : 'dim', `${c.changed} changed`),
    paint(c.failed ? 'red' : 'dim', `${c.failed} failed`),
    paint(c.unreachable ? 'magenta' : 'dim', `${c.unreachable} unreachable`),
  ];
  const lines = [paint('bold', `${c.hosts} host${c.hosts === 1 ? '' : 's'} in ${seconds(elapsedMs)}: `) + parts.join(', ')];
  for (const g of errorGroups(recap)) {
    const n = g.hosts.length;
    const names = g.hosts.slice(0, MAX_LISTED).join(', ') + (n > MAX_LISTED ? `, … (+${n - MAX_LISTED})` : '');
    lines.push(
      `  ${paint(g.status === 'failed' ? 'red' : 'magenta', `${n} host${n === 1 ? '' : 's'} ${g.status}: ${g.error}`)}  ${paint('dim', names)}`,
    );
  }
  const room = maxLines === undefined ? undefined : Math.max(3, maxLines - lines.length - 1);
  return `${lines.join('\n')}\n\n${formatRecap(recap, elapsedMs, paint, room)}`;
}

/** With maxLines (a terminal's height), the hosts that fit, failed first, then "+ N more". */
export function formatRecap(recap: Recap, elapsedMs: number, paint: Paint, maxLines?: number): string {
  const hosts = Object.keys(recap).sort((a, b) => bad(recap[b]) - bad(recap[a]) || byName(a, b));
  const w = Math.max(4, ...hosts.map((h) => h.length));
  const lines = [paint('bold', `PLAY RECAP  ${hosts.length} host${hosts.length === 1 ? '' : 's'} in ${seconds(elapsedMs)}`)];
  // network safety: the rolled_back column appears when a host was put back as it was before the play
  const anyRolledBack = hosts.some((h) => recap[h].rolledBack);
  for (const [i, h] of hosts.entries()) {
    const t = recap[h];
    const need = (t.failed || t.unreachable || t.rolledBack) && t.firstError ? 2 : 1;
    if (maxLines !== undefined && lines.length + need > maxLines - 1 && i < hosts.length) {
      const rest = hosts.length - i;
      lines.push(paint('dim', `+ ${rest} more host${rest === 1 ? '' : 's'} (every host: -o plain or -o json)`));
      break;
    }
    const name = t.failed
      ? paint('red', h.padEnd(w))
      : t.unreachable
        ? paint('magenta', h.padEnd(w))
        : t.changed
          ? paint('yellow', h.padEnd(w))
          : paint('green', h.padEnd(w));
    // Pad the plain text first: escape codes must not count towards column widths.
    const col = (text: string, width: number, color?: Parameters<Paint>[0]) => {
      const padded = text.padEnd(width);
      return color ? paint(color, padded) : padded;
    };
    const cols = [
      col(`ok=${t.ok}`, 7),
      col(`changed=${t.changed}`, 11, t.changed ? 'yellow' : undefined),
      col(`unreachable=${t.unreachable}`, 14, t.unreachable ? 'magenta' : undefined),
      col(`failed=${t.failed}`, 9, t.failed ? 'red' : undefined),
      col(`skipped=${t.skipped}`, 10),
      col(`rescued=${t.rescued ?? 0}`, 10),
      anyRolledBack ? col(`ignored=${t.ignored}`, 10) : `ignored=${t.ignored}`,
      ...(anyRolledBack ? [col(`rolled_back=${t.rolledBack ?? 0}`, 13, t.rolledBack ? 'red' : undefined).trimEnd()] : []),
    ];
    lines.push(`${name}  ${cols.join(' ')}`);
    if ((t.failed || t.unreachable || t.rolledBack) && t.firstError) lines.push(`${' '.repeat(w)}  ${paint('red', `↳ ${t.firstError}`)}`);
  }
  return lines.join('\n');
}
