// `serial` as Ansible reads it: sizes or percentages, the last one repeating until hosts run out.
export function batches<T>(hosts: T[], serial: (number | string)[]): T[][] {
  if (!serial.length) return hosts.length ? [hosts] : [];
  const out: T[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const s = serial[Math.min(k, serial.length - 1)];
    let n = typeof s === 'string' && s.endsWith('%') ? Math.floor((hosts.length * Number(s.slice(0, -1))) / 100) : Number(s);
    if (!Number.isFinite(n) || n <= 0) n = typeof s === 'string' && s.endsWith('%') ? 1 : hosts.length;
    out.push(hosts.slice(i, i + n));
    i += n;
    k++;
  }
  return out;
}

// Kept here for the executor's callers; it lives in src/shared/limit.ts (graph uses it too).
export { forEachLimit } from '../shared/limit.js';
