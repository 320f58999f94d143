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
    const cols = [
      `ok=${t.ok}`.padEnd(7),
      (t.changed ? paint('yellow', `changed=${t.changed}`) : `changed=${t.changed}`).padEnd(11),
      (t.unreachable ? paint('magenta', `unreachable=${t.unreachable}`) : `unreachable=${t.unreachable}`).padEnd(14),
      (t.failed ? paint('red', `failed=${t.failed}`) : `failed=${t.failed}`).padEnd(9),
      `skipped=${t.skipped}`.padEnd(10),
      `ignored=${t.ignored}`,
    ];
    lines.push(`${name}  ${cols.join(' ')}`);
    if ((t.failed || t.unreachable) && t.firstError) lines.push(`${' '.repeat(w)}  ${paint('red', `↳ ${t.firstError}`)}`);
  }
  return lines.join('\n');
}
