// Colour rules: NO_COLOR always wins, FORCE_COLOR forces, otherwise only a TTY gets colour.
import { afterEach, describe, expect, test } from 'vitest';
import { painter, useColor } from '../../../src/output/style.js';

const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const stream = (isTTY: boolean) => ({ isTTY }) as NodeJS.WriteStream;

describe('useColor', () => {
  // [NO_COLOR, FORCE_COLOR, isTTY, expected]
  test.each([
    [undefined, undefined, true, true],
    [undefined, undefined, false, false],
    ['1', undefined, true, false],
    ['1', '1', true, false],
    ['', undefined, true, true],
    [undefined, '1', false, true],
    [undefined, '0', false, false],
    [undefined, '0', true, true],
    [undefined, '', false, false],
  ] as const)('NO_COLOR=%s FORCE_COLOR=%s isTTY=%s → %s', (noColor, force, tty, want) => {
    if (noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = noColor;
    if (force === undefined) delete process.env.FORCE_COLOR;
    else process.env.FORCE_COLOR = force;
    expect(useColor(stream(tty))).toBe(want);
  });
});

describe('painter', () => {
  test('off leaves text alone; on wraps it in SGR codes', () => {
    expect(painter(false)('red', 'x')).toBe('x');
    expect(painter(true)('red', 'x')).toBe('\x1b[31mx\x1b[39m');
  });
});
