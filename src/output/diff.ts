// Unified diffs come from the `diff` package; we only colour and label them.
import { createTwoFilesPatch } from 'diff';
import type { Paint } from './style.js';

export function formatDiff(d: { path?: string; before: string; after: string }, paint: Paint): string[] {
  const name = d.path ?? '';
  const patch = createTwoFilesPatch(`before: ${name}`, `after: ${name}`, d.before, d.after, '', '', { context: 3 });
  return patch
    .split('\n')
    .slice(1)
    .filter((l) => l !== '' && !l.startsWith('\\ No newline'))
    .map((l) =>
      l.startsWith('+') && !l.startsWith('+++')
        ? paint('green', l)
        : l.startsWith('-') && !l.startsWith('---')
          ? paint('red', l)
          : l.startsWith('@@')
            ? paint('cyan', l)
            : l,
    );
}
