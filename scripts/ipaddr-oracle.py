#!/usr/bin/python3
"""The IP filters' oracle: what ansible.utils' own filter plugins (with python3-netaddr) answer for every case below.
Writes test/fixtures/jinja/ipaddr-oracle.json, which test/unit/jinja/ipaddr.test.ts replays through runbook's Jinja.

Run: /usr/bin/python3 scripts/ipaddr-oracle.py   (needs Debian's `ansible` package, which carries the ansible.utils
collection, and python3-netaddr; `scripts/setup.sh --tests` installs both)

Each case is [filter, value, args]; the plugin is called as Ansible calls it (the environment first, then the value
and the arguments). An answer is recorded as JSON; an integer past 2**53 as {"bigint": "…"}; a failure as {"error":
class name, "message"}.
"""
import json
import os
import warnings

warnings.filterwarnings('ignore')
os.environ.setdefault('ANSIBLE_LOCAL_TEMP', '/tmp')

from ansible.utils.display import Display  # noqa: E402

Display().warning = lambda *a, **k: None  # ipaddr warns on values that are no address; the oracle records the answer

from ansible_collections.ansible.utils.plugins.filter import (  # noqa: E402
    cidr_merge, ip4_hex, ipaddr, ipmath, ipsubnet, ipv4, ipv6, ipwrap, network_in_network, network_in_usable,
    next_nth_usable, nthhost, previous_nth_usable, reduce_on_network, usable_range)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'jinja', 'ipaddr-oracle.json')

FILTERS = {}
for mod in (cidr_merge, ip4_hex, ipaddr, ipmath, ipsubnet, ipv4, ipv6, ipwrap, network_in_network, network_in_usable,
            next_nth_usable, nthhost, previous_nth_usable, reduce_on_network, usable_range):
    FILTERS.update(mod.FilterModule().filters())

V4 = ['192.168.1.5', '192.168.1.5/24', '192.168.1.0/24', '192.168.1.255/24', '10.0.0.0/8', '10/8', '192.168/16',
      '010.1.1.1', '1.2.3.4/255.255.0.0', '1.2.3.4/0.0.255.255', '10.0.0.0/31', '10.0.0.1/31', '10.0.0.5/32',
      '10.0.0.0/30', '10.0.0.1/30', '10.0.0.2/30', '10.0.0.3/30', '0.0.0.0', '0.0.0.0/0', '255.255.255.255',
      '127.0.0.1', '169.254.3.4', '224.0.0.1', '239.1.2.3/24', '8.8.8.8', '100.64.1.1', '172.16.5.4/12', '192.0.2.1',
      '192.88.99.1', '1.2.3.4/33', '256.1.1.1', '1.2.3', '167772160/8', '167772161', '10.0.0.1/24 ']
V6 = ['::1', '::', 'fe80::1', 'fe80::1/64', '2001:db8::/32', '2001:db8::5/64', '2001:db8:0:1:0:0:0:1',
      '::ffff:1.2.3.4', '::1.2.3.4', '::ffff:0:0/96', '::ffff:10.0.0.1/120', '2002:c000:0204::1', '2002::/16', 'ff02::1',
      'fc00::1/7', 'fd12:3456::1/48', '::5/64', '2001:db8::1/127', '2001:db8::/126', '2001:db8::1/126', '1:0:0:1::',
      '0:0:1:0:0:0:0:0', 'ABCD::EF', 'fe80::1%eth0', '1::2::3', '2001:db8::/ffff:ffff::', '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1.2.3.4::', '::/0']
ODD = ['example.com', '', 167772161, 0, 5, True, False, '4294967296', '340282366920938463463374607431768211456',
       ['192.168.1.1', 'example', '::1', 5, '10.0.0.0/24', '2001:db8::/64']]
QUERIES = ['', '6to4', 'address', 'address/prefix', 'bool', 'broadcast', 'cidr', 'first_usable', 'gateway', 'host',
           'hostmask', 'int', 'ip', 'ip/prefix', 'ip_netmask', 'ipv4', 'ipv6', 'last_usable', 'link-local', 'lo',
           'multicast', 'net', 'netmask', 'network', 'network/prefix', 'network_netmask', 'network_wildcard',
           'next_usable', 'peer', 'prefix', 'previous_usable', 'private', 'public', 'range_usable', 'revdns', 'size',
           'size_usable', 'subnet', 'type', 'unicast', 'v4', 'v6', 'version', 'wildcard', 'wrap', '192.168.0.0/16',
           '10.0.0.0/8', '2001:db8::/32', '0', '1', '-1', '2', '255', '256', '1.5', 1, -1, 'bogus']

cases = []
for value in V4 + V6 + ODD:
    for q in QUERIES:
        cases.append(['ipaddr', value, [q]])
for value in V4[:8] + V6[:10] + ODD:
    for q in ['', 'address', 'network', 'prefix', 'public', '10.0.0.0/8', '1']:
        cases.append(['ipv4', value, [q]])
        cases.append(['ipv6', value, [q]])
for value in V4[:6] + V6[:12] + ['example.com', True, 5, ['::1', '10.0.0.1', 'host', '2001:db8::/64']]:
    for q in ['', 'address', 'network']:
        cases.append(['ipwrap', value, [q]])
for value in ['192.168.1.5', '192.168.1.5/24', '::1', '2001:db8::ff', '0.0.0.1', '255.255.255.254', '10', '0x0a000001',
              '1.2', 'bogus', '::ffff:1.2.3.4']:
    for amount in [1, -1, 256, 5, '3', 1.5]:
        cases.append(['ipmath', value, [amount]])
