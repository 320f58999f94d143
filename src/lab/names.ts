// Every kernel object of a lab is named from the lab name, so a later run can find and remove stale ones.
import { InputError } from '../errors.js';

const NAME_RE = /^[a-z0-9]{1,4}$/;
// .11 to .210 of the /24, and veth names stay within 15 characters.
export const MAX_HOSTS = 200;

// Rejects names that would overflow 15-char interface names or clash with our patterns.
export function checkLabName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new InputError(`invalid lab name "${name}"`, {
      hint: 'use 1 to 4 characters from [a-z0-9], e.g. "lab" or "e2e1"',
    });
  }
  return name;
}

// Count is bounded by the /24 (.11 upward) and by keeping veth names ≤ 15 chars.
export function checkHostCount(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) {
    throw new InputError(`invalid lab host count ${count}`, { hint: `use an integer from 1 to ${MAX_HOSTS}` });
  }
  return count;
}

// FNV-1a: tiny, stable across Node versions, good enough to spread short names.
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// The names and addresses derived from a lab name.
export interface LabNaming {
  name: string;
  bridge: string;
  /** 10.250.X.0/24 */
  subnet: string;
  /** 10.250.X.1, the bridge's address in the root namespace */
  gateway: string;
  hostName(i: number): string;
  ns(i: number): string;
  veth(i: number): string;
  hostIp(i: number): string;
  /** eth0's MAC, fixed (locally administered, from the address), so every host can know its peers' before they boot */
  hostMac(i: number): string;
  /** OVS labs: the second segment, that only the hosts' userspace OVS (br-phy) is on: GRE between hosts */
  dataBridge: string;
  /** the root end of a host's eth1, on dataBridge */
  dataVeth(i: number): string;
  /** eth1's MAC, fixed as eth0's */
  dataMac(i: number): string;
  nsPattern: RegExp;
  /** both kinds of root-side veth (eth0's and eth1's) */
  vethPattern: RegExp;
}

// One naming object per lab: the only place that spells bridge, namespace, veth and address names.
export function labNaming(name: string): LabNaming {
  checkLabName(name);
  const third = (fnv1a(name) % 200) + 10;
  const base = `10.250.${third}`;
  return {
    name,
    bridge: `lb-${name}`,
    subnet: `${base}.0/24`,
    gateway: `${base}.1`,
    hostName: (i) => `h${i}`,
    ns: (i) => `rb-${name}-h${i}`,
    veth: (i) => `lu-${name}-${i}`,
    hostIp: (i) => `${base}.${10 + i}`,
    hostMac: (i) => `02:72:62:${[250, third, 10 + i].map((b) => b.toString(16).padStart(2, '0')).join(':')}`,
    dataBridge: `ld-${name}`,
    dataVeth: (i) => `lv-${name}-${i}`,
    dataMac: (i) => `02:72:63:${[250, third, 10 + i].map((b) => b.toString(16).padStart(2, '0')).join(':')}`,
    nsPattern: new RegExp(`^rb-${name}-h(\\d+)$`),
    vethPattern: new RegExp(`^l[uv]-${name}-(\\d+)$`),
  };
}
