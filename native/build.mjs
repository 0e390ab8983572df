// Builds Strata's addons with node-gyp (run by main/build.mjs, i.e. on `npm install`). native/sys is
// required: the union engine cannot work without it, so its failure fails the build. native/fuse is the
// optional libfuse 3 backend: without libfuse3-dev Strata falls back to fuse-native, so it only warns.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// Node's install prefix: npm (with node-gyp) lives under it, and so do the headers.
const prefix = dirname(dirname(process.execPath));

// npm sets npm_config_node_gyp for lifecycle scripts; outside npm, use the copy npm bundles.
const nodeGyp = process.env.npm_config_node_gyp ?? join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');

// Outside npm, node-gyp would download headers; the installed ones match this Node exactly.
const nodedir = !process.env.npm_config_nodedir && existsSync(join(prefix, 'include/node/node_api.h')) ? [`--nodedir=${prefix}`] : [];

// configure + build, not rebuild: rebuild deletes the addon first, which breaks any process loading it
// meanwhile (tests run the build), and recompiles what has not changed.
function build(addon, { quiet }) {
  for (const step of ['configure', 'build']) {
    const r = spawnSync(process.execPath, [nodeGyp, step, '--release', '--loglevel=warn', ...nodedir], {
      cwd: join(here, addon),
      stdio: quiet ? 'pipe' : 'inherit',
      encoding: 'utf8',
    });
    if (r.status !== 0) return r.stderr || r.error?.message || `exit ${r.status}`;
  }
  return null;
}

if (build('sys', { quiet: false })) {
  console.error(
    'native/sys failed to build (the reason is in the output above). It needs g++, make and python3 (Debian: apt install build-essential python3); then run npm install again.',
  );
  process.exit(1);
}

if (existsSync(join(here, 'fuse/binding.gyp')) && build('fuse', { quiet: true })) {
  console.warn('warning: native/fuse not built (install libfuse3-dev and pkg-config); Strata will use fuse-native');
}
