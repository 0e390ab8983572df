/**
 * Long work on a slow disk takes as long as the disk needs, and the union is never reported hung
 * meanwhile, though a request stands in it for longer than the 5 s after which one reads as hung:
 * - a large copy-up is written back chunk by chunk as it goes (native/common/write_behind.h), each chunk
 *   a step of headway, where the whole file left to the fsync before its naming would stand still in it;
 * - an fsync of much dirty data waits on the disk in one call: the request names the disk, and the
 *   worker sees it complete I/O (worker/diskHeadway.ts);
 * - a copy-up the disk takes over a second over still has its own changes to the branch taken for the
 *   union's own, not for changes made behind its back.
 * The writable branch is an ext4 image on a loop device whose writes the worker's block-I/O cgroup holds
 * to 4 MiB/s, where the disk completes a request about every half second; one union's cgroup holds them
 * to 1 MiB/s, every two seconds, as slow removable media do. Root only (loop devices, cgroups).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MountStatus, OpStats } from '../../main/common/contract.ts';
import { controlRequest } from '../../main/node/control/controlClient.ts';
import { CLI, asRoot, background, ok, run, strata, withTempRoot } from '../support/unionFixture.ts';
import { cleanupUnder } from '../support/mountCleanup.ts';

const BYTES_PER_SEC = 4 << 20;
/** 6 s of writing at that rate: more than the 5 s after which a request standing still reads as hung. */
const FILE_BYTES = 24 << 20;
const SLOWER_BYTES_PER_SEC = 1 << 20;
/** 7 s of writing at that rate. */
const SLOWER_FILE_BYTES = 7 << 20;
/** 1.5 s of writing at that rate: more than the second for which the union takes its own changes' events for its own. */
const SLOW_COPY_BYTES = 6 << 20;
/**
 * A 30 s cache, so that only an invalidation makes the kernel ask again; no passthrough, whose handles
 * quiet a directory's watches, and whose watches, back, invalidate what they may have missed.
 */
const CACHED = ['STRATA_CACHE_TIMEOUT=30', 'STRATA_PASSTHROUGH=0'];

/** A block-I/O cgroup of the test's own, `name`, that holds writes to device `majMin` to `bytesPerSec`: v1 or v2. */
async function throttledCgroup(name: string, majMin: string, bytesPerSec: number): Promise<string> {
  const v1 = '/sys/fs/cgroup/blkio';
  if (existsSync(join(v1, 'blkio.throttle.write_bps_device'))) {
    const dir = join(v1, `strata-test-${process.pid}-${name}`);
    await mkdir(dir);
    await writeFile(join(dir, 'blkio.throttle.write_bps_device'), `${majMin} ${bytesPerSec}`);
    return dir;
  }
  const v2 = '/sys/fs/cgroup';
  if (!(await readFile(join(v2, 'cgroup.controllers'), 'utf8').catch(() => '')).split(/\s/).includes('io'))
    throw new Error('no block-I/O cgroup controller here (cgroup v1 blkio or v2 io) to make a slow disk with');
  await writeFile(join(v2, 'cgroup.subtree_control'), '+io');
  const dir = join(v2, `strata-test-${process.pid}-${name}`);
  await mkdir(dir);
  await writeFile(join(dir, 'io.max'), `${majMin} wbps=${bytesPerSec}`);
  return dir;
}

