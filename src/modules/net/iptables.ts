// Ansible's iptables: one rule kept present or absent in a chain (checked with iptables -C), a chain's policy, a
// flush, and with chain_management a chain created or deleted. The rule's words are built in the order
// ansible-core 2.14's construct_rule builds them, so `rule` in the result reads the same in both tools.

import { cmd } from '../../remote/quote.js';
import { fail } from '../args.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { section, sections } from './probe-text.js';

export interface IptablesArgs {
  table: string;
  state: 'present' | 'absent';
  action: 'append' | 'insert';
  ipVersion: 'ipv4' | 'ipv6';
  chain?: string;
  ruleNum?: string;
  flush: boolean;
  policy?: string;
  chainManagement: boolean;
  /** The rule's words (construct_rule), jump already LOG where logging options ask for it. */
  rule: string[];
  /** The rule as the result's `rule` says it (built before the LOG jump is filled in, as in Ansible). */
  ruleText: string;
}

type P = Record<string, unknown>;
const s = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

/** `flag value`, or `! flag value` for a value written with a leading "!". */
function param(rule: string[], v: unknown, flag: string): void {
  const x = s(v);
  if (x === undefined) return;
  if (x.startsWith('!')) rule.push('!', flag, x.slice(1));
  else rule.push(flag, x);
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);

function matchFlag(rule: string[], v: unknown, flag: string, negatable: boolean): void {
  if (v === 'match') rule.push(flag);
  else if (negatable && v === 'negate') rule.push('!', flag);
}

/** ansible-core 2.14's construct_rule, word for word. */
export function constructRule(p: P): string[] {
  const r: string[] = [];
  const match = list(p.match);
  const csv = (v: unknown, flag: string) => {
    const l = list(v);
    if (l.length) r.push(flag, l.join(','));
  };
  const m = (on: unknown, name: string) => {
    if (on !== undefined && on !== null && on !== '' && !(Array.isArray(on) && !on.length)) r.push('-m', name);
  };
  if (s(p.wait)) r.push('-w', s(p.wait) as string);
  param(r, p.protocol, '-p');
  param(r, p.source, '-s');
  param(r, p.destination, '-d');
  for (const x of match) param(r, x, '-m');
  const tf = p.tcp_flags as { flags?: unknown; flags_set?: unknown } | undefined;
  if (tf && tf.flags !== undefined && tf.flags_set !== undefined)
    r.push('--tcp-flags', list(tf.flags).join(','), list(tf.flags_set).join(','));
  param(r, p.jump, '-j');
  if (s(p.jump)?.toLowerCase() === 'tee') param(r, p.gateway, '--gateway');
  param(r, p.log_prefix, '--log-prefix');
  param(r, p.log_level, '--log-level');
  param(r, p.to_destination, '--to-destination');
  m(p.destination_ports, 'multiport');
  csv(p.destination_ports, '--dports');
  param(r, p.to_source, '--to-source');
  param(r, p.goto, '-g');
  param(r, p.in_interface, '-i');
  param(r, p.out_interface, '-o');
  param(r, p.fragment, '-f');
  param(r, p.set_counters, '-c');
  param(r, p.source_port, '--source-port');
  param(r, p.destination_port, '--destination-port');
  param(r, p.to_ports, '--to-ports');
  param(r, p.set_dscp_mark, '--set-dscp');
  param(r, p.set_dscp_mark_class, '--set-dscp-class');
  matchFlag(r, p.syn, '--syn', true);
  if (match.includes('conntrack')) csv(p.ctstate, '--ctstate');
  else if (match.includes('state')) csv(p.ctstate, '--state');
  else if (list(p.ctstate).length) {
    r.push('-m', 'conntrack');
    csv(p.ctstate, '--ctstate');
  }
  if (match.includes('iprange')) {
    param(r, p.src_range, '--src-range');
    param(r, p.dst_range, '--dst-range');
  } else if (s(p.src_range) || s(p.dst_range)) {
    r.push('-m', 'iprange');
    param(r, p.src_range, '--src-range');
    param(r, p.dst_range, '--dst-range');
  }
  if (match.includes('set')) {
    param(r, p.match_set, '--match-set');
    if (s(p.match_set_flags)) r.push(s(p.match_set_flags) as string);
  } else if (s(p.match_set)) {
    r.push('-m', 'set');
    param(r, p.match_set, '--match-set');
    if (s(p.match_set_flags)) r.push(s(p.match_set_flags) as string);
  }
  m(s(p.limit) || s(p.limit_burst), 'limit');
  param(r, p.limit, '--limit');
  param(r, p.limit_burst, '--limit-burst');
  m(s(p.uid_owner), 'owner');
  matchFlag(r, p.uid_owner, '--uid-owner', true);
  param(r, p.uid_owner, '--uid-owner');
  m(s(p.gid_owner), 'owner');
  matchFlag(r, p.gid_owner, '--gid-owner', true);
  param(r, p.gid_owner, '--gid-owner');
  if (s(p.jump) === undefined && s(p.reject_with)) r.push('-j', 'REJECT');
  param(r, p.reject_with, '--reject-with');
  param(r, p.icmp_type, p.ip_version === 'ipv6' ? '--icmpv6-type' : '--icmp-type');
  m(s(p.comment), 'comment');
  param(r, p.comment, '--comment');
  return r;
}

