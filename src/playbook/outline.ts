// `--list-tasks` output, laid out like ansible-playbook's so habits and scripts carry over.
import type { Playbook, Task } from './types.js';

// One play header per play, then each task with its effective tags (play tags included).
export function formatPlaybookOutline(pb: Playbook, mode: 'tasks'): string {
  const lines = ['', `playbook: ${pb.file}`];
  pb.plays.forEach((play, i) => {
    lines.push('', `  play #${i + 1} (${play.hosts}): ${play.name}\tTAGS: [${sortedTags(play.tags)}]`);
    if (mode === 'tasks') {
      lines.push('    tasks:');
      for (const task of play.tasks) lines.push(`      ${task.name ?? task.module}${part(task)}\tTAGS: [${sortedTags(task.tags)}]`);
    }
  });
  return `${lines.join('\n')}\n`;
}

function sortedTags(tags: string[]): string {
  return [...new Set(tags)].sort().join(', ');
}

// Tasks of a rescue: or always: part say so: they do not run like the tasks around them.
function part(t: Task): string {
  const b = t.blocks?.at(-1);
  if (!b || b.section === 'block') return '';
  return `  (${b.section}${b.name ? ` of "${b.name}"` : ''})`;
}
