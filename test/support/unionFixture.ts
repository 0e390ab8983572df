/**
 * Real unions for integration tests: branch directories under a fresh temp root, mounted through the
 * `strata` CLI (so every test also exercises the worker process), always unmounted afterwards, even
 * when the test failed or the worker died.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { cutOffMount, mountTable } from './mountCutOff.mjs';

export const CLI = join(import.meta.dirname, '../../dist/cli.js');

/**
 * Whether the tests run as root. `npm test` runs the union suites once more as an ordinary user
 * (test/asOrdinaryUser.mjs); a set-up only root can make (a tmpfs branch, a file of another user, a
 * device node) belongs to tests run only as root.
 */
export const asRoot = process.getuid?.() === 0;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a program (never through a shell), collecting its output; never rejects on a non-zero exit. */
export function run(cmd: string, args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { cwd: opts.cwd, env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Run and require success; the error shows the command's stderr. */
export async function ok(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export const strata = (args: string[], opts: Parameters<typeof run>[2] = {}) => run(process.execPath, [CLI, ...args], opts);

export async function isMounted(mnt: string): Promise<boolean> {
  return mountTable().some((m) => m.mountpoint === mnt);
}

/** Last resort for any mount (a union whose worker is gone or stuck has its FUSE connection aborted first): detach it lazily. */
export async function forceUnmount(mnt: string): Promise<void> {
  const mount = mountTable().find((m) => m.mountpoint === mnt);
  if (mount) cutOffMount(mount);
}

export type Mode = 'rw' | 'ro' | 'nc';

export interface UnionFixture {
  root: string;
  mnt: string;
  branches: string[];
  /** Path inside the mount. */
  at(rel: string): string;
  /** Path inside branch i. */
  in(i: number, rel: string): string;
  cleanup(): Promise<void>;
}

export interface FixtureOptions {
  modes: Mode[];
  /** Extra `strata mount` arguments (--create, --copyup, ...). */
  args?: string[];
  /** Fill the branches before mounting. */
  populate?: (branches: string[]) => Promise<void>;
  /** Use these directories as branches instead of fresh ones (e.g. tmpfs mounts). */
  branchDirs?: string[];
  /** Environment of `strata mount`, which its worker inherits. */
  env?: NodeJS.ProcessEnv;
}

export async function withTempRoot(prefix = 'strata-it-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function mountUnion(opts: FixtureOptions): Promise<UnionFixture> {
  const root = await withTempRoot();
  const branches = opts.branchDirs ?? opts.modes.map((_, i) => join(root, `b${i}`));
  for (const b of branches) await mkdir(b, { recursive: true });
  const mnt = join(root, 'mnt');
  await mkdir(mnt);
  await opts.populate?.(branches);
  const fixture: UnionFixture = {
    root,
    mnt,
    branches,
    at: (rel) => join(mnt, rel),
    in: (i, rel) => join(branches[i], rel),
    cleanup: async () => {
      if (await isMounted(mnt)) await strata(['unmount', mnt, '--force']);
      if (await isMounted(mnt)) await forceUnmount(mnt);
      if (!(await isMounted(mnt))) await rm(root, { recursive: true, force: true });
    },
  };
  const r = await strata(['mount', mnt, ...branches.flatMap((b, i) => ['--branch', `${b}=${opts.modes[i]}`]), ...(opts.args ?? [])], { env: opts.env });
  if (r.code !== 0) {
    await fixture.cleanup();
    throw new Error(`strata mount failed (${r.code}): ${r.stderr}`);
  }
  return fixture;
}

/** Start a long-running child (a writer, a sleeper holding a file); killed by the returned stop(). */
export function background(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : 0))));
  return {
    child,
    output: () => out,
    exited,
    /** Resolves once the child printed `text`. */
    waitFor: async (text: string, timeoutMs = 15_000) => {
      const t0 = Date.now();
      while (!out.includes(text)) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for '${text}'; output: ${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * `it`, or `it.fails` when the suite runs on the fuse-native fallback (STRATA_BACKEND=fuse-native) and
 * the test hits one of its documented defects; `defect` names it, so a failure report says why.
 */
export function unlessFuseNative(defect: string): typeof it | typeof it.fails {
  if (process.env.STRATA_BACKEND !== 'fuse-native') return it;
  return ((name: string, fn: () => Promise<void>) => it.fails(`${name} [fuse-native defect: ${defect}]`, fn)) as typeof it.fails;
}

/** tmpfs branches of given sizes ('8M', '20T'), so free-space policies see real, different numbers. */
export async function tmpfsBranches(sizes: string[]): Promise<{ root: string; dirs: string[]; cleanup: () => Promise<void> }> {
  const root = await withTempRoot('strata-it-tmpfs-');
  const dirs: string[] = [];
  for (const [i, size] of sizes.entries()) {
    const dir = join(root, `t${i}`);
    await mkdir(dir);
    await ok('mount', ['-t', 'tmpfs', '-o', `size=${size}`, `strata-test-t${i}`, dir]);
    dirs.push(dir);
  }
  return {
    root,
    dirs,
    cleanup: async () => {
      // A worker that is still exiting may hold a branch descriptor for a moment (EBUSY): retry, then detach.
      for (const d of dirs) {
        for (let tries = 0; (await isMounted(d)) && tries < 20; tries++)
          if ((await run('umount', [d])).code !== 0) await new Promise((r) => setTimeout(r, 100));
        if (await isMounted(d)) await run('umount', ['-l', d]);
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
