#!/usr/bin/env python3
"""Records what Python says for the filter and test cases of test/unit/jinja/filters.test.ts.

Jinja2 builtins are run by jinja2 itself (`v | name(*a, **kw)` / `v is name(*a, **kw)`). Ansible's filters and tests
are not installed here, so the few whose semantics are simple and certain are written below as Ansible's source has
them (re, json, yaml, crypt, shlex, hashlib, distutils, packaging); the rest are tested by hand in the TS test.

Run: python3 scripts/jinja-filters-oracle.py > test/fixtures/jinja/filters-oracle.json
"""
import base64
import hashlib
import itertools
import json
import math
import os.path
import re
import shlex
import sys
import uuid
import warnings
from urllib.parse import urlsplit

import jinja2
import yaml
from markupsafe import Markup

warnings.filterwarnings("ignore")
import crypt  # noqa: E402
from distutils.version import LooseVersion, StrictVersion  # noqa: E402

from packaging.version import Version as PEP440Version  # noqa: E402

UNDEF = {"$undefined": "x"}


# --- Ansible filters, as ansible/plugins/filter/core.py and mathstuff.py define them -------------------------------
def to_bool(a):
    if a is None or isinstance(a, bool):
        return a
    if isinstance(a, str):
        a = a.lower()
    return a in ("yes", "on", "1", "true", "y", 1)


def regex_replace(value="", pattern="", replacement="", ignorecase=False, multiline=False, count=0, mandatory_count=0):
    flags = (re.I if ignorecase else 0) | (re.M if multiline else 0)
    out, subs = re.compile(pattern, flags=flags).subn(replacement, value, count=count)
    if mandatory_count and mandatory_count != subs:
        raise ValueError("'%s' should match %d times, but matches %d times in '%s'" % (pattern, mandatory_count, subs, value))
    return out


def regex_search(value, regex, *args, **kwargs):
    groups = []
    for arg in args:
        if arg.startswith("\\g"):
            groups.append(re.match(r"\\g<(\S+)>", arg).group(1))
        elif arg.startswith("\\"):
            groups.append(int(re.match(r"\\(\d+)", arg).group(1)))
    flags = (re.I if kwargs.get("ignorecase") else 0) | (re.M if kwargs.get("multiline") else 0)
    m = re.search(regex, value, flags)
    if m:
        return m.group() if not groups else [m.group(g) for g in groups]
    return None


def regex_findall(value, regex, multiline=False, ignorecase=False):
    flags = (re.I if ignorecase else 0) | (re.M if multiline else 0)
    return re.findall(regex, value, flags)


def flatten(mylist, levels=None, skip_nulls=True):
    ret = []
    for element in mylist:
        if skip_nulls and element in (None, "None", "null"):
            continue
        elif isinstance(element, list):
            if levels is None:
                ret.extend(flatten(element, skip_nulls=skip_nulls))
            elif levels >= 1:
                ret.extend(flatten(element, levels=(int(levels) - 1), skip_nulls=skip_nulls))
            else:
                ret.append(element)
        else:
            ret.append(element)
    return ret


def dict2items(d, key_name="key", value_name="value"):
    return [{key_name: k, value_name: v} for k, v in d.items()]


def items2dict(items, key_name="key", value_name="value"):
    return dict((i[key_name], i[value_name]) for i in items)


def ternary(value, true_val, false_val, none_val=None):
    if value is None and none_val is not None:
        return none_val
    return true_val if bool(value) else false_val


def uniq(a):
    out = []
    for x in a:
        if x not in out:
            out.append(x)
    return out


def password_hash(pw, hashtype="sha512", salt=None, rounds=None):
    ident = {"sha512": "6", "sha256": "5", "md5": "1"}[hashtype]
    r = "" if rounds is None or rounds == 5000 else "rounds=%d$" % rounds
    return crypt.crypt(pw, "$%s$%s%s" % (ident, r, salt))


def py_type(v):
    return type(v).__name__


def to_yaml(a, **kw):
    return yaml.dump(a, Dumper=yaml.SafeDumper, allow_unicode=True, default_flow_style=kw.pop("default_flow_style", None), **kw)


def to_nice_yaml(a, indent=4):
    return yaml.dump(a, Dumper=yaml.SafeDumper, indent=indent, allow_unicode=True, default_flow_style=False)