const bin = (p: IptablesArgs) => (p.ipVersion === 'ipv6' ? 'ip6tables' : 'iptables');
/** push_arguments: the table, the action and chain (a rule number after -I), then the rule. */
function iptables(p: IptablesArgs, action: string, withRule: boolean, extra: string[] = []): string {
  const words = ['-t', p.table, action, ...(p.chain !== undefined ? [p.chain] : [])];
  if (action === '-I' && p.ruleNum) words.push(p.ruleNum);
  return cmd(bin(p), ...words, ...(withRule ? p.rule : []), ...extra);
}

const str = { type: 'str' } as const;
const optional = (description: string) => ({ ...str, description });

export const iptablesModule = defineModule({
  name: 'iptables',
  doc: 'One iptables rule present or absent in a chain (checked with iptables -C), a chain policy, a flush, or a chain made/removed.',
  example: 'iptables: {chain: INPUT, protocol: tcp, destination_port: "22", ctstate: [NEW], jump: ACCEPT, comment: ssh}',
  args: {
    table: { choices: ['filter', 'nat', 'mangle', 'raw', 'security'], default: 'filter', description: 'the table' },
    state: { choices: ['absent', 'present'], default: 'present', description: 'the rule present or absent' },
    action: {
      choices: ['append', 'insert'],
      default: 'append',
      description: 'a missing rule goes at the end (append) or the top (insert)',
    },
    ip_version: { choices: ['ipv4', 'ipv6'], default: 'ipv4', description: 'iptables or ip6tables' },
    chain: optional('the chain (INPUT, FORWARD, OUTPUT, PREROUTING, POSTROUTING or a user chain)'),
    rule_num: optional('with action: insert, the position to insert at'),
    protocol: optional('-p: tcp, udp, icmp, all… (a leading ! negates, as for every value here)'),
    wait: optional('-w: seconds to wait for the xtables lock'),
    source: optional('-s: source address or network'),
    to_source: optional('--to-source (SNAT)'),
    destination: optional('-d: destination address or network'),
    to_destination: optional('--to-destination (DNAT)'),
    match: { type: 'list', default: [], description: '-m extensions to load (conntrack, multiport, comment…)' },
    tcp_flags: { type: 'dict', description: '--tcp-flags: {flags: [ALL], flags_set: [ACK, RST, SYN, FIN]}' },
    jump: optional('-j: the target (ACCEPT, DROP, REJECT, LOG, a chain…)'),
    gateway: optional('--gateway for jump: TEE'),
    log_prefix: optional('--log-prefix (jump LOG)'),
    log_level: {
      choices: ['0', '1', '2', '3', '4', '5', '6', '7', 'emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'],
      description: '--log-level (jump LOG)',
    },
    goto: optional('-g: continue in this chain'),
    in_interface: optional('-i: the interface packets arrive on'),
    out_interface: optional('-o: the interface packets leave by'),
    fragment: optional('-f'),
    set_counters: optional('-c: packet and byte counters'),
    source_port: optional('--source-port'),
    destination_port: optional('--destination-port'),
    destination_ports: { type: 'list', default: [], description: '-m multiport --dports: ports or ranges' },
    to_ports: optional('--to-ports (REDIRECT, MASQUERADE)'),
    set_dscp_mark: optional('--set-dscp'),
    set_dscp_mark_class: optional('--set-dscp-class'),
    comment: optional('-m comment --comment'),
    ctstate: { type: 'list', default: [], description: 'connection states (-m conntrack --ctstate): NEW, ESTABLISHED, RELATED…' },
    src_range: optional('-m iprange --src-range'),
    dst_range: optional('-m iprange --dst-range'),
    match_set: optional('-m set --match-set'),
    match_set_flags: { choices: ['src', 'dst', 'src,dst', 'dst,src'], description: 'the flags after --match-set' },
    limit: optional('-m limit --limit'),
    limit_burst: optional('-m limit --limit-burst'),
    uid_owner: optional('-m owner --uid-owner'),
    gid_owner: optional('-m owner --gid-owner'),
    reject_with: optional('--reject-with (implies jump REJECT)'),
    icmp_type: optional('--icmp-type (--icmpv6-type for ipv6)'),
    syn: { choices: ['ignore', 'match', 'negate'], default: 'ignore', description: '--syn, or ! --syn' },
    flush: { type: 'bool', default: false, description: 'flush the chain (or every chain of the table)' },
    policy: { choices: ['ACCEPT', 'DROP', 'QUEUE', 'RETURN'], description: "the chain's policy" },
    chain_management: {
      type: 'bool',
      default: false,
      description: 'create the chain for a rule, or delete it with state: absent and no rule',
    },
  },
  mutually_exclusive: [
    ['set_dscp_mark', 'set_dscp_mark_class'],
    ['flush', 'policy'],
  ],
  required_if: [
    ['jump', 'TEE', ['gateway']],
    ['jump', 'tee', ['gateway']],
  ],
  build: (v, a): IptablesArgs => {
    const ruleText = constructRule(v as P).join(' ');
    if (!v.flush && v.chain === undefined) fail(a, 'Either chain or flush parameter must be specified.');
    const params: P = { ...v };
    if (v.log_prefix !== undefined || v.log_level !== undefined) {
      if (v.jump === undefined) params.jump = 'LOG';
      else if (v.jump !== 'LOG') fail(a, 'Logging options can only be used with the LOG jump target.');
    }
    return {
      table: v.table,
      state: v.state as IptablesArgs['state'],
      action: v.action as IptablesArgs['action'],
      ipVersion: v.ip_version as IptablesArgs['ipVersion'],
      chain: v.chain,
      ruleNum: v.rule_num,
      flush: v.flush,
      policy: v.policy,
      chainManagement: v.chain_management,
      rule: constructRule(params),
      ruleText,
    };
  },
  async plan(p, probe): Promise<Plan> {
    const result = {
      ip_version: p.ipVersion,
      table: p.table,
      chain: p.chain ?? null,
      flush: p.flush,
      rule: p.ruleText,
      state: p.state,
      chain_management: p.chainManagement,
    };
    const exec = (c: string): Step => ({ kind: 'exec', cmd: c });
    const where = `${p.table} ${p.chain ?? '(every chain)'}`;
    if (p.flush) return { changed: true, steps: [exec(iptables(p, '-F', false))], note: `${where} flushed`, result };
    const r = sections(
      (
        await probe.run(
          [
            section('list', `LC_ALL=C ${iptables(p, '-L', false)} 2>&1; echo "rc=$?"`),
            ...(p.policy || (p.state === 'absent' && !p.ruleText)
              ? []
              : [section('check', `${iptables(p, '-C', true)} >/dev/null 2>&1; echo $?`)]),
          ].join('; '),
        )
      ).stdout,
    );
    const list = r.list ?? '';
    const chainPresent = /(^|\n)rc=0\s*$/.test(list);
    if (p.policy) {
      const cur = /\(policy ([A-Z]+)\)/.exec(list.split('\n')[0])?.[1];
      if (!cur) return { changed: false, failed: "Can't detect current policy", result };
      if (cur === p.policy) return { changed: false, note: `${where} policy ${cur}`, result };
      return {
        changed: true,
        steps: [exec(iptables(p, '-P', false, [p.policy]))],
        diff: [{ before: `-P ${p.chain} ${cur}\n`, after: `-P ${p.chain} ${p.policy}\n` }],
        note: `${where} policy ${cur} → ${p.policy}`,
        result,
      };
    }
    if (p.state === 'absent' && !p.ruleText) {
      // Ansible says changed whenever the chain exists, and deletes it only with chain_management: runbook reports
      // a change only when it makes one.
      if (!chainPresent) return { changed: false, note: `${where}: no such chain`, result };
      if (!p.chainManagement) return { changed: false, note: `${where} exists (chain_management: true deletes it)`, result };
      return {
        changed: true,
        steps: [exec(iptables(p, '-X', false))],
        diff: [{ before: `-N ${p.chain}\n`, after: '' }],
        note: `${where} deleted`,
        result,
      };
    }
    const present = r.check?.trim() === '0';
    const want = p.state === 'present';
    const line = `${p.action === 'insert' && want ? '-I' : '-A'} ${p.chain} ${p.rule.join(' ')}`.trim();
    if (present === want) return { changed: false, note: `${where}: rule ${want ? 'present' : 'absent'}`, result };
    const steps: Step[] = [];
    if (want) {
      if (!chainPresent && p.chainManagement) steps.push(exec(iptables(p, '-N', false)));
      steps.push(exec(iptables(p, p.action === 'insert' ? '-I' : '-A', true)));
    } else steps.push(exec(iptables(p, '-D', true)));
    return {
      changed: true,
      steps,
      diff: [want ? { before: '', after: `${line}\n` } : { before: `${line}\n`, after: '' }],
      note: `${where}: rule ${want ? 'added' : 'removed'}`,
      result,
    };
  },
});
