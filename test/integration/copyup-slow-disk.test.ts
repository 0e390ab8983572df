/**
 * A large copy-up to a slow disk takes as long as the disk needs, and is never reported hung meanwhile:
 * the copy is written back chunk by chunk as it goes (native/common/write_behind.h), each chunk a step of
 * headway, where the whole file left to the fsync before its naming would stand still in that fsync for
 * longer than the 5 s after which a union reads as hung. The writable branch is an ext4 image on a loop
 * device whose writes the worker's block-I/O cgroup holds to 4 MiB/s; root only (loop devices, cgroups).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MountStatus } from '../../main/common/contract.ts';
import { CLI, asRoot, background, ok, run, strata, withTempRoot } from '../support/unionFixture.ts';
import { cleanupUnder } from '../support/mountCleanup.ts';

const BYTES_PER_SEC = 4 << 20;
/** 6 s of writing at that rate: more than the 5 s after which a request standing still reads as hung. */
const FILE_BYTES = 24 << 20;

/** A block-I/O cgroup of the test's own that holds writes to device `majMin` to BYTES_PER_SEC: v1 or v2. */
async function throttledCgroup(majMin: string): Promise<string> {
  const v1 = '/sys/fs/cgroup/blkio';
  if (existsSync(join(v1, 'blkio.throttle.write_bps_device'))) {
    const dir = join(v1, `strata-test-${process.pid}`);
    await mkdir(dir);
    await writeFile(join(dir, 'blkio.throttle.write_bps_device'), `${majMin} ${BYTES_PER_SEC}`);
    return dir;
  }
  const v2 = '/sys/fs/cgroup';
  if (!(await readFile(join(v2, 'cgroup.controllers'), 'utf8').catch(() => '')).split(/\s/).includes('io'))
    throw new Error('no block-I/O cgroup controller here (cgroup v1 blkio or v2 io) to make a slow disk with');
  await writeFile(join(v2, 'cgroup.subtree_control'), '+io');
  const dir = join(v2, `strata-test-${process.pid}`);
  await mkdir(dir);
  await writeFile(join(dir, 'io.max'), `${majMin} wbps=${BYTES_PER_SEC}`);
  return dir;
}

describe.runIf(asRoot)('a copy-up to a slow disk', () => {
  let root: string;
  let loop = '';
  let cgroup = '';
  const at = (...parts: string[]) => join(root, ...parts);
  const data = randomBytes(FILE_BYTES);

  beforeAll(async () => {
    root = await withTempRoot('strata-it-slow-');
    for (const dir of ['up', 'lo', 'mnt']) await mkdir(at(dir));
    await ok('truncate', ['-s', '256M', at('disk.img')]);
    await ok('mkfs.ext4', ['-q', '-F', at('disk.img')]);
    loop = (await ok('losetup', ['-f', '--show', at('disk.img')])).trim();
    await ok('mount', [loop, at('up')]);
    cgroup = await throttledCgroup((await ok('lsblk', ['-dno', 'MAJ:MIN', loop])).trim());
    // Served natively, and (a file with two names) by the engine.
    await writeFile(at('lo', 'native'), data);
    await writeFile(at('lo', 'engine'), data);
    await link(at('lo', 'engine'), at('lo', 'engine-too'));
    // The worker inherits the cgroup of the command that starts it.
    const mount = [CLI, 'mount', at('mnt'), '--branch', `${at('up')}=rw`, '--branch', `${at('lo')}=ro`];
    await ok('sh', ['-c', 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"', 'sh', cgroup, process.execPath, ...mount]);
  }, 60_000);

  afterAll(async () => {
    if (root) await cleanupUnder(root);
    if (loop) await run('losetup', ['-d', loop]);
    if (cgroup) await rmdir(cgroup).catch(() => undefined);
  }, 60_000);

  async function state(): Promise<string | undefined> {
    const r = await strata(['list', '--json'], { timeoutMs: 30_000 });
    return (JSON.parse(r.stdout) as MountStatus[]).find((s) => s.mountpoint === at('mnt'))?.state;
  }

  it.each(['native', 'engine'])(
    'by the %s: takes the disk its time, the union never reported hung meanwhile',
    async (name) => {
      expect((await readFile(join(cgroup, 'cgroup.procs'), 'utf8')).trim(), 'the worker writes through the slow cgroup').not.toBe('');
      const started = Date.now();
      const append = background('sh', ['-c', 'printf x >> "$1"', 'sh', at('mnt', name)]);
      const seen = new Set<string | undefined>();
      while (append.child.exitCode === null && Date.now() - started < 60_000) {
        seen.add(await state());
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(await append.exited).toBe(0);
      expect(Date.now() - started, 'the copy-up took the slow disk its time').toBeGreaterThan(5000);
      expect([...seen]).toEqual(['mounted']);
      const copy = await readFile(at('up', name));
      expect(copy.length).toBe(FILE_BYTES + 1);
      expect(copy.subarray(0, FILE_BYTES).equals(data)).toBe(true);
    },
    90_000,
  );
});