for value in ['10.0.0.0/24', '10.0.0.5/24', '10.0.0.5', '2001:db8::/64', '10.0.0.0/30', 'bogus', 167772160]:
    for n in ['0', '1', '-1', '5', '300', '-300', '', 'x', 2]:
        cases.append(['nthhost', value, [n]])
for value in ['10.0.0.0/24', '10.0.0.5/24', '10.0.0.254/24', '10.0.0.5', '10.0.0.0/31', '2001:db8::/64', '::5/64',
              'bogus']:
    for n in [1, 2, 300, '3', 0]:
        cases.append(['next_nth_usable', value, [n]])
        cases.append(['previous_nth_usable', value, [n]])
PAIRS = [('192.168.0.0/24', '192.168.0.1'), ('192.168.0.0/24', '192.168.0.0'), ('192.168.0.0/24', '192.168.0.255'),
         ('192.168.0.0/24', '192.168.0.0/25'), ('192.168.0.0/24', '192.168.1.0/24'), ('192.168.0.0/16', '192.168.3.0/24'),
         ('10.0.0.0/31', '10.0.0.1'), ('10.0.0.0/31', '10.0.0.0'), ('2001:db8::/64', '2001:db8::1'),
         ('2001:db8::/64', '2001:db9::1'), ('192.168.0.0/24', 'bogus'), ('bogus', '10.0.0.1'), ('10.0.0.5', '10.0.0.5')]
for a, b in PAIRS:
    cases.append(['network_in_usable', a, [b]])
    cases.append(['network_in_network', a, [b]])
for net in ['192.168.0.0/24', '10.0.0.0/8', '2001:db8::/32']:
    cases.append(['reduce_on_network', ['192.168.0.34', '10.3.0.3', '192.168.2.34', '192.168.0.0/25', '2001:db8::1',
                                        'bogus'], [net]])
for value, args in [('192.168.144.5', []), ('192.168.144.5', ['20']), ('192.168.144.5', ['18', '0']),
                    ('192.168.144.5', ['18', '-1']), ('192.168.144.5', ['20', 5]), ('192.168.0.0/16', ['20']),
                    ('192.168.0.0/16', ['20', '0']), ('192.168.0.0/16', ['20', '15']), ('192.168.0.0/16', ['20', '16']),
                    ('192.168.0.0/16', ['20', '-1']), ('192.168.0.0/16', ['8']), ('192.168.0.0/16', ['33']),
                    ('192.168.144.0/20', ['192.168.0.0/16']), ('192.168.144.5', ['192.168.0.0/16']),
                    ('10.0.0.0/24', ['192.168.0.0/16']), ('2001:db8::/32', ['48', '2']), ('2001:db8::/32', ['40']),
                    ('bogus', ['20']), ('10.1.2.3/24', [])]:
    cases.append(['ipsubnet', value, args])
for args in [[['192.168.0.0/17', '192.168.128.0/17', '10.0.0.1', '10.0.0.0/31', '2001:db8::/64', '2001:db8:0:1::/64']],
             [['192.168.1.1', '192.168.1.2', '192.168.1.3']], [[]], [['10.0.0.5/24', '10.0.0.0/25']]]:
    cases.append(['cidr_merge', args[0], []])
for value in [['192.168.1.1', '192.168.1.9'], ['10.0.0.0/24', '10.0.8.0/24', '10.0.3.3'], ['10.0.0.5/24'], [],
              ['10.0.0.1', '::1'], ['2001:db8::1', '2001:db8::ffff']]:
    cases.append(['cidr_merge', value, ['span']])
cases.append(['cidr_merge', ['10.0.0.0/24'], ['bogus']])
for value, args in [('192.168.1.5', []), ('192.168.1.5', [':']), ('10.0.0.255', ['-'])]:
    cases.append(['ip4_hex', value, args])
for value in ['10.0.0.0/30', '10.0.0.0/31', '10.0.0.5/32', '2001:db8::/126', '::ffff:0:0/126', '10.0.0.1/30', 'bogus']:
    cases.append(['usable_range', value, []])

MAX_SAFE = 2 ** 53 - 1


def encode(x):
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, int):
        return x if abs(x) <= MAX_SAFE else {'bigint': str(x)}
    if isinstance(x, (list, tuple)):
        return [encode(e) for e in x]
    if isinstance(x, dict):
        return {k: encode(v) for k, v in x.items()}
    return str(x)


out = []
for name, value, args in cases:
    rec = {'filter': name, 'value': value, 'args': args}
    try:
        # usable_range alone is a plain function; the others take Jinja's environment first
        call = FILTERS[name] if name == 'usable_range' else (lambda *a, f=FILTERS[name]: f(None, *a))
        rec['result'] = encode(call(value, *args))
    except Exception as e:  # noqa: BLE001 — every failure is an answer the oracle records
        rec['error'] = type(e).__name__
        rec['message'] = str(e).splitlines()[0] if str(e) else ''
    out.append(rec)

with open(OUT, 'w') as f:
    json.dump({'source': 'ansible.utils ' + json.load(open(
        '/usr/lib/python3/dist-packages/ansible_collections/ansible/utils/MANIFEST.json'))['collection_info']['version']
        + ', netaddr ' + __import__('netaddr').__version__, 'cases': out}, f, indent=0)
    f.write('\n')
print(f'{len(out)} cases → {os.path.relpath(OUT, ROOT)}')
