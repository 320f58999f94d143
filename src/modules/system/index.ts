// Users, groups, keys, services, cron, hostname, mounts; merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';
import { authorizedKey } from './authorized_key.js';
import { cron } from './cron.js';
import { getent } from './getent.js';
import { group } from './group.js';
import { hostname } from './hostname.js';
import { mount } from './mount.js';
import { service } from './service.js';
import { service_facts } from './service_facts.js';
import { systemd, systemdService } from './systemd.js';
import { user } from './user.js';

export const systemModules: Record<string, ModuleDef<any>> = {
  user,
  group,
  authorized_key: authorizedKey,
  service,
  service_facts,
  systemd,
  systemd_service: systemdService,
  cron,
  hostname,
  mount,
  getent,
};
