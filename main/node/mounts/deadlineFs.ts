/**
 * Filesystem questions about paths that may lie on a mount that may not answer: a FUSE mount (a branch
 * that is itself a union, a folder typed into the UI) or a network one (an NFS hard mount whose server
 * went away). Paths are resolved from the mount table and lstat/readlink of the parts outside any such
 * mount; what lies on one is asked of a child process with a deadline, and a child that misses it is
 * abandoned, never awaited: a process whose request the server has taken cannot be killed until it is
 * answered. Everything else runs directly.
 */
import { spawn } from 'node:child_process';
import { lstat, readdir, readlink, realpath, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { isSameOrInside, normalizeAbsolute } from '../../common/absolutePath.ts';
import { type MountInfoEntry, mayHang } from '../../common/mountinfo.ts';
import { errnoException } from '../sys/errno.ts';
import { LateCallError, LateCalls } from '../sys/lateCalls.ts';
import { readMountTable } from './mountTable.ts';

const DEADLINE_MS = 2000;
const MAX_LINKS = 40;

export interface SafeStat {
  isDirectory: boolean;
  /** Symlinks resolved. */
  real: string;
}

export interface SafeSpace {
  blocks: number;
  bavail: number;
  bsize: number;
}

export interface SafeDirEntry {
  name: string;
  /** A directory, or a symlink to one. */
  isDirectory: boolean;
  isSymbolicLink: boolean;
}

/** The mount `path` lies on (lexically: `path` has no symlinks). */
function mountOf(path: string, mounts: readonly MountInfoEntry[]): MountInfoEntry | undefined {
  let best: MountInfoEntry | undefined;
  for (const m of mounts) {
    if (isSameOrInside(path, m.mountpoint) && (!best || m.mountpoint.length >= best.mountpoint.length)) best = m;
  }
  return best;
}

/** The FUSE or network mount `path` lies on (lexically: `path` has no symlinks), whose calls may wait without end; if any. */
export function mountThatMayHang(path: string, mounts: readonly MountInfoEntry[]): MountInfoEntry | undefined {
  const m = mountOf(path, mounts);
  return m && mayHang(m.fstype) ? m : undefined;
}

/**
 * `path` with its symlinks resolved as far as no mount that may hang is entered, and the mount where
 * that stopped. A missing component ends the walk too (the rest is kept as given).
 */
export async function resolveWithoutWaiting(path: string, mounts?: readonly MountInfoEntry[]): Promise<{ path: string; stoppedAt?: MountInfoEntry }> {
  const table = mounts ?? (await readMountTable());
  let done = '/';
  let rest = normalizeAbsolute(path).split('/').filter(Boolean);
  let links = 0;
  while (rest.length > 0) {
    const part = rest.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done = normalizeAbsolute(join(done, '..'));
      continue;
    }
    const next = join(done, part);
    const stoppedAt = mountThatMayHang(next, table);
    if (stoppedAt) return { path: join(next, ...rest), stoppedAt };
    const st = await lstat(next).catch(() => null);
    if (!st) return { path: join(next, ...rest) };
    if (!st.isSymbolicLink()) {
      done = next;
      continue;
    }
    if (++links > MAX_LINKS) throw errnoException('ELOOP', 'realpath', path);
    const target = await readlink(next);
    if (target.startsWith('/')) done = '/';
    rest = [...target.split('/').filter(Boolean), ...rest];
  }
  return { path: done };
}