def urlsplit_filter(value, query=""):
    r = urlsplit(value)
    d = dict(fragment=r.fragment, hostname=r.hostname, netloc=r.netloc, password=r.password, path=r.path, port=r.port,
             query=r.query, scheme=r.scheme, username=r.username)
    return d[query] if query else d


ANSIBLE_FILTERS = {
    "to_json": lambda a, **kw: json.dumps(a, **kw),
    "to_nice_json": lambda a, indent=4, sort_keys=True, **kw: json.dumps(a, indent=indent, sort_keys=sort_keys, separators=(",", ": "), **kw),
    "from_json": json.loads,
    "to_yaml": to_yaml,
    "to_nice_yaml": to_nice_yaml,
    "from_yaml": yaml.safe_load,
    "from_yaml_all": lambda s: list(yaml.safe_load_all(s)),
    "bool": to_bool,
    "ternary": ternary,
    "basename": os.path.basename,
    "dirname": os.path.dirname,
    "splitext": os.path.splitext,
    "quote": lambda a: shlex.quote(a if a is not None else ""),
    "b64encode": lambda s: base64.b64encode(s.encode()).decode(),
    "b64decode": lambda s: base64.b64decode(s).decode(),
    "hash": lambda s, t="sha1": hashlib.new(t, s.encode()).hexdigest(),
    "checksum": lambda s: hashlib.sha1(s.encode()).hexdigest(),
    "password_hash": password_hash,
    "regex_replace": regex_replace,
    "regex_search": regex_search,
    "regex_findall": regex_findall,
    "regex_escape": lambda s: re.escape(s),
    "flatten": flatten,
    "dict2items": dict2items,
    "items2dict": items2dict,
    "zip": lambda *a: list(zip(*a)),
    "zip_longest": lambda *a, fillvalue=None: list(itertools.zip_longest(*a, fillvalue=fillvalue)),
    "product": lambda *a, repeat=1: list(itertools.product(*a, repeat=repeat)),
    "permutations": lambda a, r=None: list(itertools.permutations(a, r)),
    "combinations": lambda a, r: list(itertools.combinations(a, r)),
    "union": lambda a, b: uniq(a + b),
    "intersect": lambda a, b: uniq([x for x in a if x in b]),
    "difference": lambda a, b: uniq([x for x in a if x not in b]),
    "symmetric_difference": lambda a, b: [x for x in uniq(a + b) if x not in uniq([y for y in a if y in b])],
    "split": lambda s, sep=None, maxsplit=-1: s.split(sep, maxsplit),
    "to_uuid": lambda s: str(uuid.uuid5(uuid.UUID("361E6D51-FAEC-444A-9079-341386DA8E2E"), str(s))),
    "log": lambda x, base=math.e: math.log10(x) if base == 10 else math.log(x, base),
    "pow": math.pow,
    "root": lambda x, base=2: math.sqrt(x) if base == 2 else math.pow(x, 1.0 / float(base)),
    "urlsplit": urlsplit_filter,
    "type_debug": py_type,
}


# --- Ansible tests, as ansible/plugins/test/core.py and mathstuff.py define them -----------------------------------
def regex_test(value="", pattern="", ignorecase=False, multiline=False, match_type="search"):
    flags = (re.I if ignorecase else 0) | (re.M if multiline else 0)
    return bool(getattr(re.compile(pattern, flags=flags), match_type)(value))


def version_compare(value, version, operator="eq", strict=None, version_type=None):
    op_map = {"==": "eq", "=": "eq", "eq": "eq", "<": "lt", "lt": "lt", "<=": "le", "le": "le", ">": "gt", "gt": "gt",
              ">=": "ge", "ge": "ge", "!=": "ne", "<>": "ne", "ne": "ne"}
    types = {"loose": LooseVersion, "strict": StrictVersion, "pep440": PEP440Version}
    V = StrictVersion if strict else types[version_type or "loose"]
    import operator as o
    return getattr(o, op_map[operator])(V(value), V(version))


ANSIBLE_TESTS = {
    "match": lambda v, p="", ignorecase=False, multiline=False: regex_test(v, p, ignorecase, multiline, "match"),
    "search": lambda v, p="", ignorecase=False, multiline=False: regex_test(v, p, ignorecase, multiline, "search"),
    "regex": regex_test,
    "version": version_compare,
    "version_compare": version_compare,
    "subset": lambda a, b: set(a) <= set(b),
    "superset": lambda a, b: set(a) >= set(b),
    "contains": lambda seq, value: value in seq,
    "any": any,
    "all": all,
    "nan": lambda v: isinstance(v, float) and math.isnan(v),
}

