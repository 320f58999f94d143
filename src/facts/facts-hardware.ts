// Hardware facts (memory, CPUs, mounts) from the facts script, as ansible-core 2.14's LinuxHardware computes them.
import type { Sections } from './facts-parse.js';

type Facts = Record<string, unknown>;

export function hardwareFacts(s: Sections, architecture: string): Facts {
  return {
    ...memory(s.meminfo ?? []),
    ...cpu(s.cpuinfo ?? [], s.nproc ?? [], architecture),
    mounts: mounts(s.mounts ?? [], s.df ?? [], s.binds ?? []),
  };
}

function memory(lines: string[]): Facts {
  const kb: Record<string, number> = {};
  for (const l of lines) {
    const m = /^(\w+):\s+(\d+)/.exec(l);
    if (m) kb[m[1]] = Number(m[2]);
  }
  if (kb.MemTotal === undefined) return {};
  const mb = (k: string) => Math.floor((kb[k] ?? 0) / 1024);
  const nocacheFree = mb('MemFree') + mb('Buffers') + mb('Cached');
  return {
    memtotal_mb: mb('MemTotal'),
    memfree_mb: mb('MemFree'),
    swaptotal_mb: mb('SwapTotal'),
    swapfree_mb: mb('SwapFree'),
    memory_mb: {
      real: { total: mb('MemTotal'), used: mb('MemTotal') - mb('MemFree'), free: mb('MemFree') },
      nocache: { free: nocacheFree, used: mb('MemTotal') - nocacheFree },
      swap: { total: mb('SwapTotal'), free: mb('SwapFree'), used: mb('SwapTotal') - mb('SwapFree'), cached: mb('SwapCached') },
    },
  };
}

// A port of get_cpu_facts' counting, quirks included (the first socket's "cpu cores", the first core's "siblings").
function cpu(lines: string[], nproc: string[], architecture: string): Facts {
  const processor: string[] = [];
  const sockets = new Map<string, number>();
  const cores = new Map<string, number>();
  let i = 0;
  let vendor = 0;
  let model = 0;
  let procs = 0;
  let physid = '';
  let coreid = '';
  let forcedCores: number | undefined;
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c < 0) continue;
    const key = l.slice(0, c).trim();
    const val = l.slice(c + 1).trim();
    if (['model name', 'Processor', 'vendor_id', 'cpu', 'Vendor', 'processor'].includes(key)) {
      processor.push(val);
      if (key === 'vendor_id') vendor++;
      if (key === 'model name') model++;
      if (key === 'processor') procs++;
      i++;
    } else if (key === 'physical id') {
      physid = val;
      if (!sockets.has(physid)) sockets.set(physid, 1);
    } else if (key === 'core id') {
      coreid = val;
      if (!sockets.has(coreid)) cores.set(coreid, 1);
    } else if (key === 'cpu cores') sockets.set(physid, Number(val));
    else if (key === 'siblings') cores.set(coreid, Number(val));
    else if (key === '# processors') forcedCores = Number(val);
    else if (key === 'ncpus active') i = Number(val);
  }
  if (!lines.length) return {};
  if (vendor > 0 && vendor === model) i = vendor;
  if (/^(armv|aarch|ppc)/.test(architecture)) i = procs;
  const count = sockets.size ? sockets.size : i;
  const first = [...sockets.values()][0];
  const coresPer = forcedCores ?? (first ? first : 1);
  const firstCore = [...cores.values()][0];
  const threads = firstCore !== undefined ? Math.floor(firstCore / coresPer) : Math.floor(1 / coresPer);
  const out: Facts = {
    processor,
    processor_count: count,
    processor_cores: coresPer,
    processor_threads_per_core: threads,
    processor_vcpus: threads * count * coresPer,
  };
  const n = Number(nproc[0]);
  out.processor_nproc = Number.isFinite(n) && n > 0 ? n : procs;
  return out;
}

// /proc/mounts entries backed by a device (as Ansible keeps them), with sizes from df where it answered in time.
function mounts(lines: string[], df: string[], binds: string[]): Facts[] {
  const sizes = new Map<string, { total: number; avail: number }>();
  for (const l of df.slice(1)) {
    const w = l.trim().split(/\s+/);
    if (w.length >= 6) sizes.set(w.slice(5).join(' '), { total: Number(w[1]) * 1024, avail: Number(w[3]) * 1024 });
  }
  const octal = (x: string) => x.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(Number.parseInt(o, 8)));
  const bound = new Set(binds.map(octal));
  const out: Facts[] = [];
  for (const l of lines) {
    const [device, mount, fstype, options] = l.split(' ').map(octal);
    if (!device || !mount) continue;
    if (!device.startsWith('/') && !device.startsWith('\\') && !device.includes(':/') && fstype !== 'none') continue;
    const opts = bound.has(mount) && !options.split(',').includes('bind') ? `${options},bind` : options;
    const m: Facts = { device, mount, fstype, options: opts };
    const sz = sizes.get(mount);
    if (sz) Object.assign(m, { size_total: sz.total, size_available: sz.avail });
    out.push(m);
  }
  return out;
}
