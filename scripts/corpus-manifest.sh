#!/usr/bin/env bash
# Regenerates test/fixtures/corpus/manifest.json: every playbook entry point of the corpus and whether ansible-core
# accepts it (`ansible-playbook --syntax-check`, run in a temp copy; a playbook needing an uninstalled collection
# or role is not accepted). Needs ansible-playbook: apt-get install -y --no-install-recommends ansible-core
# The vendored geerlingguy roles are offered under their Galaxy names (geerlingguy.nginx, …) through ANSIBLE_ROLES_PATH,
# as `ansible-galaxy install` would have placed them, and kubespray's roles/ folder is on the path too (as its
# ansible.cfg and molecule put it). Reasons for refusals are printed, not recorded.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CORPUS="$ROOT/test/fixtures/corpus"
command -v ansible-playbook >/dev/null || { echo "ansible-playbook not found: apt-get install -y --no-install-recommends ansible-core" >&2; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cp -r "$CORPUS" "$TMP/corpus"
ansible-playbook --version | head -1 >&2
CORPUS_COPY="$TMP/corpus" OUT="$CORPUS/manifest.json" python3 - <<'PY'
import json, os, subprocess, sys, yaml
copy, out = os.environ['CORPUS_COPY'], os.environ['OUT']
roles = os.path.join(os.path.dirname(copy), 'galaxy-roles')
os.makedirs(roles)
for d in sorted(os.listdir(copy)):
    if d.startswith('geerlingguy__ansible-role-'):
        os.symlink(os.path.join(copy, d), os.path.join(roles, 'geerlingguy.' + d[len('geerlingguy__ansible-role-'):]))

def is_playbook(path):
    try:
        with open(path) as fh: doc = yaml.load(fh, Loader=yaml.BaseLoader)
    except Exception:
        return False
    return isinstance(doc, list) and doc != [] and all(isinstance(p, dict) for p in doc) and \
        any(k in p for p in doc for k in ('hosts', 'import_playbook', 'ansible.builtin.import_playbook', 'include'))

INV_NAMES = ('inventory', 'hosts', 'hosts.ini', 'inventory-ansible')
def inventory_for(path):
    d = os.path.dirname(path)
    while True:
        for n in INV_NAMES:
            if os.path.isfile(os.path.join(d, n)): return os.path.join(d, n)
        if os.path.dirname(d) == copy or d == copy: return 'localhost,'
        d = os.path.dirname(d)

entries = []
for dirpath, dirs, files in os.walk(copy):
    dirs.sort()
    rel_dir = os.path.relpath(dirpath, copy)
    parts = rel_dir.split(os.sep)
    # task files, handlers and vars inside roles are never entry points
    if any(p in ('tasks', 'handlers', 'vars', 'defaults', 'meta', 'templates', 'files', 'group_vars', 'host_vars') for p in parts):
        continue
    for f in sorted(files):
        if not f.endswith(('.yml', '.yaml')): continue
        path = os.path.join(dirpath, f)
        if not is_playbook(path): continue
        inv = inventory_for(path)
        env = {**os.environ, 'ANSIBLE_ROLES_PATH': f'{roles}:{copy}/kubernetes-sigs__kubespray/roles', 'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_LOCALHOST_WARNING': 'False',
               'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'False', 'HOME': os.path.dirname(copy)}
        r = subprocess.run(['ansible-playbook', '--syntax-check', '-i', inv, path], cwd=dirpath, env=env,
                           capture_output=True, text=True, timeout=120)
        rel = os.path.relpath(path, copy)
        ok = r.returncode == 0
        entries.append({'playbook': rel, 'accepted': ok})
        lines = (r.stderr + r.stdout).split('\n')
        why = '' if ok else ' — ' + next((l for l in lines if l.startswith('ERROR!')), lines[0])[:160]
        print(f"{'ok ' if ok else 'NO '} {rel}{why}", file=sys.stderr)
entries.sort(key=lambda e: e['playbook'])
with open(out, 'w') as fh:
    json.dump({'ansible_core': subprocess.run(['ansible-playbook', '--version'], capture_output=True, text=True).stdout.split('\n')[0],
               'playbooks': entries}, fh, indent=2)
    fh.write('\n')
n = sum(e['accepted'] for e in entries)
print(f'{n} of {len(entries)} playbooks accepted by ansible-core', file=sys.stderr)
PY
