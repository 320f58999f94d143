// The recap: failed and unreachable hosts first, each with the first line of its first error.
import type { HostTally, Recap } from '../executor/events.js';
import { type Paint, seconds } from './style.js';

const bad = (t: HostTally) => (t.failed ? 2 : t.unreachable ? 1 : 0);

export function formatRecap(recap: Recap, elapsedMs: number, paint: Paint): string {
  const hosts = Object.keys(recap).sort((a, b) => bad(recap[b]) - bad(recap[a]) || a.localeCompare(b, 'en', { numeric: true }));
  const w = Math.max(4, ...hosts.map((h) => h.length));
  const lines = [paint('bold', `PLAY RECAP  ${hosts.length} host${hosts.length === 1 ? '' : 's'} in ${seconds(elapsedMs)}`)];
  for (const h of hosts) {
    const t = recap[h];
    const name = t.failed ? paint('red', h.padEnd(w)) : t.unreachable ? paint('magenta', h.padEnd(w)) : t.changed ? paint('yellow', h.padEnd(w)) : paint('green', h.padEnd(w));
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
      `ignored=${t.ignored}`,
    ];
    lines.push(`${name}  ${cols.join(' ')}`);
    if ((t.failed || t.unreachable) && t.firstError) lines.push(`${' '.repeat(w)}  ${paint('red', `↳ ${t.firstError}`)}`);
  }
  return lines.join('\n');
}
