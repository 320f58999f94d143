// Ansible's tag rules: `always` runs unless skipped by name, `never` only when asked for.
import type { Task } from '../playbook/types.js';

export function selectedByTags(t: Task, tags: string[], skipTags: string[]): boolean {
  const mine = new Set(t.tags);
  if (skipTags.some((s) => mine.has(s) || (s === 'all' && !mine.has('always')))) return false;
  if (mine.has('never') && !tags.some((s) => mine.has(s) && s !== 'never')) return false;
  if (!tags.length || tags.includes('all')) return true;
  if (mine.has('always')) return true;
  if (tags.includes('tagged') && mine.size) return true;
  if (tags.includes('untagged') && !mine.size) return true;
  return tags.some((s) => mine.has(s));
}