describe.runIf(asRoot)('a slow disk', () => {
  let root: string;
  let loop = '';
  let cgroup = '';
  let slower = '';
  const at = (...parts: string[]) => join(root, ...parts);
  const data = randomBytes(FILE_BYTES);

  beforeAll(async () => {
    root = await withTempRoot('strata-it-slow-');
    for (const dir of ['up', 'lo', 'mnt']) await mkdir(at(dir));
    await ok('truncate', ['-s', '256M', at('disk.img')]);
    await ok('mkfs.ext4', ['-q', '-F', at('disk.img')]);
    loop = (await ok('losetup', ['-f', '--show', at('disk.img')])).trim();
    await ok('mount', [loop, at('up')]);
    const disk = (await ok('lsblk', ['-dno', 'MAJ:MIN', loop])).trim();
    cgroup = await throttledCgroup('slow', disk, BYTES_PER_SEC);
    slower = await throttledCgroup('slower', disk, SLOWER_BYTES_PER_SEC);
    // Served natively, and (a file with two names) by the engine.
    await writeFile(at('lo', 'native'), data);
    await writeFile(at('lo', 'engine'), data);
    await link(at('lo', 'engine'), at('lo', 'engine-too'));
    // A directory on both branches of a third union, with a file to copy up that takes the disk over a second.
    for (const dir of [at('up', 'cached', 'd'), at('lo', 'cached', 'd'), at('mnt-cached')]) await mkdir(dir, { recursive: true });
    await writeFile(at('lo', 'cached', 'd', 'slow'), data.subarray(0, SLOW_COPY_BYTES));
    // The workers inherit the cgroup of the command that starts them. The second union's files are all
    // the engine's (moveonenospc must see every write), their fsyncs too.
    // The fourth union's worker writes through the slower cgroup.
    for (const dir of ['moving', 'slower']) {
      await mkdir(at('up', dir));
      await mkdir(at(`mnt-${dir}`));
    }
    const mounts: [group: string, env: string[], args: string[]][] = [
      [cgroup, [], ['mount', at('mnt'), '--branch', `${at('up')}=rw`, '--branch', `${at('lo')}=ro`]],
      [cgroup, [], ['mount', at('mnt-moving'), '--branch', `${at('up', 'moving')}=rw`, '--moveonenospc', 'mfs']],
      [cgroup, CACHED, ['mount', at('mnt-cached'), '--branch', `${at('up', 'cached')}=rw`, '--branch', `${at('lo', 'cached')}=ro`]],
      [slower, [], ['mount', at('mnt-slower'), '--branch', `${at('up', 'slower')}=rw`]],
    ];
    for (const [group, env, args] of mounts)
      await ok('sh', ['-c', 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"', 'sh', group, 'env', ...env, process.execPath, CLI, ...args]);
  }, 60_000);

  afterAll(async () => {
    if (root) await cleanupUnder(root);
    if (loop) await run('losetup', ['-d', loop]);
    for (const group of [cgroup, slower]) if (group) await rmdir(group).catch(() => undefined);
  }, 60_000);

  async function state(mnt: string): Promise<string | undefined> {
    const r = await strata(['list', '--json'], { timeoutMs: 30_000 });
    return (JSON.parse(r.stdout) as MountStatus[]).find((s) => s.mountpoint === mnt)?.state;
  }

  /** The states the union on `mnt` was listed in while `cmd` ran, and how long it ran. */
  async function statesWhile(mnt: string, cmd: string, args: string[]) {
    for (const group of [cgroup, slower])
      expect((await readFile(join(group, 'cgroup.procs'), 'utf8')).trim(), 'the workers write through the slow cgroups').not.toBe('');
    const started = Date.now();
    const child = background(cmd, args);
    const seen = new Set<string | undefined>();
    while (child.child.exitCode === null && Date.now() - started < 60_000) {
      seen.add(await state(mnt));
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await child.exited, child.output()).toBe(0);
    return { seen: [...seen], ms: Date.now() - started, output: child.output() };
  }

  it.each([
    ['natively', 'native'],
    ['by the engine', 'engine'],
  ])(
    'a copy-up made %s: takes the disk its time, the union never reported hung meanwhile',
    async (_how, name) => {
      const { seen, ms } = await statesWhile(at('mnt'), 'sh', ['-c', 'printf x >> "$1"', 'sh', at('mnt', name)]);
      expect(ms, 'the copy-up took the slow disk its time').toBeGreaterThan(5000);
      expect(seen).toEqual(['mounted']);
      const copy = await readFile(at('up', name));
      expect(copy.length).toBe(FILE_BYTES + 1);
      expect(copy.subarray(0, FILE_BYTES).equals(data)).toBe(true);
    },
    90_000,
  );

  it("a copy-up that takes the disk over a second leaves its directory's cached attributes alone", async () => {
    // The copy's name, and its directory's times put back, change the branch once the copy is done: the
    // union must take their events for its own then, not only for the second after the open began.
    const d = at('mnt-cached', 'd');
    const getattrs = async () => ((await controlRequest(at('mnt-cached'), { op: 'stats' })) as OpStats).ops.getattr ?? 0;
    await stat(join(d, 'slow'));
    await stat(d);
    const before = await getattrs();
    const started = Date.now();
    // Opened for writing and closed: copied up, with no write after it to mark the name again.
    await ok('sh', ['-c', ': >> "$1"', 'sh', join(d, 'slow')]);
    expect(Date.now() - started, 'the copy-up took the disk over a second').toBeGreaterThan(1000);
    // The branch's events reach the union within milliseconds; a second after its last own change it
    // lets the directory's attributes go anyway, which must not fall inside this count.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stat(d);
    expect(await getattrs(), 'the directory was asked for its attributes again').toBe(before);
    expect((await readFile(at('up', 'cached', 'd', 'slow'))).length).toBe(SLOW_COPY_BYTES);
  }, 60_000);

  it.each([
    ['natively', 'mnt', 'up', FILE_BYTES],
    ['by the engine (moveonenospc)', 'mnt-moving', 'up/moving', FILE_BYTES],
    // The worker looks at the disk while the request waits: a look of its own, when asked, could fall
    // between two completions.
    ['natively, on a disk that completes a request every two seconds', 'mnt-slower', 'up/slower', SLOWER_FILE_BYTES],
  ])(
    'an fsync of a file written through the union, served %s: takes the disk its time, never reported hung',
    async (_how, mnt, branch, bytes) => {
      // Written into the page cache at once; the fsync then waits for all of it to reach the disk.
      const write = `import os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
chunk = bytes.fromhex(sys.argv[2]) * (1 << 16)
for _ in range(${bytes} // len(chunk)): os.write(fd, chunk)
started = time.monotonic()
os.fsync(fd)
print("fsync took %.1f s" % (time.monotonic() - started))`;
      const { seen, output } = await statesWhile(at(mnt), 'python3', ['-c', write, at(mnt, 'synced'), '0123456789abcdef']);
      const took = Number(/fsync took ([\d.]+) s/.exec(output)?.[1]);
      expect(took, 'the fsync took the slow disk its time').toBeGreaterThan(5);
      expect(seen).toEqual(['mounted']);
      expect((await readFile(at(branch, 'synced'))).length).toBe(bytes);
    },
    90_000,
  );
});
