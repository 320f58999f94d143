// The shipped CLI is one ESM bundle with lazily loaded chunks: Node 20 has no compile cache, and resolving
// ~150 small modules on every start cost ~80 ms; bundled, `runbook --help` starts in ~90 ms.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ssh2 loads optional native helpers at run time; playwright-core is for tests only.
  external: ['ssh2', 'cpu-features', 'playwright-core'],
  banner: { js: "import { createRequire as __rbRequire } from 'node:module'; const require = __rbRequire(import.meta.url);" },
  logLevel: 'warning',
});
