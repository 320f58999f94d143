#!/usr/bin/python3
"""The oracle for community.general's data filters runbook has (json_query, dict, dict_kv, counter, version_sort):
what the collection's own plugins answer for every case below. Writes test/fixtures/jinja/general-oracle.json, which
test/unit/jinja/general.test.ts replays through runbook's Jinja.

Run: /usr/bin/python3 scripts/general-oracle.py   (needs Debian's `ansible` package, which carries community.general,
and python3-jmespath)

An answer is recorded as JSON; a failure as {"error": class name, "message"}.
"""
import json
import os
import warnings

warnings.filterwarnings('ignore')

from ansible_collections.community.general.plugins.filter import (  # noqa: E402
    counter, dict as dict_filter, dict_kv, json_query, version_sort)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'jinja', 'general-oracle.json')

FILTERS = {}
for mod in (counter, dict_filter, dict_kv, json_query, version_sort):
    FILTERS.update(mod.FilterModule().filters())

DOC = {
    'domain': {'server': [
        {'name': 'server11', 'cluster': 'cluster1', 'port': '8080', 'tags': ['a', 'b'], 'weight': 3},
        {'name': 'server12', 'cluster': 'cluster1', 'port': '8090', 'tags': ['b'], 'weight': 1},
        {'name': 'server21', 'cluster': 'cluster2', 'port': '9080', 'tags': [], 'weight': 2},
        {'name': 'server22', 'cluster': 'cluster2', 'port': '9090', 'weight': 5},
    ], 'cluster': [{'name': 'cluster1'}, {'name': 'cluster2'}], 'owner': None},
    'users': {'alice': {'uid': 1001, 'groups': ['wheel', 'dev']}, 'bob': {'uid': 1002, 'groups': ['dev']}},
    'nested': [[1, 2], [3, [4, 5]], 6],
    'mysql_users': [{'User': 'root', 'Host': 'localhost'}, {'User': '', 'Host': '%'}, {'User': 'app', 'Host': '%'}],
}
QUERIES = [
    'domain.cluster[*].name', 'domain.server[*].name', "domain.server[?cluster=='cluster2'].port",
    "domain.server[?cluster=='cluster2'].{name: name, port: port}", 'domain.server[0]', 'domain.server[-1].name',
    'domain.server[1:3].name', 'domain.server[::2].name', 'domain.server[*].tags[]', 'domain.server[].tags | []',
    'length(domain.server)', 'sort_by(domain.server, &weight)[*].name', 'max_by(domain.server, &weight).name',
    'min_by(domain.server, &weight).name', 'sum(domain.server[*].weight)', 'avg(domain.server[*].weight)',
    "join(', ', domain.server[*].name)", "domain.server[?contains(tags || `[]`, 'b')].name",
    "domain.server[?starts_with(name, 'server2')].name", 'keys(users)', 'values(users)[*].uid',
    'users.*.groups[]', "users.alice.groups[?@ != 'dev']", 'nested[]', 'nested[][]', 'domain.owner',
    'domain.missing', 'missing.deeper', 'domain.server[?weight > `2`].name', 'domain.server[?!tags].name',
    'domain.server[?tags && length(tags) > `0`].name', 'to_string(domain.server[0].weight)', 'to_number(`"42"`)',
    'type(domain)', 'not_null(domain.missing, domain.owner, `"x"`)', "merge(users.alice, `{\"uid\": 0}`)",
    'map(&name, domain.server)', 'reverse(domain.server[*].name)', 'sort(domain.server[*].port)',
    "mysql_users[?User==''].Host", "mysql_users[?User!=''].[User, Host]", '@.domain.cluster | [0]',
    'domain.server[*].[name, weight] | [0]', 'ceil(`1.5`)', 'floor(`1.5`)', 'abs(`-3`)',
    "ends_with('server11', '11')", 'domain.server[?port == `8080`]', 'domain.[cluster, owner]', '`true`',
    "'literal'", 'domain.server[', 'length(`1`)', 'foo(@)', '',
]
cases = [['json_query', DOC, [q]] for q in QUERIES]
cases += [['json_query', 'a string', ['@']], ['json_query', [1, 2, 3], ['[?@ > `1`]']], ['json_query', None, ['a']]]
for v in [[['a', 1], ['b', 2]], [['a', 1], ['a', 2]], [], [['k', [1, 2]], ('t', {'x': 1})], ['ab', 'cd'],
          [['a', 1, 2]], [1, 2], {'a': 1}]:
    cases.append(['dict', v, []])
for v, k in [('myvalue', 'thatsmyvar'), ([1, 2], 'list'), ({'a': 1}, 'd'), (None, 'none'), ('x', 5)]:
    cases.append(['dict_kv', v, [k]])
for v in [['a', 'b', 'a', 'c', 'a'], 'hello', [], [1, 2, 1], ['1', '1'], 5, [[1], [1]]]:
    cases.append(['counter', v, []])
VERSIONS = ['2.10', '2.9', '2.9.1', '1.0', '10.0', '1.0.0', '0.9', 'v1.2', '1.2rc1', '1.2', '1.2.0']
for v, args in [(VERSIONS[:7], []), (VERSIONS[:7], [True]), (['1.2rc1', '1.2', '1.2a'], []), (['1.0', '1.0.0', '1'], []),
                (['1.0', '1.0.0', '1'], [True]), (['v1.2', 'v1.10', 'v1.9'], []), (['1.2', 'v1.2'], []), ([], [])]:
    cases.append(['version_sort', v, args])

out = []
for name, value, args in cases:
    rec = {'filter': name, 'value': value, 'args': args}
    try:
        rec['result'] = FILTERS[name](value, *args)
        json.dumps(rec['result'])
    except Exception as e:  # noqa: BLE001 — every failure is an answer the oracle records
        rec.pop('result', None)
        rec['error'] = type(e).__name__
        rec['message'] = str(e).splitlines()[-1] if str(e) else ''
    out.append(rec)

manifest = json.load(open('/usr/lib/python3/dist-packages/ansible_collections/community/general/MANIFEST.json'))
with open(OUT, 'w') as f:
    json.dump({'source': 'community.general ' + manifest['collection_info']['version'] + ', jmespath '
               + __import__('jmespath').__version__, 'cases': out}, f, indent=1)
    f.write('\n')
print(f'{len(out)} cases → {os.path.relpath(OUT, ROOT)}')
