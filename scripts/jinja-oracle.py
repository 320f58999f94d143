#!/usr/bin/env python3
"""The Jinja oracle: what Python's Jinja2, with Ansible's filters and tests, makes of every case in
test/fixtures/jinja/expressions.yaml. Writes test/fixtures/jinja/oracle.json.

Run: python3 scripts/jinja-oracle.py   (needs python3-jinja2 and python3-yaml)

Environment as Ansible's template module sets it up: trim_blocks=True, and Ansible's StrictUndefined subclass (attribute
and item access on an undefined value stay undefined, as in ansible-core's AnsibleUndefined); keep_trailing_newline is
True and None renders as '' (Ansible's finalize). Expressions are treated as "{{ }}" in a playbook's YAML: Ansible
doubles the backslashes of their string literals first (ansible.template._escape_backslashes); templates are not. Ansible-only filters and tests are small
reimplementations written after the behaviour of ansible-core's plugins/filter/core.py, mathstuff.py and
plugins/test/core.py (not copies): enough for the everyday uses the cases exercise.

Each expression is recorded twice: `value` is env.compile_expression(expr, undefined_to_none=False)(**ctx) as JSON
(tuples, generators and dict views become lists; `type` keeps the Python type name), and `rendered` is
str(env.from_string('{{ expr }}').render(ctx)) (None → ''). A failure is recorded as {class, message} in value_error or
render_error instead.
"""
import base64
import hashlib
import itertools
import json
import math
import os
import re
import shlex
import sys
from collections.abc import Mapping, Sequence

import jinja2
import yaml
from jinja2 import StrictUndefined, Undefined
from markupsafe import Markup

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
SRC = os.path.join(ROOT, 'test', 'fixtures', 'jinja', 'expressions.yaml')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'jinja', 'oracle.json')


class FilterError(Exception):
    """Ansible raises AnsibleFilterError; the class name is what the oracle records."""


# ---- Ansible filters (after plugins/filter/core.py and mathstuff.py) ----

def to_bool(a):
    if a is None or isinstance(a, bool):
        return a
    if isinstance(a, str):
        a = a.lower()
    return a in ('yes', 'on', '1', 'true', 1)


def ternary(value, true_val, false_val, none_val=None):
    if value is None and none_val is not None:
        return none_val
    return true_val if bool(value) else false_val


def _text(v):
    return v if isinstance(v, str) else str(v)


def _flags(ignorecase=False, multiline=False):
    return (re.I if ignorecase else 0) | (re.M if multiline else 0)


def regex_replace(value='', pattern='', replacement='', ignorecase=False, multiline=False):
    return re.compile(pattern, _flags(ignorecase, multiline)).sub(replacement, _text(value))


def regex_findall(value, regex, multiline=False, ignorecase=False):
    return re.findall(regex, _text(value), _flags(ignorecase, multiline))


def regex_search(value, regex, *args, **kwargs):
    groups = []
    for arg in args:
        if arg.startswith('\\g'):
            groups.append(re.match(r'\\g<(\S+)>', arg).group(1))
        elif arg.startswith('\\'):
            groups.append(int(re.match(r'\\(\d+)', arg).group(1)))
        else:
            raise FilterError('Unknown argument')
    m = re.search(regex, _text(value), _flags(kwargs.get('ignorecase'), kwargs.get('multiline')))
    if m:
        return m.group() if not groups else [m.group(g) for g in groups]
    return None


def regex_escape(string, re_type='python'):
    if re_type == 'python':
        return re.escape(string)
    raise FilterError('Invalid regex type (%s)' % re_type)


def to_json(a, *args, **kw):
    return json.dumps(a, *args, **kw)


def to_nice_json(a, indent=4, sort_keys=True, *args, **kw):
    return json.dumps(a, indent=indent, sort_keys=sort_keys, separators=(',', ': '), *args, **kw)


def to_yaml(a, *args, **kw):
    return yaml.safe_dump(a, allow_unicode=True, default_flow_style=kw.pop('default_flow_style', None), **kw)


def from_yaml(data):
    return yaml.safe_load(data) if isinstance(data, str) else data


def quote(a):
    return shlex.quote(_text(a))


def mandatory(a, msg=None):
    if isinstance(a, Undefined):
        name = "'%s' " % a._undefined_name if a._undefined_name is not None else ''
        raise FilterError(msg or 'Mandatory variable %s not defined.' % name)
    return a


def get_hash(data, hashtype='sha1'):
    h = hashlib.new(hashtype)
    h.update(_text(data).encode('utf-8'))
    return h.hexdigest()


def _merge(x, y, recursive, list_merge):
    if not isinstance(x, Mapping) or not isinstance(y, Mapping):
        raise FilterError('combine expects dictionaries')
    out = dict(x)
    for k, yv in y.items():
        xv = out.get(k)
        if k not in out:
            out[k] = yv
        elif recursive and isinstance(xv, Mapping) and isinstance(yv, Mapping):
            out[k] = _merge(xv, yv, recursive, list_merge)
        elif isinstance(xv, list) and isinstance(yv, list) and list_merge != 'replace':
            out[k] = {'keep': xv, 'append': xv + yv, 'prepend': yv + xv,
                      'append_rp': [i for i in xv if i not in yv] + yv,
                      'prepend_rp': yv + [i for i in xv if i not in yv]}[list_merge]
        else:
            out[k] = yv
    return out


