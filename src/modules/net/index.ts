// The network modules, merged into the builtin registry by the lead.
import type { ModuleDef } from '../types.js';
import { bridge } from './bridge.js';
import { iptablesModule } from './iptables.js';
import { jsonMerge } from './json-merge.js';
import { meshProbe } from './mesh-probe.js';
import { ovsBridge } from './ovs-bridge.js';
import { ovsPort } from './ovs-port.js';
import { ovsService } from './ovs-service.js';
import { pkg } from './package.js';
import { route } from './route.js';
import { sysctl } from './sysctl.js';

export const networkModules: Record<string, ModuleDef<any>> = {
  bridge,
  ovs_bridge: ovsBridge,
  ovs_port: ovsPort,
  ovs_service: ovsService,
  route,
  sysctl,
  package: pkg,
  json_merge: jsonMerge,
  mesh_probe: meshProbe,
  iptables: iptablesModule,
};
