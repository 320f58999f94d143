// Colours only on a TTY and never with NO_COLOR (https://no-color.org); FORCE_COLOR forces them.
import type { TaskStatus } from '../shared/events.js';

export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY;
}

const codes: Record<string, [number, number]> = {
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  cyan: [36, 39],
  magenta: [35, 39],
  dim: [2, 22],
  bold: [1, 22],
};

export type Paint = (color: keyof typeof codes, s: string) => string;

export function painter(on: boolean): Paint {
  return (c, s) => (on ? `\x1b[${codes[c][0]}m${s}\x1b[${codes[c][1]}m` : s);
}

export const statusColor: Record<TaskStatus, keyof typeof codes> = {
  ok: 'green',
  changed: 'yellow',
  skipped: 'cyan',
  failed: 'red',
  unreachable: 'magenta',
};

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}
