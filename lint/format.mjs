// `npm run format` (--write) and `npm run format:check` (--check, run by `npm test`): Prettier over what it
// knows (prettier.config.mjs, .prettierignore) and clang-format over native/'s C++ (.clang-format).
// The check names every unformatted file and exits non-zero.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const write = process.argv.includes('--write');

function nativeSources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'build' || e.name === 'node_modules' ? [] : nativeSources(path);
    return /\.(cc|h)$/.test(e.name) ? [path] : [];
  });
}

const prettier = spawnSync(join(root, 'node_modules/.bin/prettier'), [...(write ? ['--write', '--log-level', 'warn'] : ['--list-different']), '--cache', '.'], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
const unformatted = write ? [] : prettier.stdout.split('\n').filter(Boolean);
let failed = prettier.status !== 0 && (write || unformatted.length === 0); // an error other than "files differ"

for (const file of nativeSources(join(root, 'native'))) {
  const clang = spawnSync('clang-format', write ? ['-i', file] : [file], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (clang.error || clang.status !== 0) {
    console.error(clang.error?.code === 'ENOENT' ? 'clang-format is not installed (.ci/system-deps.sh installs it)' : clang.stderr);
    failed = true;
    break;
  }
  if (!write && clang.stdout !== readFileSync(file, 'utf8')) unformatted.push(relative(root, file));
}

if (unformatted.length) {
  console.log(`Not formatted (fix: npm run format):\n${unformatted.map((f) => `  ${f}`).join('\n')}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
