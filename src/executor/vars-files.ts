// vars_files load per host (the path may be templated) before the play touches any host.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { InputError } from '../errors.js';
import type { Play } from '../playbook/types.js';
import { renderString } from '../template/render.js';
import { readVarsText } from '../vault/password.js';
import { addSecret, addSecretVars } from '../vault/secrets.js';
import { runContext } from '../vault/context.js';
import { vaultFailure, vaultTag } from '../vault/tag.js';
import { yaml11Bool } from '../yaml11.js';

// Each file is read once per run (the run's context; a later run in the same process reads it again).
const cache = () => runContext().cache<string, Record<string, unknown>>('vars-files');

export function loadVarsFiles(play: Play, baseDir: string, vars: Record<string, unknown>, host: string) {
  const out: Record<string, unknown> = {};
  for (const f of play.varsFiles) {
    const rel = renderString(f, vars, { host, at: play.at });
    const path = isAbsolute(rel) ? rel : join(baseDir, rel);
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
