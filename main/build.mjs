// Builds everything `npm install` must produce: the native addons (when they can be built) and the
// bundles for each process. Entries that do not exist yet are skipped, so the build works as the
// project grows. Runs as the project's `prepare` script.
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => join(root, p);
mkdirSync(at('dist'), { recursive: true });

if (existsSync(at('native/build.mjs')) && !process.argv.includes('--no-native')) {
  const r = spawnSync(process.execPath, [at('native/build.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

const node = { platform: 'node', target: 'node20', bundle: true, sourcemap: 'linked', logLevel: 'warning', external: ['fuse-native', 'electron', '*.node'] };
const entries = [
  { in: 'main/node/cli/main.ts', out: 'dist/cli.js', format: 'esm', banner: '#!/usr/bin/env node' },
  { in: 'main/node/worker/main.ts', out: 'dist/worker.js', format: 'esm' },
  { in: 'test/bench/main.ts', out: 'dist/bench.js', format: 'esm' },
  { in: 'main/electron/main.ts', out: 'dist/electron-main.cjs', format: 'cjs', metaUrl: true },
  { in: 'main/electron/preload.ts', out: 'dist/preload.cjs', format: 'cjs' },
];
// ESM bundles still load CommonJS packages (fuse-native) through require. Electron's CommonJS main gets
// import.meta.url back, which the code uses to find dist/ and the native addons (not the sandboxed
// preload, which may not require node:url and has no use for it).
const requireShim = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";
const metaUrlShim = "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;";
await Promise.all(
  entries
    .filter((e) => existsSync(at(e.in)))
    .map((e) =>
      build({
        ...node,
        entryPoints: [at(e.in)],
        outfile: at(e.out),
        format: e.format,
        ...(e.metaUrl ? { define: { 'import.meta.url': '__importMetaUrl' } } : {}),
        banner: { js: [e.banner, e.format === 'esm' ? requireShim : '', e.metaUrl ? metaUrlShim : ''].filter(Boolean).join('\n') },
      }),
    ),
);

// The CLI runs by its shebang where it is linked onto PATH (mount.fuse3 runs `strata` for fstab mounts).
chmodSync(at('dist/cli.js'), 0o755);

if (existsSync(at('renderer/vite.config.ts')) && !process.argv.includes('--no-renderer')) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: at('renderer/vite.config.ts'), logLevel: 'warn' });
}
