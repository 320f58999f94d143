// Package managers and repositories (apt, dnf/yum, pip, keys, repositories); merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';
import { apt } from './apt.js';
import { aptKey } from './apt-key.js';
import { aptRepository } from './apt-repository.js';
import { deb822Repository } from './deb822-repository.js';
import { dnf, yum } from './dnf.js';
import { dpkgSelections } from './dpkg-selections.js';
import { packageFacts } from './package-facts.js';
import { pip } from './pip.js';
import { rpmKey } from './rpm-key.js';
import { yumRepository } from './yum-repository.js';

export const packageModules: Record<string, ModuleDef<any>> = {
  apt,
  apt_key: aptKey,
  apt_repository: aptRepository,
  deb822_repository: deb822Repository,
  dnf,
  yum,
  yum_repository: yumRepository,
  rpm_key: rpmKey,
  pip,
  dpkg_selections: dpkgSelections,
  package_facts: packageFacts,
};