FILTER_CASES = [
    ("abs", -3, [], {}), ("abs", 2.5, [], {}), ("abs", "x", [], {}),
    ("attr", {"a": 1}, ["a"], {}),
    ("batch", [1, 2, 3, 4, 5], [2], {}), ("batch", [1, 2, 3, 4, 5], [3, "x"], {}),
    ("capitalize", "hELLO world", [], {}),
    ("center", "ab", [7], {}), ("center", "abc", [8], {}), ("center", "ab", [], {}),
    ("default", UNDEF, ["d"], {}), ("default", "", ["d"], {}), ("default", "", ["d", True], {}), ("d", None, [], {}),
    ("default", 0, [], {"default_value": 5, "boolean": True}),
    ("dictsort", {"b": 1, "A": 2, "c": 0}, [], {}), ("dictsort", {"b": 1, "A": 2, "c": 0}, [True], {}),
    ("dictsort", {"b": 1, "a": 2, "c": 0}, [], {"by": "value", "reverse": True}),
    ("escape", "<a href=\"x\">'&'</a>", [], {}), ("e", 5, [], {}), ("forceescape", "<b>", [], {}),
    ("first", [3, 4], [], {}), ("first", "hey", [], {}), ("first", [], [], {}), ("first", {"k": 1}, [], {}),
    ("float", "1.5", [], {}), ("float", "x", [], {}), ("float", "x", [2.5], {}), ("float", True, [], {}), ("float", " 3 ", [], {}),
    ("float", "1e3", [], {}), ("float", None, [], {}),
    ("format", "%s-%d-%i", ["a", 3.7, 2], {}), ("format", "%5.2f|%-4s|%04d", [3.14159, "x", 42], {}),
    ("format", "%r %x %o %X %%", ["s", 255, 8, 255], {}), ("format", "%(name)s is %(age)d", [], {"name": "Bob", "age": 42}),
    ("format", "%s", [[1, "a", None, True]], {}), ("format", "%s %s", ["a"], {}), ("format", "%s", ["a", "b"], {}),
    ("format", "%.3e|%g|%g|%+d", [12345.678, 0.0001, 1e20, 5], {}), ("format", "%d", ["x"], {}),
    ("groupby", [{"g": "a", "v": 1}, {"g": "b", "v": 2}, {"g": "a", "v": 3}], ["g"], {}),
    ("groupby", [{"g": "A", "v": 1}, {"g": "b", "v": 2}, {"g": "a", "v": 3}], ["g"], {}),
    ("groupby", [{"g": "A", "v": 1}, {"g": "a", "v": 3}], ["g"], {"case_sensitive": True}),
    ("groupby", [{"v": 1}, {"g": "a", "v": 3}], ["g"], {"default": "z"}),
    ("indent", "a\nb\n\nc", [], {}), ("indent", "a\nb\n\nc", [2, True, True], {}), ("indent", "a\nb", [], {"width": "\t"}),
    ("indent", "a\nb\n", [2], {}), ("indent", "", [2], {"first": True}),
    ("int", "42", [], {}), ("int", "42.9", [], {}), ("int", "x", [], {}), ("int", "x", [-1], {}), ("int", 3.99, [], {}),
    ("int", -3.99, [], {}), ("int", "0x1A", [], {"base": 16}), ("int", "1A", [0, 16], {}), ("int", "0b101", [], {"base": 2}),
    ("int", "0o17", [], {"base": 8}), ("int", True, [], {}), ("int", None, [], {}), ("int", " 7 ", [], {}), ("int", "1_000", [], {}),
    ("int", "0x1A", [], {}), ("int", "12", [], {"base": 0}),
    ("items", {"a": 1, "b": [2]}, [], {}), ("items", UNDEF, [], {}), ("items", [1], [], {}),
    ("join", [1, "a", None], [], {}), ("join", ["a", "b"], [", "], {}), ("join", [{"n": "x"}, {"n": "y"}], ["|"], {"attribute": "n"}),
    ("join", 5, [], {}), ("join", "abc", ["-"], {}),
    ("last", [3, 4], [], {}), ("last", "hey", [], {}), ("last", [], [], {}),
    ("length", [1, 2], [], {}), ("length", "héllo", [], {}), ("length", {"a": 1}, [], {}), ("count", "ab", [], {}), ("length", 5, [], {}),
    ("list", "abc", [], {}), ("list", {"a": 1, "b": 2}, [], {}), ("list", [1], [], {}),
    ("lower", "HeLLo", [], {}), ("upper", "HeLLo", [], {}),
    ("map", ["a", "B"], ["upper"], {}), ("map", [{"n": 1}, {"n": 2}], [], {"attribute": "n"}),
    ("map", [{"n": 1}, {}], [], {"attribute": "n", "default": 0}), ("map", ["1", "x"], ["int"], {}),
    ("map", ["a", "b"], ["replace", "a", "z"], {}), ("map", [[1, 2], [3]], ["join", ","], {}),
    ("map", [{"a": {"b": 1}}, {"a": {"b": 2}}], [], {"attribute": "a.b"}),
    ("max", [1, 5, 3], [], {}), ("max", ["a", "B", "c"], [], {}), ("max", ["a", "B", "c"], [], {"case_sensitive": True}),
    ("max", [{"n": 1}, {"n": 3}], [], {"attribute": "n"}), ("max", [], [], {}), ("min", [4, 2, 8], [], {}),
    ("min", ["b", "A", "c"], [], {}), ("min", [{"n": 1}, {"n": 3}], [], {"attribute": "n"}),
    ("pprint", {"b": [1, "x", None], "a": True}, [], {}), ("pprint", "s", [], {}),
    ("reject", [1, 2, 3, 4], ["odd"], {}), ("reject", [0, 1, "", "a", None], [], {}),
    ("rejectattr", [{"a": True}, {"a": False}], ["a"], {}), ("rejectattr", [{"n": 1}, {"n": 5}], ["n", "gt", 2], {}),
    ("replace", "aaa", ["a", "b"], {}), ("replace", "aaa", ["a", "b", 2], {}), ("replace", "abc", ["", "-"], {}),
    ("replace", "abc", ["", "-", 2], {}), ("replace", "a.b.c", [".", ""], {}), ("replace", 123, ["2", "x"], {}),
    ("reverse", "abc", [], {}), ("reverse", [1, 2, 3], [], {}),
    ("round", 2.5, [], {}), ("round", 3.5, [], {}), ("round", 2.675, [2], {}), ("round", 1.55, [1], {}), ("round", -2.5, [], {}),
    ("round", 42.55, [1, "floor"], {}), ("round", 42.51, [], {"method": "ceil"}), ("round", 1234.5678, [-2], {}), ("round", 7, [], {}),
    ("round", 0.125, [2], {}), ("round", 42.55, [], {"method": "floor", "precision": 1}),
    ("safe", "<b>", [], {}),
    ("select", [1, 2, 3, 4], ["odd"], {}), ("select", [0, 1, "", "a", None], [], {}), ("select", [1, 5, 10], ["gt", 3], {}),
    ("select", ["a", "bb"], ["equalto", "a"], {}), ("select", [1, 2, 3], ["divisibleby", 3], {}), ("select", ["a", 1], ["string"], {}),
    ("select", ["x", "y"], ["in", ["y", "z"]], {}),
    ("selectattr", [{"a": True}, {"a": False}], ["a"], {}), ("selectattr", [{"n": 1}, {"n": 5}], ["n", ">=", 2], {}),
    ("selectattr", [{"n": 1}, {"m": 5}], ["n", "defined"], {}), ("selectattr", [{"n": "a"}, {"n": "b"}], ["n", "==", "b"], {}),
    ("slice", [1, 2, 3, 4, 5, 6, 7], [3], {}), ("slice", [1, 2, 3, 4, 5, 6, 7], [3, 0], {}), ("slice", [1, 2], [3], {}),
    ("sort", [3, 1, 2], [], {}), ("sort", ["b", "A", "c"], [], {}), ("sort", ["b", "A", "c"], [], {"case_sensitive": True}),
    ("sort", [3, 1, 2], [True], {}), ("sort", [{"n": 2, "m": "b"}, {"n": 1, "m": "a"}, {"n": 2, "m": "a"}], [], {"attribute": "n,m"}),
    ("sort", [{"n": 2}, {"n": 1}], [], {"attribute": "n", "reverse": True}), ("sort", [1, "a"], [], {}),
    ("string", 5, [], {}), ("string", None, [], {}), ("string", [1, "a", True], [], {}), ("string", {"a": None}, [], {}),
    ("string", 1.5, [], {}),
    ("striptags", "<p>Hello  <b>world</b></p>\n<!-- c --> &amp; you", [], {}),
    ("sum", [1, 2, 3], [], {}), ("sum", [{"n": 1}, {"n": 2}], [], {"attribute": "n"}), ("sum", [[1], [2]], [], {"start": []}),
    ("sum", [1.5, 2], [], {"start": 10}), ("sum", ["a"], [], {}),
    ("title", "hello wORLD-foo (bar) o'neil", [], {}),
    ("tojson", {"b": [1, "<x>"], "a": None, "é": True}, [], {}), ("tojson", {"a": [1, 2]}, [], {"indent": 2}), ("tojson", "it's & <", [], {}),
    ("trim", "  x  ", [], {}), ("trim", "xxaxx", ["x"], {}), ("trim", "\t\n x \n", [], {}),
    ("truncate", "foo bar baz qux", [9], {}), ("truncate", "foo bar baz qux", [9, True], {}), ("truncate", "foo bar baz qux", [9], {"leeway": 0}),
    ("truncate", "foo bar baz qux", [11, False, "!"], {"leeway": 0}), ("truncate", "short", [], {}), ("truncate", "foo bar", [1], {}),
    ("unique", [1, 2, 1, 3, 2], [], {}), ("unique", ["a", "A", "b"], [], {}), ("unique", ["a", "A", "b"], [True], {}),
    ("unique", [{"n": 1, "x": "a"}, {"n": 1, "x": "b"}, {"n": 2}], [], {"attribute": "n"}),
    ("urlencode", "a b&c/d=é", [], {}), ("urlencode", {"a b": "c&d", "e": 1}, [], {}), ("urlencode", [["k", "v w"], ["x", "/"]], [], {}),
    ("wordcount", "hello world, it's me_2", [], {}),
    ("wordwrap", "The quick brown fox jumps over the lazy dog", [10], {}),
    ("wordwrap", "a verylongwordindeed here", [8], {}), ("wordwrap", "a verylongwordindeed here", [8, False], {}),
    ("wordwrap", "one two\nthree four five six", [9], {"wrapstring": "<br>"}), ("wordwrap", "well-known long-term thing", [12], {}),
    ("xmlattr", {"class": "a b", "id": None, "data-x": "<\"&>"}, [], {}), ("xmlattr", {"a": 1}, [False], {}), ("xmlattr", {"a b": 1}, [], {}),
    # Ansible
    ("to_json", {"b": 1, "a": ["é", None, True]}, [], {}), ("to_json", {"b": 1, "a": 2}, [], {"sort_keys": True, "indent": 2}),
    ("to_json", "é", [], {"ensure_ascii": False}),
    ("to_nice_json", {"b": 1, "a": [1, {"c": "d"}], "e": {}}, [], {}), ("to_nice_json", {"b": 1, "a": 2}, [], {"indent": 2}),
    ("to_nice_json", [], [], {}),
    ("from_json", '{"a": [1, 2.5, null, true], "b": "x"}', [], {}),
    ("to_yaml", {"b": [1, 2], "a": {"x": "y: z", "e": []}, "c": [{"q": 1, "r": [1]}], "s": "yes", "n": None, "t": True}, [], {}),
    ("to_yaml", "abc", [], {}), ("to_yaml", [1, "two"], [], {}), ("to_yaml", {"a": [1, 2]}, [], {"default_flow_style": False}),
    ("to_nice_yaml", {"b": [1, 2], "a": {"x": "1.5", "e": {}}, "c": [{"q": 1, "r": 2}], "d": "it's"}, [], {}),
    ("to_nice_yaml", {"a": [1]}, [2], {}), ("to_nice_yaml", {"a": "x: y", "b": "", "c": "#c", "d": "null", "e": "01"}, [], {}),
    ("from_yaml", "a: 1\nb: [x, 'y']\nc: {d: null}\ne: yes\nf: 1.5\n", [], {}), ("from_yaml", "- on\n- 'on'\n- ~\n", [], {}),
    ("from_yaml_all", "a: 1\n---\nb: 2\n", [], {}),
    ("bool", "Yes", [], {}), ("bool", "on", [], {}), ("bool", "1", [], {}), ("bool", 1, [], {}), ("bool", "no", [], {}),
    ("bool", "y", [], {}), ("bool", True, [], {}), ("bool", "false", [], {}), ("bool", 0, [], {}), ("bool", None, [], {}),
    ("bool", " yes", [], {}),
    ("ternary", True, ["y", "n"], {}), ("ternary", 0, ["y", "n"], {}), ("ternary", None, ["y", "n", "none"], {}), ("ternary", None, ["y", "n"], {}),
    ("basename", "/etc/ssh/sshd_config", [], {}), ("basename", "/etc/", [], {}), ("dirname", "/etc/ssh/sshd_config", [], {}),
    ("dirname", "file", [], {}), ("dirname", "//x", [], {}), ("dirname", "/a//b", [], {}),
    ("splitext", "/a/b.tar.gz", [], {}), ("splitext", "/a/.bashrc", [], {}), ("splitext", "noext", [], {}), ("splitext", "a.b/c", [], {}),
    ("quote", "simple", [], {}), ("quote", "it's a test", [], {}), ("quote", "", [], {}), ("quote", "a;b$c", [], {}), ("quote", None, [], {}),
    ("b64encode", "héllo wörld", [], {}), ("b64decode", "aMOpbGxvIHfDtnJsZA==", [], {}),
    ("hash", "abc", [], {}), ("hash", "abc", ["md5"], {}), ("hash", "abc", ["sha256"], {}), ("hash", "abc", ["sha512"], {}), ("checksum", "abc", [], {}),
    ("password_hash", "secret", ["sha512"], {"salt": "mysalt"}), ("password_hash", "secret", ["sha256"], {"salt": "abcdefghijklmnop"}),
    ("password_hash", "secret", ["md5"], {"salt": "saltsalt"}), ("password_hash", "pässwörd", [], {"salt": "x1", "rounds": 10000}),
    ("password_hash", "a" * 70, ["sha256"], {"salt": "s", "rounds": 5000}), ("password_hash", "", ["md5"], {"salt": "ab"}),
    ("regex_replace", "hello world", ["o", "0"], {}), ("regex_replace", "ansible.com", ["^a.*i(.*)$", "a\\1"], {}),
    ("regex_replace", "localhost:80", ["^(?P<host>.+):(?P<port>\\d+)$", "\\g<port>@\\g<host>"], {}),
    ("regex_replace", "Abc abc", ["abc", "x"], {"ignorecase": True}), ("regex_replace", "a\nb", ["^", "> "], {"multiline": True}),
    ("regex_replace", "aaa", ["a", "b"], {"count": 2}), ("regex_replace", "abxd", ["x*", "-"], {}), ("regex_replace", "a.b", ["\\.", "$1"], {}),
    ("regex_replace", "line\n", ["e$", "E"], {}), ("regex_replace", "ab", ["(a)(x)?", "[\\2]"], {}), ("regex_replace", "a-b", ["-", "\\n"], {}),
    ("regex_replace", "x1y", ["\\d", "\\g<0>\\g<0>"], {}), ("regex_replace", "foo", ["(?i)FOO", "bar"], {}),
    ("regex_search", "server1/database42", ["database[0-9]+"], {}), ("regex_search", "server1/database42", ["database(?P<dbname>[0-9]+)", "\\g<dbname>"], {}),
    ("regex_search", "server1/database42", ["(\\w+)(\\d)/(?P<x>\\w+)", "\\1", "\\g<x>", "\\3"], {}), ("regex_search", "abc", ["x"], {}),
    ("regex_search", "ABC", ["b"], {"ignorecase": True}), ("regex_search", "a\nfoo", ["^foo"], {"multiline": True}), ("regex_search", "a\nfoo", ["^foo"], {}),
    ("regex_findall", "a1b22c333", ["\\d+"], {}), ("regex_findall", "k1=v1,k2=v2", ["(\\w+)=(\\w+)"], {}), ("regex_findall", "k1=v1,k2=v2", ["k(\\d)"], {}),
    ("regex_findall", "A a", ["a"], {"ignorecase": True}), ("regex_findall", "ab", ["x*"], {}),
    ("regex_escape", "^f.*o(.*)$ [x]-y", [], {}), ("regex_escape", "a_b~c#d&e f", [], {}),
    ("flatten", [1, [2, [3, [4]]], None, "None", "null", []], [], {}), ("flatten", [1, [2, [3, [4]]]], [], {"levels": 1}),
    ("flatten", [1, [2, None]], [], {"skip_nulls": False}), ("flatten", [[1], [2]], [0], {}),
    ("dict2items", {"a": 1, "b": 2}, [], {}), ("dict2items", {"a": 1}, [], {"key_name": "k", "value_name": "v"}),
    ("items2dict", [{"key": "a", "value": 1}, {"key": "b", "value": 2}], [], {}), ("items2dict", [{"k": "a", "v": 1}], ["k", "v"], {}),
    ("zip", [1, 2, 3], [["a", "b"]], {}), ("zip", [1, 2], [["a", "b"], [True, False]], {}),
    ("zip_longest", [1, 2, 3], [["a"]], {}), ("zip_longest", [1, 2], [["a"]], {"fillvalue": "-"}),
    ("product", [1, 2], [["a", "b"]], {}), ("product", [0, 1], [], {"repeat": 2}),
    ("permutations", [1, 2, 3], [], {}), ("permutations", [1, 2, 3], [2], {}), ("combinations", [1, 2, 3, 4], [2], {}), ("combinations", [1, 2], [3], {}),
    ("union", [1, 2, 1], [[3, 2, 4]], {}), ("intersect", [1, 2, 3, 2], [[2, 3, 4]], {}), ("difference", [1, 2, 3, 1], [[2]], {}),
    ("symmetric_difference", [1, 2, 3], [[3, 4, 4, 5]], {}), ("union", [{"a": 1}], [[{"a": 1}, {"b": 2}]], {}),
    ("split", " a  b c ", [], {}), ("split", "a,b,,c", [","], {}), ("split", "a b c", [None, 1], {}), ("split", "a,b,c", [","], {"maxsplit": 1}),
    ("split", "", [], {}), ("split", "", [","], {}), ("split", "a b  ", [None, 1], {}),
    ("to_uuid", "www.example.com", [], {}), ("to_uuid", 42, [], {}),
    ("log", 8, [2], {}), ("log", 1000, [10], {}), ("log", math.e, [], {}), ("pow", 2, [10], {}), ("pow", 2, [0.5], {}),
    ("root", 16, [], {}), ("root", 27, [3], {}),
    ("urlsplit", "https://user:pw@Example.COM:8080/p/a?q=1#frag", [], {}), ("urlsplit", "http://host/path?x", ["hostname"], {}),
    ("urlsplit", "https://www.acme.com:9000/dir/index.html?query=term#fragment", ["port"], {}),
    ("urlsplit", "/just/a/path", [], {}),
    ("type_debug", "s", [], {}), ("type_debug", 1, [], {}), ("type_debug", 1.5, [], {}), ("type_debug", [1], [], {}),
    ("type_debug", {"a": 1}, [], {}), ("type_debug", None, [], {}), ("type_debug", True, [], {}),
]

