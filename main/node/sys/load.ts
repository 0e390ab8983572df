/**
 * Loads native/sys. The path is found from the project root (the directory holding package.json) so the
 * same code works from the TypeScript sources under vitest and from the ESM bundles in dist/.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Syscalls } from './syscalls.ts';

/** The nearest ancestor of this module holding package.json. */
export function projectRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`Strata: no package.json above ${start}`);
  }
}

/**
 * Loads `native/<addon>/build/Release/<file>`, or throws an Error naming the fix. `needs` lists what
 * building it requires beyond the compiler toolchain.
 */
export function loadAddon<T>(addon: string, file: string, needs = ''): T {
  const path = join(projectRoot(), 'native', addon, 'build', 'Release', file);
  if (!existsSync(path)) {
    const requires = ['g++', 'make', 'python3', needs].filter(Boolean).join(', ');
    throw new Error(`Strata's native addon ${path} is missing: run npm install (building it needs ${requires})`);
  }
  return createRequire(import.meta.url)(path) as T;
}

let cached: Syscalls | undefined;

export function loadSyscalls(): Syscalls {
  cached ??= loadAddon<Syscalls>('sys', 'strata_sys.node');
  return cached;
}
