// vars_prompt: each play's questions, asked once before anything runs. An -e value answers without asking; with no
// terminal the default is taken, and a prompt without one stops the run at load (exit 4) naming where it is written.
import { PlaybookError } from '../errors.js';
import { askLine } from '../shared/ask.js';
import type { Playbook, VarsPrompt } from './types.js';

/** Reads one answer; `hidden`: do not echo it (private: true). */
export type Ask = (question: string, hidden: boolean) => Promise<string>;

/** Sets each play's prompted variables (over its vars:, under vars_files:, as in Ansible). */
export async function resolveVarsPrompts(
  pb: Playbook,
  extraVars: Record<string, unknown>,
  ask: Ask | undefined = process.stdin.isTTY && process.stderr.isTTY ? ttyAsk : undefined,
): Promise<Record<string, unknown>> {
  const answers: Record<string, unknown> = {};
  for (const play of pb.plays) {
    for (const p of play.varsPrompt ?? []) {
      if (Object.hasOwn(extraVars, p.name)) continue;
      const value = Object.hasOwn(answers, p.name) ? answers[p.name] : await answer(p, ask);
      answers[p.name] = value;
      play.vars = { ...play.vars, [p.name]: value };
    }
  }
  return answers;
}

async function answer(p: VarsPrompt, ask: Ask | undefined): Promise<unknown> {
  if (!ask) {
    if (p.default !== undefined) return p.default;
    throw new PlaybookError(`vars_prompt "${p.name}" needs an answer, and there is no terminal to ask on`, {
      at: p.at,
      hint: `pass it on the command line: -e ${p.name}=value (or give the prompt a default:)`,
    });
  }
  const q = `${p.prompt}${p.default !== undefined ? ` [${p.default}]` : ''}: `;
  for (;;) {
    let v = await ask(q, p.private);
    if (v === '' && p.default !== undefined) return p.default;
    if (p.confirm) {
      const again = await ask(`confirm ${p.prompt}: `, p.private);
      if (again !== v) {
        process.stderr.write('***** VALUES ENTERED DO NOT MATCH ****\n');
        continue;
      }
    }
    v = v.replace(/\r$/, '');
    return v;
  }
}

function ttyAsk(question: string, hidden: boolean): Promise<string> {
  return askLine(question, {
    hidden,
    interrupted: () => new PlaybookError('vars_prompt interrupted', { hint: 'run again and answer, or pass -e name=value' }),
  });
}
