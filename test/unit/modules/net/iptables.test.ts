// iptables: the rule's words as ansible-core 2.14's construct_rule orders them, and what each probe answer plans.
import { describe, expect, it } from 'vitest';
import { iptablesModule as ipt } from '../../../../src/modules/net/iptables.js';
import { at, ctx, fakeProbe, sectioned, stepsOf } from './fake-probe.js';

const rule = (args: object) => ipt.parse({ chain: 'INPUT', ...args }, at).rule.join(' ');
const plan = async (args: object, reply: Record<string, string>) => {
  const probe = fakeProbe([[/^echo @@list; LC_ALL=C iptables -t /, sectioned(reply)]]);
  const p = await ipt.plan(ipt.parse(args, at), probe, ctx());
  return { p, probe };
};

describe('iptables: the rule', () => {
  it.each<[object, string]>([
    [
      { protocol: 'tcp', destination_port: '22', ctstate: ['NEW'], jump: 'ACCEPT', comment: 'ssh' },
      '-p tcp -j ACCEPT --destination-port 22 -m conntrack --ctstate NEW -m comment --comment ssh',
    ],
    [{ protocol: 'tcp', destination_ports: ['80', '443'], jump: 'ACCEPT' }, '-p tcp -j ACCEPT -m multiport --dports 80,443'],
    [{ source: '!10.0.0.0/8', reject_with: 'tcp-reset' }, '! -s 10.0.0.0/8 -j REJECT --reject-with tcp-reset'],
    [{ match: ['state'], ctstate: ['ESTABLISHED', 'RELATED'], jump: 'ACCEPT' }, '-m state -j ACCEPT --state ESTABLISHED,RELATED'],
    [{ protocol: 'tcp', syn: 'negate', jump: 'DROP' }, '-p tcp -j DROP ! --syn'],
    [{ log_prefix: 'X: ' }, '-j LOG --log-prefix X: '],
    [
      { protocol: 'icmp', icmp_type: 'echo-request', limit: '1/s', jump: 'ACCEPT' },
      '-p icmp -j ACCEPT -m limit --limit 1/s --icmp-type echo-request',
    ],
    [{ ip_version: 'ipv6', protocol: 'ipv6-icmp', icmp_type: '128', jump: 'ACCEPT' }, '-p ipv6-icmp -j ACCEPT --icmpv6-type 128'],
    [{ wait: '5', uid_owner: '!0', jump: 'ACCEPT' }, '-w 5 -j ACCEPT -m owner ! --uid-owner 0'],
  ])('%j', (args, words) => expect(rule(args)).toBe(words));

  it('refused at load as Ansible refuses them', () => {
    expect(() => ipt.parse({ protocol: 'tcp' }, at)).toThrow('Either chain or flush parameter must be specified.');
    expect(() => ipt.parse({ chain: 'INPUT', log_prefix: 'x', jump: 'DROP' }, at)).toThrow(
      'Logging options can only be used with the LOG jump target.',
    );
    expect(() => ipt.parse({ chain: 'INPUT', flush: true, policy: 'DROP' }, at)).toThrow(/flush.*policy|policy.*flush/);
  });
});

describe('iptables: the plan', () => {
  it('a rule missing: one probe (-L and -C), then -A; present: nothing', async () => {
    const { p, probe } = await plan(
      { chain: 'INPUT', protocol: 'tcp', destination_port: '22', jump: 'ACCEPT' },
      { list: 'Chain INPUT (policy ACCEPT)\nrc=0', check: '1' },
    );
    expect(probe.ran).toHaveLength(1);
    expect(probe.ran[0]).toContain('iptables -t filter -C INPUT -p tcp -j ACCEPT --destination-port 22 >/dev/null 2>&1; echo $?');
    expect(stepsOf(p)).toEqual(['iptables -t filter -A INPUT -p tcp -j ACCEPT --destination-port 22']);
    expect((await plan({ chain: 'INPUT', jump: 'ACCEPT' }, { list: 'rc=0', check: '0' })).p.changed).toBe(false);
  });

  it('insert at a position; absent removes; chain_management makes the chain first', async () => {
    expect(
      stepsOf((await plan({ chain: 'INPUT', action: 'insert', rule_num: '2', jump: 'DROP' }, { list: 'rc=0', check: '1' })).p),
    ).toEqual(['iptables -t filter -I INPUT 2 -j DROP']);
    expect(stepsOf((await plan({ chain: 'INPUT', jump: 'DROP', state: 'absent' }, { list: 'rc=0', check: '0' })).p)).toEqual([
      'iptables -t filter -D INPUT -j DROP',
    ]);
    expect(
      stepsOf(
        (
          await plan(
            { chain: 'RB', jump: 'RETURN', chain_management: true },
            { list: 'iptables: No chain/target/match by that name.\nrc=1', check: '2' },
          )
        ).p,
      ),
    ).toEqual(['iptables -t filter -N RB', 'iptables -t filter -A RB -j RETURN']);
  });

  it('policy from -L, flush always acts, a chain deleted only with chain_management', async () => {
    expect(stepsOf((await plan({ chain: 'FORWARD', policy: 'DROP' }, { list: 'Chain FORWARD (policy ACCEPT)\nrc=0' })).p)).toEqual([
      'iptables -t filter -P FORWARD DROP',
    ]);
    expect((await plan({ chain: 'FORWARD', policy: 'DROP' }, { list: 'Chain FORWARD (policy DROP)\nrc=0' })).p.changed).toBe(false);
    const probe = fakeProbe([]);
    expect(stepsOf(await ipt.plan(ipt.parse({ table: 'nat', flush: true }, at), probe, ctx()))).toEqual(['iptables -t nat -F']);
    expect(probe.ran).toHaveLength(0);
    expect((await plan({ chain: 'RB', state: 'absent' }, { list: 'Chain RB (0 references)\nrc=0' })).p.changed).toBe(false);
    expect(
      stepsOf((await plan({ chain: 'RB', state: 'absent', chain_management: true }, { list: 'Chain RB (0 references)\nrc=0' })).p),
    ).toEqual(['iptables -t filter -X RB']);
  });
});
