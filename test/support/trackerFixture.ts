/**
 * Fixtures for the mapping tracker's tests and bench: a union to hold files in (Strata through the CLI
 * when it is built, else mergerfs, which the device-number logic treats the same), python3 processes
 * that map or hold files, and crowds of sleepers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HandleInfo, WhereResult } from '../../main/common/contract.ts';
import type { UnionSource } from '../../main/node/tracker/unionSource.ts';
import { background, forceUnmount, isMounted, run } from './unionFixture.ts';

/** dist/cli.js from the sources (test/support) and from the bench bundle (dist/bench.js) alike. */
export const STRATA_CLI = [join(import.meta.dirname, 'cli.js'), join(import.meta.dirname, '../../dist/cli.js')].find(existsSync);
const strata = (args: string[]) => run(process.execPath, [STRATA_CLI ?? 'dist/cli.js', ...args]);

export interface TrackerUnion {
  kind: 'strata' | 'mergerfs';
  root: string;
  mnt: string;
  branches: string[];
  /** mergerfs: the daemon's pid (Strata's worker is known to the manager). */
  server?: number;
  at(rel: string): string;
  in(i: number, rel: string): string;
  cleanup(): Promise<void>;
}

async function waitMounted(mnt: string, want: boolean): Promise<void> {
  for (let i = 0; i < 200 && (await isMounted(mnt)) !== want; i++) await new Promise((r) => setTimeout(r, 25));
  if ((await isMounted(mnt)) !== want) throw new Error(`${mnt} did not ${want ? 'mount' : 'unmount'}`);
}

/**
 * A two-branch union under /tmp/strata-tr-*: b0 (rw, top) and b1. `populate` fills the branches first.
 * `kind` defaults to Strata when dist/cli.js exists.
 */
export async function mountTrackerUnion(
  populate: (branches: string[]) => Promise<void>,
  kind: TrackerUnion['kind'] = STRATA_CLI ? 'strata' : 'mergerfs',
): Promise<TrackerUnion> {
  const root = await mkdtemp('/tmp/strata-tr-');
  const branches = [join(root, 'b0'), join(root, 'b1')];
  const mnt = join(root, 'mnt');
  for (const d of [...branches, mnt]) await mkdir(d);
  await populate(branches);
  let daemon: ChildProcess | undefined;
  const union: TrackerUnion = {
    kind,
    root,
    mnt,
    branches,
    at: (rel) => join(mnt, rel),
    in: (i, rel) => join(branches[i], rel),
    cleanup: async () => {
      if (await isMounted(mnt)) {
        if (kind === 'strata') await strata(['unmount', mnt, '--force']);
        else await run('fusermount', ['-u', '-z', mnt]);
      }
      if (await isMounted(mnt)) await forceUnmount(mnt);
      daemon?.kill('SIGKILL');
      if (!(await isMounted(mnt))) await rm(root, { recursive: true, force: true });
    },
  };
  if (kind === 'strata') {
    const r = await strata(['mount', mnt, '--branch', `${branches[0]}=rw`, '--branch', `${branches[1]}=rw`]);
    if (r.code !== 0) {
      await union.cleanup();
      throw new Error(`strata mount failed (${r.code}): ${r.stderr}`);
    }
  } else {
    daemon = spawn('mergerfs', ['-f', '-o', 'cache.files=partial,category.create=ff', branches.join(':'), mnt], { stdio: 'ignore' });
    union.server = daemon.pid;
    await waitMounted(mnt, true);
  }
  return union;
}

/** For mergerfs, a fixed description: its branches, no handle table, no `where`. */
export function fixedSource(u: TrackerUnion, handles: HandleInfo[] = []): UnionSource {
  return {
    unions: async () => [
      { mountpoint: u.mnt, branches: u.branches.map((path, index) => ({ index, path, mode: 'rw' as const })), servers: u.server ? [u.server] : [] },
    ],
    handles: async () => handles,
    where: async (): Promise<WhereResult> => {
      throw new Error('mergerfs has no where');
    },
  };
}

const HOLDER = `
import mmap, os, sys, time
keep = []
for op in sys.argv[1:]:
    verb, path = op.split(':', 1)
    path = os.fsencode(path).replace(b'\\\\n', b'\\n')
    if verb == 'cwd':
        os.chdir(path)
    elif verb == 'fd':
        keep.append(os.open(path, os.O_RDONLY))
    elif verb == 'fdw':
        keep.append(os.open(path, os.O_RDWR))
    elif verb == 'tmpfile':
        keep.append(os.open(path, os.O_TMPFILE | os.O_RDWR, 0o600))
    else:
        fd = os.open(path, os.O_RDWR if verb == 'mmap-shared-w' else os.O_RDONLY)
        shared = verb.startswith('mmap-shared')
        prot = mmap.PROT_READ | (mmap.PROT_WRITE if verb == 'mmap-shared-w' else 0)
        keep.append(mmap.mmap(fd, 0, flags=mmap.MAP_SHARED if shared else mmap.MAP_PRIVATE, prot=prot))
        os.close(fd)
print('ready', os.getpid(), flush=True)
time.sleep(3600)
`;

export type HoldOp = `${'cwd' | 'fd' | 'fdw' | 'tmpfile' | 'mmap-shared' | 'mmap-shared-w' | 'mmap-private'}:${string}`;

/** A python3 process doing each op in order (a literal "\n" in a path stands for a newline), then sleeping. */
export async function holder(ops: HoldOp[]) {
  const p = background('python3', ['-c', HOLDER, ...ops], { cwd: '/' });
  await p.waitFor('ready');
  return { ...p, pid: p.child.pid as number };
}

/**
 * `n` sleep(1) processes, each with stdin open on `file` and its cwd in `cwd`: two entries per process for
 * the tracker (and for lsof). The file is opened once and inherited, like a shell redirection would.
 */
export async function sleepers(n: number, file: string, cwd: string): Promise<{ pids: number[]; stop(): Promise<void> }> {
  const fh = await open(file, 'r');
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve(null);
            c.once('exit', resolve);
            c.kill('SIGKILL');
          }),
      ),
    );
  };
  try {
    for (let i = 0; i < n; i++) {
      const child = spawn('sleep', ['3600'], { cwd, stdio: [fh.fd, 'ignore', 'ignore'] });
      children.push(child);
      await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    await fh.close();
  }
  return { pids: children.map((c) => c.pid as number), stop };
}

export async function fill(path: string, bytes = 10_000): Promise<void> {
  await writeFile(path, Buffer.alloc(bytes, 120));
}
