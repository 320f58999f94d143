// vars_files load per host (the path may be templated) before the play touches any host.
import { existsSync, readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { InputError } from '../errors.js';
import type { Play } from '../playbook/types.js';
import { varsFilePath } from '../playbook/vars-path.js';
import { renderString } from '../template/render.js';
import { runContext } from '../vault/context.js';
import { readVarsText } from '../vault/password.js';
import { addSecret, addSecretVars } from '../vault/secrets.js';
import { vaultFailure, vaultTag } from '../vault/tag.js';
import { yaml11Bool } from '../yaml11.js';
import { laterDefined } from './runtime-names.js';

// Each file is read once per run (the run's context; a later run in the same process reads it again).
const cache = () => runContext().cache<string, Record<string, unknown>>('vars-files');

/**
 * The vars of a play's vars_files for one host, in order (later files win). An entry that is a list reads the first
 * of its files found. With `later`, an entry whose name needs a variable the run defines later (a fact: "vars/{{
 * ansible_os_family }}.yml") is left out and listed in `later.deferred`: the play reads the files again once the
 * host's facts are in (src/executor/play.ts), as Ansible templates vars_files with the facts it has by then.
 */
export function loadVarsFiles(
  play: Play,
  baseDir: string,
  vars: Record<string, unknown>,
  host: string,
  later?: { names: Set<string>; deferred: number },
) {
  const out: Record<string, unknown> = {};
  for (const entry of play.varsFiles) {
    const candidates = typeof entry === 'string' ? [entry] : entry;
    let path: string | undefined;
    try {
      path = firstFound(candidates, baseDir, vars, host, play);
    } catch (e) {
      if (later && laterDefined(e, later.names)) {
        later.deferred++;
        continue;
      }
      throw e;
    }
    let data = cache().get(path);
    if (!data) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new InputError(`vars_files: cannot read ${path}`, {
          at: play.at,
          hint: 'check the path (relative paths resolve from the playbook directory)',
        });
      }
      const opened = readVarsText(path, text);
      const lc = new LineCounter();
      const doc = parseDocument(opened.text, { lineCounter: lc, customTags: (tags) => [...tags, yaml11Bool, vaultTag] });
      const vault = vaultFailure(doc, path, lc);
      if (vault) throw vault;
      const e = doc.errors[0];
      if (e) {
        const pos = lc.linePos(e.pos[0]);
        throw new InputError(`vars_files: ${path}: invalid YAML: ${e.message.split('\n')[0]}`, {
          at: { file: path, line: pos.line, col: pos.col },
          hint: 'fix the YAML syntax near that position',
        });
      }
      const v: unknown = doc.toJS() ?? {};
      if (typeof v !== 'object' || Array.isArray(v))
        throw new InputError(`vars_files: ${path} must hold a map of variables`, { at: { file: path, line: 1 } });
      data = v as Record<string, unknown>;
      if (opened.secret) addSecret(data);
      cache().set(path, data);
    }
    addSecretVars(data, { ...vars, ...data });
    Object.assign(out, data);
  }
  return out;
}

// The first candidate that exists (rendered for the host); a lone entry is read as named, so its error says which.
function firstFound(candidates: string[], baseDir: string, vars: Record<string, unknown>, host: string, play: Play): string {
  const paths = candidates.map((c) => varsFilePath(baseDir, renderString(c, vars, { host, at: play.at })));
  if (paths.length === 1) return paths[0]!;
  const found = paths.find((p) => existsSync(p));
  if (found) return found;
  throw new InputError(`vars_files: none of ${paths.join(', ')} is found for host ${host}`, {
    at: play.at,
    hint: 'add a file that exists to the list (relative paths resolve from the playbook directory or its vars/)',
  });
}