TEST_CASES = [
    ("defined", UNDEF, []), ("defined", None, []), ("undefined", UNDEF, []), ("undefined", 0, []),
    ("none", None, []), ("none", 0, []), ("boolean", True, []), ("boolean", 1, []), ("true", True, []), ("true", 1, []),
    ("false", False, []), ("false", 0, []), ("string", "a", []), ("string", 1, []), ("number", 1.5, []), ("number", True, []),
    ("number", "1", []), ("integer", 3, []), ("integer", 3.5, []), ("integer", True, []), ("float", 3.5, []), ("float", 3, []),
    ("mapping", {}, []), ("mapping", [], []), ("iterable", "s", []), ("iterable", [1], []), ("iterable", {}, []), ("iterable", 1, []),
    ("sequence", "s", []), ("sequence", [], []), ("sequence", {}, []), ("sequence", 5, []), ("callable", "x", []),
    ("sameas", None, [None]), ("sameas", True, [True]), ("sameas", 1, [True]),
    ("eq", 1, [1]), ("eq", 1, ["1"]), ("eq", True, [1]), ("equalto", [1, {"a": 2}], [[1, {"a": 2}]]), ("==", "a", ["a"]),
    ("ne", 1, [2]), ("!=", "a", ["a"]), ("lt", 1, [2]), ("<", "b", ["a"]), ("le", 2, [2]), ("<=", 3, [2]), ("gt", 3, [2]),
    (">", [1, 2], [[1, 1]]), ("ge", 2, [2]), (">=", 1, [2]), ("lt", 1, ["a"]),
    ("in", "b", [["a", "b"]]), ("in", "ell", ["hello"]), ("in", "k", [{"k": 1}]), ("in", 1, [[True]]), ("in", 3, [[1, 2]]),
    ("divisibleby", 9, [3]), ("divisibleby", 10, [3]), ("even", 4, []), ("even", 3, []), ("odd", 3, []), ("odd", -3, []), ("odd", 4, []),
    ("lower", "abc", []), ("lower", "aBc", []), ("lower", "123", []), ("lower", "a1", []), ("upper", "ABC", []), ("upper", "A1b", []),
    ("upper", "", []), ("escaped", "<", []),
    ("match", "abc", ["b"]), ("match", "abc", ["a.c"]), ("match", "ABC", ["a"], {"ignorecase": True}), ("match", "x\nabc", ["^abc"], {"multiline": True}),
    ("search", "abc", ["b"]), ("search", "abc", ["^b"]), ("search", "x\nabc", ["^abc"]), ("search", "x\nabc", ["^abc"], {"multiline": True}),
    ("search", "foo.bar", ["(?P<a>o)\\.(?P=a)?b"]), ("search", "abc\n", ["c$"]), ("search", "ab\nc", ["b$"]),
    ("regex", "abc", ["b"]), ("regex", "abc", ["b"], {"match_type": "match"}), ("regex", "abc", ["a.c"], {"match_type": "fullmatch"}),
    ("regex", "abcd", ["a.c"], {"match_type": "fullmatch"}),
    ("version", "1.10.0", ["1.9.3", ">"]), ("version", "1.2", ["1.2.0", "=="]), ("version", "1.2", ["1.2.0", "<"]),
    ("version", "2.0a1", ["2.0", "lt"]), ("version", "12.04", ["12.10", "le"]), ("version", "1.0", ["1.0"]),
    ("version", "1.0", ["1.1", "ne"]), ("version", "1.0", ["1.1", "<>"]), ("version", "1.0.0", ["1.0", "ge"], {"strict": True}),
    ("version", "1.0a1", ["1.0", "<"], {"strict": True}), ("version", "1.0b1", ["1.0a2", "gt"], {"strict": True}),
    ("version", "1.0.dev1", ["1.0a1", "<"], {"version_type": "pep440"}), ("version", "1.0rc1", ["1.0", "<"], {"version_type": "pep440"}),
    ("version", "1.0.post1", ["1.0", ">"], {"version_type": "pep440"}), ("version", "1.0", ["1.0.0", "=="], {"version_type": "pep440"}),
    ("version", "1!1.0", ["2.0", ">"], {"version_type": "pep440"}), ("version", "2.1a1", ["2.1.dev5", ">"], {"version_type": "pep440"}),
    ("version_compare", "3.7.1", ["3.7", ">="]),
    ("subset", [1, 2], [[1, 2, 3]]), ("subset", [1, 4], [[1, 2, 3]]), ("superset", [1, 2, 3], [[2, 3]]), ("superset", [1], [[2]]),
    ("contains", [1, 2], [2]), ("contains", ["a"], ["b"]), ("any", [0, "", 1], []), ("any", [0, ""], []), ("all", [1, "a"], []),
    ("all", [1, ""], []), ("all", [], []), ("nan", 1.5, []),
]


