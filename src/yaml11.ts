// Ansible reads YAML with PyYAML (YAML 1.1): yes/no/on/off are booleans there. The yaml package speaks 1.2, where
// they are strings, so `enabled: no` would be a truthy "no"; every YAML reader adds this tag.
import type { ScalarTag } from 'yaml';

export const yaml11Bool: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: /^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/,
  resolve: (s: string) => /^(?:yes|on)$/i.test(s),
};
