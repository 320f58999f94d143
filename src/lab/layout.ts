// One place that knows where a lab keeps its files, so up, down and status agree on paths.
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { checkLabName } from './names.js';

// How callers name a lab: by name, with an optional state dir.
export interface LabRef {
  /** default "lab" */
  name?: string;
  /** state dir, default <cwd>/.lab/<name> */
  dir?: string;
}

// Paths the overlay mount options cannot carry, or that the host's own mounts would cover.
function checkStateDir(dir: string): string {
  if (/[,:\n]/.test(dir)) {
    throw new InputError(`lab state dir "${dir}" contains a comma, colon or newline`, {
      hint: 'overlayfs mount options cannot carry those; pick a plainer path',
    });
  }
  for (const top of ['/etc', '/var', '/run', '/proc', '/sys', '/dev', '/usr']) {
    if (dir === top || dir.startsWith(`${top}/`)) {
      throw new InputError(`lab state dir "${dir}" is under ${top}`, {
        hint: `lab hosts mount over ${top} (or it is not ordinary storage); use e.g. ./.lab or /srv/lab`,
      });
    }
  }
  return dir;
}

// Name and absolute state dir from user options, both validated.
export function resolveLabRef(ref: LabRef): { name: string; dir: string } {
  const name = checkLabName(ref.name ?? 'lab');
  const dir = checkStateDir(resolve(ref.dir ?? join(process.cwd(), '.lab', name)));
  return { name, dir };
}

// Absolute paths of a lab's files.
export interface LabLayout {
  dir: string;
  keyPath: string;
  knownHostsPath: string;
  inventoryPath: string;
  infoPath: string;
  initScript: string;
  hostsDir: string;
  pidsDir: string;
  logsDir: string;
  hostDir(host: string): string;
  hostKey(host: string): string;
  initPidFile(host: string): string;
  sshdPidFile(host: string): string;
  log(host: string): string;
}

// hosts/ is per-up scratch (overlay upper dirs); keys in the top dir and hostkeys/ survive downs.
export function labLayout(dir: string): LabLayout {
  return {
    dir,
    keyPath: join(dir, 'id_ed25519'),
    knownHostsPath: join(dir, 'known_hosts'),
    inventoryPath: join(dir, 'inventory.yaml'),
    infoPath: join(dir, 'lab.json'),
    initScript: join(dir, 'init.sh'),
    hostsDir: join(dir, 'hosts'),
    pidsDir: join(dir, 'pids'),
    logsDir: join(dir, 'logs'),
    hostDir: (h) => join(dir, 'hosts', h),
    hostKey: (h) => join(dir, 'hostkeys', `${h}_ed25519`),
    initPidFile: (h) => join(dir, 'pids', `${h}.init.pid`),
    sshdPidFile: (h) => join(dir, 'pids', `${h}.sshd.pid`),
    log: (h) => join(dir, 'logs', `${h}.log`),
  };
}
