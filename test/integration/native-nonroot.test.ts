/**
 * A union mounted by an ordinary user (through fusermount3, no passthrough, no allow_other) serves the
 * same requests through the same FUSE layer: reads, copy-up on append, a hard link that is one inode,
 * a shared mapping, rename, unlink. The user gets /dev/fuse through an ACL entry of its own for the test's
 * length, so nothing else on the machine sees a change.
 */
import { chmod, chown, lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpStats } from '../../main/common/contract.ts';
import { controlRequest } from '../../main/node/control/controlClient.ts';
import { lendAcl } from '../support/aclLoan.mjs';
import { cleanupUnder } from '../support/mountCleanup.ts';
import { CLI, forceUnmount, isMounted, ok, run, withTempRoot } from '../support/unionFixture.ts';

/**
 * Debian's `daemon` user: a name fusermount3 can look up, and no other test's (those that need an
 * unprivileged user take 65534).
 */
const USER = 1;

let root: string;
let giveFuseBack: (() => boolean) | undefined;
const at = (...parts: string[]) => join(root, ...parts);
const env = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: at('home'), XDG_RUNTIME_DIR: at('run') });
const asUser = (cmd: string, args: string[]) => run('setpriv', [`--reuid=${USER}`, `--regid=${USER}`, '--clear-groups', cmd, ...args], { env: env() });
/** The worker's counters, from its control socket in the user's runtime directory. */
async function stats(): Promise<OpStats> {
  const was = process.env.STRATA_RUNTIME_DIR;
  process.env.STRATA_RUNTIME_DIR = at('run', 'strata');
  try {
    return (await controlRequest(at('mnt'), { op: 'stats' })) as OpStats;
  } finally {
    if (was === undefined) delete process.env.STRATA_RUNTIME_DIR;
    else process.env.STRATA_RUNTIME_DIR = was;
  }
}
const sh = async (script: string) => {
  const r = await asUser('sh', ['-c', script, 'sh', at('mnt')]);
  if (r.code !== 0) throw new Error(`as uid ${USER}: ${script} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
};

beforeAll(async () => {
  root = await withTempRoot('strata-nonroot-');
  await chown(root, USER, USER);
  for (const dir of ['up', 'lo', 'mnt', 'home', 'run']) {
    await mkdir(at(dir), { mode: 0o700 });
    await chown(at(dir), USER, USER);
  }
  await writeFile(at('lo', 'f'), 'low\n');
  await chown(at('lo', 'f'), USER, USER);
  // For copy-ups: a set-ID file of root's the user may write, a symlink and a file two directories down.
  await writeFile(at('lo', 'setid'), 'root\n');
  await chmod(at('lo', 'setid'), 0o6757);
  await symlink('f', at('lo', 'link'));
  await ok('chown', ['-h', `${USER}:${USER}`, at('lo', 'link')]);
  await mkdir(at('lo', 'deep', 'er'), { recursive: true });
  await writeFile(at('lo', 'deep', 'er', 'f'), 'deep\n');
  for (const p of ['deep', 'deep/er', 'deep/er/f']) await chown(at('lo', p), USER, USER);
  giveFuseBack = lendAcl('/dev/fuse', USER, 'rw');
  if (!giveFuseBack) throw new Error(`cannot lend uid ${USER} /dev/fuse through an ACL`);
  const r = await asUser(process.execPath, [CLI, 'mount', at('mnt'), '--branch', `${at('up')}=rw`, '--branch', `${at('lo')}=ro`]);
  if (r.code !== 0) throw new Error(`strata mount as uid ${USER} failed: ${r.stderr}`);
}, 60_000);

afterAll(async () => {
  if (root && (await isMounted(at('mnt')))) await asUser(process.execPath, [CLI, 'unmount', at('mnt')]);
  if (root && (await isMounted(at('mnt')))) await forceUnmount(at('mnt'));
  giveFuseBack?.();
  if (root) await cleanupUnder(root);
}, 60_000);

describe('a union mounted by an ordinary user', () => {
  it('is mounted without allow_other, by that user', async () => {
    const line = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === at('mnt'))!;
    expect(line).toContain(`user_id=${USER}`);
    expect(line).not.toContain('allow_other');
  });

  it('reads, copies up on append, links, maps, renames and unlinks through the same FUSE layer', async () => {
    expect(await sh('cat "$1/f"')).toBe('low\n');
    const before = await stats();
    await sh('echo more >> "$1/f"');
    // Made on the FUSE thread, as for root.
    expect([(await stats()).served.copyup - (before.served.copyup ?? 0), (await stats()).copyups - before.copyups]).toEqual([1, 1]);
    expect(await readFile(at('up', 'f'), 'utf8')).toBe('low\nmore\n');
    expect(await readFile(at('lo', 'f'), 'utf8')).toBe('low\n');
    await sh('ln "$1/f" "$1/g"');
    const [f, g] = (await sh('stat -c "%i %h" "$1/f" "$1/g"')).trim().split('\n');
    expect(f).toBe(g);
    expect(f.split(' ')[1]).toBe('2');
    await sh('python3 -c "import mmap,os,sys; fd=os.open(sys.argv[1],os.O_RDWR); m=mmap.mmap(fd,3); m[0:3]=b\'LOW\'; m.flush()" "$1/g"');
    expect(await readFile(at('up', 'f'), 'utf8')).toBe('LOW\nmore\n');
    await sh('mv "$1/g" "$1/h"');
    expect(await sh('ls -A "$1"')).toBe('deep\nf\nh\nlink\nsetid\n');
    expect(await readFile(at('up', 'h'), 'utf8')).toBe('LOW\nmore\n');
    await sh('rm "$1/f" "$1/h"');
    expect(await sh('ls -A "$1"')).toBe('deep\nlink\nsetid\n');
  });

  it('copies up on the FUSE thread what it may not give away as its own, without set-ID bits; symlinks and missing parents too', async () => {
    const before = await stats();
    await sh(`set -e; echo more >> "$1/setid"; echo more >> "$1/deep/er/f"; chown -h ${USER}:${USER} "$1/link"`);
    expect([(await stats()).served.copyup - (before.served.copyup ?? 0), (await stats()).copyups - before.copyups]).toEqual([3, 3]);
    const copy = await stat(at('up', 'setid'));
    expect([copy.uid, copy.mode & 0o7777, await readFile(at('up', 'setid'), 'utf8')]).toEqual([USER, 0o757, 'root\nmore\n']);
    expect((await stat(at('lo', 'setid'))).mode & 0o7777).toBe(0o6757);
    expect(await readFile(at('up', 'deep/er/f'), 'utf8')).toBe('deep\nmore\n');
    expect([(await lstat(at('up', 'link'))).isSymbolicLink(), (await stat(at('up', 'deep'))).uid]).toEqual([true, USER]);
  });

  it('is unmounted by that user', async () => {
    const r = await asUser(process.execPath, [CLI, 'unmount', at('mnt')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await isMounted(at('mnt'))).toBe(false);
  });
});
