// What one run knows that must not outlive it: the secrets to mask, the vault passwords, and caches keyed by file.
// The CLI runs once per process and uses the process's context; a test (or anything running several playbooks in
// one process) gives each run its own with withRunContext, so nothing one run learned reaches another.
import { AsyncLocalStorage } from 'node:async_hooks';

/** One password and the vault id (label) it is for; "default" when none was given. */
export interface VaultSecret {
  id: string;
  password: string;
}

export class RunContext {
  /** Values that must never be printed (src/vault/secrets.ts). */
  readonly secrets = new Set<string>();
  /** The vault passwords given for this run (src/vault/password.ts). */
  vaultSecrets: VaultSecret[] = [];
  private readonly caches = new Map<string, Map<unknown, unknown>>();

  /** A cache that lives as long as this run (vars files read, vault failures by message). */
  cache<K, V>(name: string): Map<K, V> {
    let c = this.caches.get(name);
    if (!c) this.caches.set(name, (c = new Map()));
    return c as Map<K, V>;
  }
}

const scoped = new AsyncLocalStorage<RunContext>();
let processContext = new RunContext();

/** The context of the run this code is part of. */
export function runContext(): RunContext {
  return scoped.getStore() ?? processContext;
}

/** Runs fn (and everything it starts, synchronous or not) in ctx. */
export function withRunContext<T>(ctx: RunContext, fn: () => T): T {
  return scoped.run(ctx, fn);
}

/** A new, empty context for the process (each test starts with one: test/setup.ts). */
export function resetRunContext(): RunContext {
  processContext = new RunContext();
  return processContext;
}
