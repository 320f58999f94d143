// environment: rendered per host into a shell prefix; values are quoted so no value can break out of it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { envPrefixOf } from '../../../src/executor/item.js';
import type { TaskEnv } from '../../../src/executor/task.js';
import { bareTask } from '../../../src/playbook/task.js';

const at = { file: 'site.yml', line: 3 };
const env = (environment?: Record<string, unknown>) => ({ environment }) as unknown as TaskEnv;
const task = (environment?: Record<string, unknown>) => ({
  ...bareTask('shell', { _raw: 'env' }, at),
  ...(environment ? { environment } : {}),
});

describe('envPrefixOf', () => {
  it('nothing to export: no prefix', () => {
    expect(envPrefixOf(task(), 'h1', {}, env())).toBeUndefined();
  });

  it('the task’s values over the play’s, templates rendered, every value quoted', () => {
    const p = envPrefixOf(
      task({ B: 'task', C: 'it\'s $HOME; `x` "q"' }),
      'h1',
      { who: 'h1' },
      env({ A: '{{ who }}', B: 'play', N: 3, E: null }),
    );
    expect(p?.startsWith("export A=h1; export B=task; export N=3; export E=''; export C=")).toBe(true);
    // what a shell makes of it: the exact values, nothing run
    const out = execFileSync('sh', ['-c', `${p}printf '%s|%s|%s|%s|%s' "$A" "$B" "$N" "$E" "$C"`], { encoding: 'utf8' });
    expect(out).toBe(`h1|task|3||it's $HOME; \`x\` "q"`);
  });

  it('environment: "{{ proxy_env }}" renders to its map, merged in its place among the levels', () => {
    const vars = { proxy_env: { http_proxy: 'http://p:3128', NO_PROXY: 'x' } };
    const p = envPrefixOf(task({ NO_PROXY: 'task' }), 'h1', vars, env({ '{{ proxy_env }}': '{{ proxy_env }}' }));
    expect(p).toBe('export http_proxy=http://p:3128; export NO_PROXY=task; ');
    expect(() => envPrefixOf(task({ '{{ x }}': '{{ x }}' }), 'h1', { x: 'str' }, env())).toThrow(
      /environment \{\{ x \}\} rendered to "str", not a map/,
    );
    expect(envPrefixOf(task({ '{{ x }}': '{{ x }}' }), 'h1', { x: {} }, env())).toBeUndefined();
  });

  it('a value that renders to a list is refused, naming the variable', () => {
    expect(() => envPrefixOf(task({ L: '{{ xs }}' }), 'h1', { xs: [1, 2] }, env())).toThrow(/environment variable L rendered to a list/);
  });
});
