// Package managers and repositories (apt, dnf/yum, pip, keys, repositories); merged into the registry by src/modules/registry.ts.
import type { ModuleDef } from '../types.js';

export const packageModules: Record<string, ModuleDef<any>> = {};