def combine(*terms, **kwargs):
    recursive = kwargs.pop('recursive', False)
    list_merge = kwargs.pop('list_merge', 'replace')
    if kwargs:
        raise FilterError("'recursive' and 'list_merge' are the only valid keyword arguments")
    dicts = []
    for t in terms:
        dicts.extend(t if isinstance(t, list) else [t])
    out = {}
    for d in dicts:
        out = _merge(out, d, recursive, list_merge)
    return out


def dict2items(mydict, key_name='key', value_name='value'):
    if not isinstance(mydict, Mapping):
        raise FilterError('dict2items requires a dictionary, got %s instead.' % type(mydict))
    return [{key_name: k, value_name: v} for k, v in mydict.items()]


def items2dict(mylist, key_name='key', value_name='value'):
    if not isinstance(mylist, list):
        raise FilterError('items2dict requires a list, got %s instead.' % type(mylist))
    return {item[key_name]: item[value_name] for item in mylist}


def _is_seq(x):
    return isinstance(x, Sequence) and not isinstance(x, str)


def flatten(mylist, levels=None, skip_nulls=True):
    ret = []
    for element in mylist:
        if skip_nulls and element in (None, 'None', 'null'):
            continue
        if _is_seq(element):
            if levels is None:
                ret.extend(flatten(element, skip_nulls=skip_nulls))
            elif levels >= 1:
                ret.extend(flatten(element, levels=int(levels) - 1, skip_nulls=skip_nulls))
            else:
                ret.append(element)
        else:
            ret.append(element)
    return ret


def _unique(a):
    out = []
    for x in a:
        if x not in out:
            out.append(x)
    return out


def union(a, b):
    return _unique(list(a) + list(b))


def intersect(a, b):
    return [x for x in _unique(a) if x in b]


def difference(a, b):
    return [x for x in _unique(a) if x not in b]


def symmetric_difference(a, b):
    i = intersect(a, b)
    return [x for x in union(a, b) if x not in i]


def logarithm(x, base=math.e):
    return math.log10(x) if base == 10 else math.log(x, base)


def inversepower(x, base=2):
    return math.sqrt(x) if base == 2 else math.pow(x, 1.0 / float(base))


@jinja2.pass_environment
def extract(environment, item, container, morekeys=None):
    value = environment.getitem(container, item)
    if morekeys is not None:
        for key in (morekeys if isinstance(morekeys, list) else [morekeys]):
            value = environment.getitem(value, key)
    return value


def path_join(paths):
    return os.path.join(*paths) if not isinstance(paths, str) else paths


ANSIBLE_FILTERS = {
    'bool': to_bool, 'ternary': ternary, 'to_json': to_json, 'to_nice_json': to_nice_json,
    'from_json': json.loads, 'to_yaml': to_yaml, 'from_yaml': from_yaml, 'quote': quote, 'mandatory': mandatory,
    'regex_replace': regex_replace, 'regex_search': regex_search, 'regex_findall': regex_findall,
    'regex_escape': regex_escape, 'basename': os.path.basename, 'dirname': os.path.dirname,
    'splitext': os.path.splitext, 'path_join': path_join, 'b64encode': lambda s: base64.b64encode(_text(s).encode()).decode(),
    'b64decode': lambda s: base64.b64decode(_text(s)).decode(), 'hash': get_hash, 'checksum': get_hash,
    'md5': lambda s: get_hash(s, 'md5'), 'sha1': get_hash, 'combine': combine, 'dict2items': dict2items,
    'items2dict': items2dict, 'flatten': flatten, 'extract': extract, 'union': union, 'intersect': intersect,
    'difference': difference, 'symmetric_difference': symmetric_difference, 'zip': zip,
    'zip_longest': itertools.zip_longest, 'product': itertools.product, 'pow': math.pow, 'root': inversepower,
    'log': logarithm, 'split': lambda s, sep=None, maxsplit=-1: _text(s).split(sep, maxsplit),
}


# ---- Ansible tests (after plugins/test/core.py and mathstuff.py) ----

def _regex(value='', pattern='', ignorecase=False, multiline=False, match_type='search'):
    f = getattr(re.compile(pattern, _flags(ignorecase, multiline)), match_type)
    return bool(f(_text(value)))


def _loose(v):
    parts = [p for p in re.split(r'(\d+|[a-z]+|\.)', str(v).lower()) if p and p != '.']
    return [int(p) if p.isdigit() else p for p in parts]


def version_compare(value, version, operator='eq', strict=False, version_type=None):
    ops = {'==': 'eq', '=': 'eq', 'eq': 'eq', '<': 'lt', 'lt': 'lt', '<=': 'le', 'le': 'le', '>': 'gt', 'gt': 'gt',
           '>=': 'ge', 'ge': 'ge', '!=': 'ne', '<>': 'ne', 'ne': 'ne'}
    if operator not in ops:
        raise FilterError('Invalid operator type (%s)' % operator)
    a, b = _loose(value), _loose(version)
    return {'eq': a == b, 'lt': a < b, 'le': a <= b, 'gt': a > b, 'ge': a >= b, 'ne': a != b}[ops[operator]]


