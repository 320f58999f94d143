// Ansible's pause: waits some seconds, or for Enter on a terminal; runs on the controller, once for all the hosts
// that reach it together (as Ansible's pause runs once per task, not per host).
import type { Location } from '../../errors.js';
import { askLine } from '../../shared/ask.js';
import { fail } from '../args.js';
import { defineModule, type Plan } from '../types.js';

export interface PauseArgs {
  seconds?: number;
  prompt?: string;
  echo: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Hosts entering the same pause at the same time share it.
const inFlight = new Map<string, Promise<Plan>>();

export const pause = defineModule({
  name: 'pause',
  doc: 'Waits some seconds or minutes, or until Enter is pressed on a terminal; once for all hosts of the task.',
  example: 'pause: {seconds: 5}',
  local: true,
  atTurn: true,
  args: {
    seconds: { type: 'float', description: 'seconds to wait' },
    minutes: { type: 'float', description: 'minutes to wait' },
    prompt: { description: 'text shown; without seconds/minutes runbook waits for Enter (a terminal is needed)' },
    echo: { type: 'bool', default: true, description: 'show what is typed at the prompt' },
  },
  mutually_exclusive: [['seconds', 'minutes']],
  build(v, a): PauseArgs {
    const seconds = v.minutes !== undefined ? v.minutes * 60 : v.seconds;
    if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 0)) fail(a, 'seconds and minutes must be 0 or more');
    return { seconds, prompt: v.prompt, echo: v.echo };
  },
  plan(p, _probe, ctx) {
    const key = `${where(ctx.at)}|${JSON.stringify(p)}`;
    let running = inFlight.get(key);
    if (!running) {
      running = pauseOnce(p).finally(() => inFlight.delete(key));
      inFlight.set(key, running);
    }
    return running;
  },
});

const where = (at: Location) => `${at.file}:${at.line ?? ''}:${at.col ?? ''}`;

async function pauseOnce(p: PauseArgs): Promise<Plan> {
  const start = new Date();
  let input = '';
  if (p.seconds !== undefined) {
    if (p.prompt) process.stderr.write(`[pause] ${p.prompt}\n`);
    await sleep(p.seconds * 1000);
  } else {
    if (!process.stdin.isTTY) {
      return {
        changed: false,
        failed:
          'pause: this prompt waits for Enter, and runbook has no terminal to read it from; give the task seconds: or minutes:, or run runbook on a terminal',
      };
    }
    input = await askLine(`[pause]\n${p.prompt ?? 'Press enter to continue, Ctrl+C to interrupt'}:\n`, {
      hidden: !p.echo,
      interrupted: () => new Error('pause interrupted (Ctrl+C)'),
    });
  }
  const stop = new Date();
  const delta = Math.round((stop.getTime() - start.getTime()) / 1000);
  const stdout = `Paused for ${p.seconds ?? delta} seconds`;
  return {
    changed: false,
    note: stdout,
    result: { start: stamp(start), stop: stamp(stop), delta, echo: p.echo, stdout, user_input: input },
  };
}

const stamp = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