/** Runs in the child: one question, answered as JSON on stdout, or the error's code. */
const CHILD = `
const fs = require('node:fs');
const [op, p] = process.argv.slice(1);
try {
  let out;
  if (op === 'statfs') { const s = fs.statfsSync(p); out = { blocks: s.blocks, bavail: s.bavail, bsize: s.bsize }; }
  else if (op === 'stat') { out = { isDirectory: fs.statSync(p).isDirectory(), real: fs.realpathSync(p) }; }
  else out = fs.readdirSync(p, { withFileTypes: true }).map((e) => {
    let dir = e.isDirectory();
    if (e.isSymbolicLink()) { try { dir = fs.statSync(p + '/' + e.name).isDirectory(); } catch {} }
    return { name: e.name, isDirectory: dir, isSymbolicLink: e.isSymbolicLink() };
  });
  process.stdout.write(JSON.stringify({ ok: out }));
} catch (e) { process.stdout.write(JSON.stringify({ err: e.code || String(e.message) })); }
`;

const late = new LateCalls();

function askChild<T>(op: 'statfs' | 'stat' | 'readdir', path: string, mount: MountInfoEntry): Promise<T> {
  const key = `${op} ${path}`;
  return late
    .run(
      key,
      DEADLINE_MS,
      () =>
        new Promise<T>((resolve, reject) => {
          // In Electron, execPath is Electron itself: ELECTRON_RUN_AS_NODE makes it the Node it embeds.
          const child = spawn(process.execPath, ['-e', CHILD, '--', op, path], {
            stdio: ['ignore', 'pipe', 'ignore'],
            env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
          });
          let out = '';
          // Past the deadline the child is let go: killed if it still can be, never waited for.
          const abandon = setTimeout(() => {
            child.kill('SIGKILL');
            child.unref();
            (child.stdout as unknown as { unref(): void }).unref();
          }, DEADLINE_MS);
          abandon.unref();
          child.stdout.on('data', (d: Buffer) => (out += d));
          child.once('error', reject);
          child.once('close', () => {
            clearTimeout(abandon);
            try {
              const r = JSON.parse(out) as { ok: T } | { err: string };
              if ('ok' in r) resolve(r.ok);
              else reject(errnoException(r.err, op, path));
            } catch {
              reject(errnoException('EIO', op, path, 'no answer'));
            }
          });
        }),
    )
    .catch((err: unknown) => {
      if (err instanceof LateCallError) {
        throw Object.assign(new Error(`${path} is on ${mount.mountpoint}, which has not answered since ${new Date(err.since).toLocaleTimeString()}`), {
          code: 'ETIMEDOUT',
          path,
        });
      }
      throw err;
    });
}

/** statfs(2) figures of `path`. */
export async function safeStatfs(path: string): Promise<SafeSpace> {
  const { path: real, stoppedAt } = await resolveWithoutWaiting(path);
  if (stoppedAt) return askChild<SafeSpace>('statfs', real, stoppedAt);
  const s = await statfs(real);
  return { blocks: s.blocks, bavail: s.bavail, bsize: s.bsize };
}

/** stat(2) following symlinks, and the real path. */
export async function safeStat(path: string, mounts?: readonly MountInfoEntry[]): Promise<SafeStat> {
  const { path: resolved, stoppedAt } = await resolveWithoutWaiting(path, mounts);
  if (stoppedAt) return askChild<SafeStat>('stat', resolved, stoppedAt);
  const st = await stat(resolved);
  return { isDirectory: st.isDirectory(), real: await realpath(resolved) };
}

export async function safeReaddir(path: string): Promise<SafeDirEntry[]> {
  const mounts = await readMountTable();
  const { path: real, stoppedAt } = await resolveWithoutWaiting(path, mounts);
  if (stoppedAt) return askChild<SafeDirEntry[]>('readdir', real, stoppedAt);
  const entries = await readdir(real, { withFileTypes: true });
  return Promise.all(
    entries.map(async (e) => {
      const link = e.isSymbolicLink();
      // A symlink may point into a mount that may hang: follow it the safe way.
      const isDirectory = link
        ? await safeStat(join(real, e.name), mounts).then(
            (s) => s.isDirectory,
            () => false,
          )
        : e.isDirectory();
      return { name: e.name, isDirectory, isSymbolicLink: link };
    }),
  );
}