ANSIBLE_TESTS = {
    'match': lambda v, p, ignorecase=False, multiline=False: _regex(v, p, ignorecase, multiline, 'match'),
    'search': lambda v, p, ignorecase=False, multiline=False: _regex(v, p, ignorecase, multiline, 'search'),
    'regex': _regex, 'version': version_compare, 'version_compare': version_compare,
    'subset': lambda a, b: set(a) <= set(b), 'superset': lambda a, b: set(a) >= set(b),
    'contains': lambda seq, value: value in seq, 'any': any, 'all': all, 'abs': os.path.isabs,
}


class AnsibleUndefined(StrictUndefined):
    """Ansible's StrictUndefined: attribute and item access on an undefined value stay undefined (so
    `missing.deeper | default('x')` works), any other use fails as StrictUndefined does."""

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return self

    def __getitem__(self, key):
        return self


@jinja2.pass_environment
def unique(environment, a, case_sensitive=None, attribute=None):
    """Ansible's unique returns a list (Jinja's returns a generator)."""
    from jinja2.filters import do_unique
    return list(do_unique(environment, a, case_sensitive=bool(case_sensitive), attribute=attribute))


def escape_backslashes(data, env):
    """Ansible's Templar doubles the backslashes of string literals inside {{ }} of a template that came from YAML
    (so '\\1' in a playbook reaches re.sub as \\1); template files are rendered without this."""
    if '\\' not in data or '{{' not in data:
        return data
    out, in_var = [], False
    for _, kind, value in env.lex(env.preprocess(data)):
        if kind == 'variable_begin':
            in_var = True
        elif kind == 'variable_end':
            in_var = False
        elif in_var and kind == 'string':
            value = value.replace('\\', '\\\\')
        out.append(value)
    return ''.join(out)


def finalize(thing):
    """Ansible renders None as the empty string."""
    return '' if thing is None else thing


def make_env():
    env = jinja2.Environment(trim_blocks=True, undefined=AnsibleUndefined, keep_trailing_newline=True, finalize=finalize)
    env.filters['unique'] = unique
    env.filters.update(ANSIBLE_FILTERS)
    env.tests.update(ANSIBLE_TESTS)
    return env


def jsonable(v):
    if isinstance(v, Undefined):
        str(v)  # StrictUndefined raises UndefinedError here
        raise jinja2.UndefinedError('undefined value')
    if isinstance(v, Markup):
        return str(v)
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, Mapping):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)) or hasattr(v, '__iter__'):
        return [jsonable(x) for x in v]
    return repr(v)


def err(e):
    return {'class': type(e).__name__, 'message': str(e).split('\n')[0]}


def main():
    with open(SRC) as fh:
        spec = yaml.safe_load(fh)
    ctx = spec['context']
    env = make_env()
    cases = []
    for category, exprs in spec['expressions'].items():
        for i, expr in enumerate(exprs):
            c = {'id': f'expr/{category}/{i}', 'kind': 'expression', 'category': category, 'source': expr}
            try:
                wrapped = escape_backslashes('{{ ' + expr + ' }}', env)
                v = env.compile_expression(wrapped[3:-3], undefined_to_none=False)(**ctx)
                c['type'] = type(v).__name__
                c['value'] = jsonable(v)
            except Exception as e:  # noqa: BLE001 - the error itself is the recorded outcome
                c['value_error'] = err(e)
            try:
                c['rendered'] = str(env.from_string(escape_backslashes('{{ ' + expr + ' }}', env)).render(ctx))
            except Exception as e:  # noqa: BLE001
                c['render_error'] = err(e)
            cases.append(c)
    for category, tpls in spec['templates'].items():
        for i, tpl in enumerate(tpls):
            c = {'id': f'template/{category}/{i}', 'kind': 'template', 'category': category, 'source': tpl}
            try:
                c['rendered'] = str(env.from_string(tpl).render(ctx))
            except Exception as e:  # noqa: BLE001
                c['render_error'] = err(e)
            cases.append(c)
    out = {
        'generator': 'scripts/jinja-oracle.py',
        'jinja2': jinja2.__version__,
        'python': sys.version.split()[0],
        'environment': {'trim_blocks': True, 'undefined': 'StrictUndefined (chainable, as AnsibleUndefined)', 'keep_trailing_newline': True, 'finalize': 'None renders as empty string', 'expressions': 'backslashes in string literals doubled as Ansible does for YAML templates'},
        'context': ctx,
        'cases': cases,
    }
    with open(OUT, 'w') as fh:
        json.dump(out, fh, indent=1, ensure_ascii=False)
        fh.write('\n')
    errs = sum(1 for c in cases if 'value_error' in c or 'render_error' in c)
    print(f'{len(cases)} cases ({errs} with an error) -> {os.path.relpath(OUT, ROOT)}')


if __name__ == '__main__':
    main()
