#!/usr/bin/env python3
"""Copies the test corpus out of git snapshots of public repositories (read with `git --git-dir=... show`).

usage: scripts/corpus-vendor.py MIRROR_DIR   (MIRROR_DIR holds <owner>+<repo>/repo git dirs)
Writes test/fixtures/corpus/<owner>__<repo>/ and test/fixtures/corpus/sources.json (repo, commit, licence file).
Only small text files that playbooks need are kept: playbooks, roles, inventories, group/host vars, templates.
"""
import json, os, re, subprocess, sys

MIRROR = sys.argv[1]
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'corpus')
MAX = 24_000  # bytes per file

ROLE_DIRS = ('defaults/', 'handlers/', 'meta/', 'tasks/', 'templates/', 'files/', 'vars/', 'molecule/default/converge.yml')
SKIP_NAMES = re.compile(r'(^|/)(\.github|\.gitlab-ci|docs|logo|test-infra|\.[^/]+$)|README|Vagrantfile|Dockerfile|\.(py|php|sh|tf|tfvars|png|jpg|crt|p8|key|pem|md|rb|txt|cfg|ini\.example|js|json|tpl)$')

SOURCES = {
    'geerlingguy/ansible-for-devops': {'licence': 'MIT', 'include': [''], 'exclude': [r'^collection/collections/', r'^dynamic-inventory/', r'^orchestration/scripts/']},
    'ansible/ansible-examples': {'licence': 'per folder (CC-BY-3.0 or MIT, see each LICENSE.md)', 'include': 'licensed-folders'},
    'kubernetes-sigs/kubespray': {'licence': 'Apache-2.0', 'include': [
        'contrib/os-services/', 'contrib/azurerm/generate-inventory.yml', 'contrib/azurerm/generate-inventory_2.yml',
        'contrib/azurerm/generate-templates.yml', 'contrib/azurerm/group_vars/', 'contrib/azurerm/roles/generate-inventory/',
        'contrib/azurerm/roles/generate-inventory_2/', 'contrib/azurerm/roles/generate-templates/defaults/',
        'contrib/azurerm/roles/generate-templates/tasks/', 'roles/adduser/', 'roles/bastion-ssh-config/', 'roles/bootstrap_os/',
        'playbooks/ansible_version.yml', 'extra_playbooks/wait-for-cloud-init.yml']},
}
for r in ['nginx', 'docker', 'mysql', 'apache', 'php', 'java', 'nodejs', 'git', 'firewall',
          'pip', 'repo-epel', 'repo-remi', 'memcached', 'php-mysql']:
    SOURCES[f'geerlingguy/ansible-role-{r}'] = {'licence': 'MIT', 'include': 'role'}

def git(gd, *args):
    return subprocess.run(['git', f'--git-dir={gd}', *args], check=True, capture_output=True).stdout

def is_text(b):
    if b'\0' in b: return False
    try: b.decode('utf-8'); return True
    except UnicodeDecodeError: return False

sources = []
for repo, spec in SOURCES.items():
    owner, name = repo.split('/')
    gd = os.path.join(MIRROR, f'{owner}+{name}', 'repo')
    commit = git(gd, 'rev-parse', 'HEAD').decode().strip()
    files = [l.split('\t', 1) for l in git(gd, 'ls-tree', '-r', '-l', 'HEAD').decode().splitlines()]
    files = [(p, int(meta.split()[3])) for meta, p in files if meta.split()[1] == 'blob' and meta.split()[3].isdigit()]
    paths = {p for p, _ in files}
    inc = spec['include']
    if inc == 'role':
        keep = lambda p: p.startswith(ROLE_DIRS) and (p.endswith(('.yml', '.yaml', '.j2')) or p.startswith(('files/', 'templates/')))
        licences = ['LICENSE']
    elif inc == 'licensed-folders':
        folders = sorted(p[:-len('LICENSE.md')] for p in paths if p.endswith('/LICENSE.md'))
        folders = [f for f in folders if not any(f != g and f.startswith(g) for g in folders)]
        keep = lambda p: any(p.startswith(f) for f in folders) and not SKIP_NAMES.search(p)
        licences = [f + 'LICENSE.md' for f in folders]
    else:
        ex = [re.compile(e) for e in spec.get('exclude', [])]
        keep = lambda p: any(p.startswith(i) for i in inc) and not SKIP_NAMES.search(p) and not any(e.search(p) for e in ex)
        licences = ['LICENSE']
    dest = os.path.join(ROOT, f'{owner}__{name}')
    n = 0
    for p, size in files:
        if p not in licences and (not keep(p) or size > MAX):
            continue
        data = git(gd, 'show', f'HEAD:{p}')
        if not is_text(data):
            continue
        out = os.path.join(dest, p)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, 'wb') as fh: fh.write(data)
        n += 1
    sources.append({'repo': repo, 'commit': commit, 'licence': spec['licence'], 'licence_files': licences, 'files': n})
    print(f'{repo}: {n} files')

with open(os.path.join(ROOT, 'sources.json'), 'w') as fh:
    json.dump(sources, fh, indent=2); fh.write('\n')
