// Shared option parsing for run / exec / check: -e, -i, forks and friends, with input errors that say what to do.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import type { HostKeyPolicy } from '../remote/known-hosts.js';
import { ansibleSettings } from '../shared/ansible-config.js';
import type { Inventory } from '../inventory/types.js';
import { readVarsText } from '../vault/password.js';
import { addSecret } from '../vault/secrets.js';
import { vaultTag } from '../vault/tag.js';
import { yaml11Bool } from '../yaml11.js';

export function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

export function increase(_: string, prev = 0): number {
  return prev + 1;
}

/** `-e k=v k2=v2`, `-e '{"k":1}'`, `-e @file.yaml`, later wins. */
export function parseExtraVars(values: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of values) {
    if (v.startsWith('@')) {
      const file = v.slice(1);
      let data: unknown;
      try {
        // An @file may be vault-encrypted, whole or by !vault values, as in Ansible.
        const opened = readVarsText(file, readFileSync(file, 'utf8'));
        data = parse(opened.text, { customTags: (tags) => [...tags, yaml11Bool, vaultTag] });
        if (opened.secret) addSecret(data);
      } catch (e) {
        throw new UsageError(`-e ${v}: cannot read ${file}: ${(e as Error).message}`, {
          hint: 'give an existing YAML or JSON file after @',
        });
      }
      if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`-e ${v}: ${file} must hold a map of variables`);
      Object.assign(out, data);
    } else if (v.trim().startsWith('{')) {
      try {
        Object.assign(out, JSON.parse(v));
      } catch {
        throw new UsageError(`-e ${v}: not valid JSON`, { hint: 'use -e key=value, -e \'{"key": "value"}\' or -e @vars.yaml' });
      }
    } else {
      for (const pair of v.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []) {
        const i = pair.indexOf('=');
        if (i <= 0)
          throw new UsageError(`-e ${v}: expected key=value`, { hint: 'use -e key=value, -e \'{"key": "value"}\' or -e @vars.yaml' });
        const raw = pair.slice(i + 1).replace(/^(["'])(.*)\1$/, '$2');
        out[pair.slice(0, i)] = raw;
      }
    }
  }
  return out;
}

export function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive whole number, got "${v}"`);
    return n;
  };
}

/** Seconds, 0 allowed (--confirm-timeout 0 turns network safety's watchdog off). */
export function wholeSeconds(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number of seconds (0 turns it off), got "${v}"`);
    return n;
  };
}

/** The options ansible.cfg (or ANSIBLE_*) gives a default for; what the command line gave stays. */
export interface ConfigurableOptions {
  inventory?: string[];
  forks?: number;
  connectTimeout?: number;
  hostKeyChecking?: HostKeyPolicy;
  /** ansible.cfg's remote_user and private_key_file: below every inventory variable and -u/--private-key. */
  defaultUser?: string;
  defaultPrivateKey?: string;
  vaultId?: string[];
  vaultPasswordFile?: string[];
  verbose?: number;
}

/** Fills in what the command line left out from ansible.cfg and ANSIBLE_*, then runbook's own defaults. */
export function applyAnsibleSettings(o: ConfigurableOptions): void {
  const s = ansibleSettings();
  if (!o.inventory?.length && s.inventory?.length) o.inventory = s.inventory;
  o.forks ??= s.forks ?? 50;
  o.connectTimeout ??= s.timeout ?? 10;
  o.hostKeyChecking ??= s.hostKeyChecking === true ? 'strict' : 'accept-new';
  o.defaultUser = s.remoteUser;
  o.defaultPrivateKey = s.privateKeyFile;
  // ANSIBLE_VAULT_PASSWORD_FILE itself is read with the vault options (vault/password.ts)
  if (!o.vaultId?.length && !o.vaultPasswordFile?.length && !process.env.ANSIBLE_VAULT_PASSWORD_FILE && s.vaultPasswordFile) {
    o.vaultPasswordFile = [s.vaultPasswordFile];
  }
  if (o.verbose) {
    if (s.skipped) process.stderr.write(`ansible.cfg: ${s.skipped}\n`);
    if (s.file) {
      const unused = s.ignored.length ? `; runbook does not use ${s.ignored.join(', ')}` : '';
      process.stderr.write(`ansible.cfg: read ${s.file}${unused}\n`);
    }
  }
}

/** -i defaults to ansible.cfg's inventory, else ./inventory when it exists. */
export function inventorySources(given: string[] | undefined): string[] {
  if (given?.length) return given;
  const configured = ansibleSettings().inventory;
  if (configured?.length) return configured;
  if (existsSync('inventory')) return ['inventory'];
  throw new UsageError('no inventory given', { hint: 'pass -i <file or directory> (e.g. -i inventory/ or -i .lab/lab/inventory.yaml)' });
}

export function splitList(v?: string[]): string[] {
  return (v ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Ansible's -c: the connection of hosts whose inventory sets none. It sits below every inventory variable, as the
 * group `all` does (an ansible_connection written for a host or group still wins); ssh, smart and paramiko are ssh.
 */
export function applyConnection(inv: Inventory, connection: string | undefined): void {
  if (connection !== 'local') return;
  const all = inv.groups.get('all');
  if (all && all.vars.ansible_connection === undefined) all.vars.ansible_connection = 'local';
}