def encode(v):
    if isinstance(v, jinja2.Undefined):
        return {"$undefined": True}
    if isinstance(v, Markup):
        return str(v)
    if isinstance(v, dict):
        return {str(k): encode(x) for k, x in v.items()}
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return [encode(x) for x in v]


def run(kind, name, value, args, kw):
    env = jinja2.Environment()
    env.filters.update(ANSIBLE_FILTERS)
    env.tests.update(ANSIBLE_TESTS)
    v = env.undefined(name="x") if value == UNDEF else value
    try:
        call = env.call_filter if kind == "filter" else env.call_test
        return {"expect": encode(call(name, v, args, kw, context=env.from_string("").new_context({})))}
    except Exception as e:  # noqa: BLE001
        return {"error": str(e), "type": type(e).__name__}


def main():
    out = {"jinja2": jinja2.__version__, "filters": [], "tests": []}
    for kind, cases, ansible in (("filter", FILTER_CASES, ANSIBLE_FILTERS), ("test", TEST_CASES, ANSIBLE_TESTS)):
        for name, value, args, *rest in cases:
            kw = rest[0] if rest else {}
            case = {"name": name, "value": value, "args": args, "kw": kw}
            case.update(run(kind, name, value, args, kw))
            case["source"] = "ansible-by-hand" if name in ansible else "jinja2"
            out[kind + "s"].append(case)
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
