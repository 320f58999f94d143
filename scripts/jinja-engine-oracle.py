#!/usr/bin/env python3
"""Records what Python's Jinja2 (Ansible's engine) renders for the template cases of test/unit/jinja/engine.test.ts.

Run: python3 scripts/jinja-engine-oracle.py > test/fixtures/jinja/engine-oracle.json
Ansible renders with trim_blocks=True, lstrip_blocks=False and keeps the trailing newline of a template file.
"""
import json
import jinja2

CTX = {
    "users": [{"name": "ann", "uid": 1001, "admin": True}, {"name": "bob", "uid": 1002, "admin": False}],
    "ports": [80, 443],
    "conf": {"listen": "0.0.0.0", "workers": 4},
    "empty": [],
    "flag": True,
    "name": "web",
    "nested": {"a": {"b": [1, 2, {"c": "deep"}]}},
}

CASES = [
    "a\n{% if flag %}\nyes\n{% endif %}\nb\n",
    "{% for u in users %}\n{{ u.name }}:{{ u.uid }}\n{% endfor %}\n",
    "{% for u in users -%}\n  {{ u.name }}\n{%- endfor %}",
    "{% for p in ports %}{{ loop.index }}/{{ loop.length }}{{ ',' if not loop.last }}{% endfor %}",
    "{% for p in empty %}x{% else %}none{% endfor %}",
    "{% for k, v in conf.items() %}\n{{ k }}={{ v }}\n{% endfor %}",
    "{% for k in conf | dictsort %}{{ k[0] }}{% endfor %}",
    "{% set x = 1 %}{% for i in ports %}{% set x = i %}{% endfor %}{{ x }}",
    "{% set ns = namespace(found=false) %}{% for u in users %}{% if u.admin %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}",
    "{% macro row(k, v='-') %}[{{ k }}={{ v }}]{% endmacro %}{{ row('a') }}{{ row('b', 2) }}{{ row(v=3, k='c') }}",
    "{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inner{% endcall %}",
    "{% filter upper %}shout {{ name }}{% endfilter %}",
    "{% set block %}\nline {{ name }}\n{% endset %}[{{ block }}]",
    "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}",
    "{% raw %}{{ not rendered }}{% endraw %}",
    "  {%- if flag %} tight {% endif -%}  \n",
    "{# comment #}\nafter\n",
    "{{ users | map(attribute='name') | join(', ') }}",
    "{{ users | selectattr('admin') | map(attribute='name') | list }}",
    "{{ conf }} {{ ports }} {{ flag }} {{ none }} {{ 1.5 }} {{ 'it''s' }}",
    "{{ nested.a.b[2].c }} {{ nested['a']['b'][0] }} {{ ports[-1] }} {{ ports[:1] }}",
    "{% if name is defined and name.startswith('w') %}w{% elif name %}other{% else %}none{% endif %}",
    "{{ '%s:%d' % (name, 80) }}",
    "{{ 'x' if flag else 'y' }}{{ 'z' if not flag }}",
    "{% for i in range(3) %}{{ loop.cycle('a', 'b') }}{% endfor %}",
    "{% for u in users if u.admin %}{{ u.name }}{% endfor %}",
    "{{ (ports | first) + 1 }} {{ ports | sum }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 3 }} {{ 'a' ~ 1 }}",
    "{{ {'b': 1, 'a': [1, 'x']} }}",
    "{% for a, b in [[1, 2], [3, 4]] %}{{ a }}{{ b }};{% endfor %}",
    "{{ users[0].name | upper }}{{ name | length }}",
    "{% set items = [] %}{% for p in ports %}{% set _ = items.append(p * 2) %}{% endfor %}{{ items }}",
    "{{ conf.get('missing', 'dflt') }} {{ conf.keys() | list }} {{ 'a,b'.split(',') }}",
    "line1\nline2\n\n",
    "{% if flag %}\n  indented\n{% endif %}\n",
    "{%+ if flag %}keep{% endif +%}\nnext",
]

env = jinja2.Environment(trim_blocks=True, lstrip_blocks=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
                         finalize=lambda v: "" if v is None else v,  # Ansible: None writes nothing
                         extensions=["jinja2.ext.do"])
out = []
for src in CASES:
    try:
        out.append({"template": src, "output": env.from_string(src).render(**CTX)})
    except Exception as e:  # recorded so the test expects an error too
        out.append({"template": src, "error": f"{type(e).__name__}: {e}"})
print(json.dumps({"context": CTX, "cases": out}, indent=1))
