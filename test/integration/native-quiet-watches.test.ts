/**
 * Quiet directories (native/fuse/src/invalidator.h): while files of a union directory are open through
 * FUSE passthrough, and none without it, the worker's inotify watches on its branch copies leave out
 * IN_MODIFY and IN_ATTRIB, whose watch would send every read and write of those files through fsnotify.
 * The watches' masks are read where the kernel shows them, in the worker's /proc fdinfo. The union has a
 * 30 s cache, so a change that was never invalidated would stay stale far longer than these tests wait.
 */
import { type FileHandle, appendFile, chmod, mkdir, open, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { waitUntil, workerPidsFor } from '../support/mountCleanup.ts';
import { type UnionFixture, mountUnion } from '../support/unionFixture.ts';

const IN_MODIFY = 0x2;
const IN_ATTRIB = 0x4;
// Passthrough pinned on: the suite's run without it (test/run.mjs) must not turn these into no-ops.
const LONG_CACHE = { STRATA_CACHE_TIMEOUT: '30', STRATA_PASSTHROUGH: '1' };

/** The mask of the worker's inotify watch on directory `dir` (by inode), or undefined if it has none. */
async function watchMask(pid: number, dir: string): Promise<number | undefined> {
  const ino = (await stat(dir)).ino.toString(16);
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) !== 'anon_inode:inotify') continue;
    for (const line of (await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8')).split('\n')) {
      const m = /^inotify wd:\d+ ino:([0-9a-f]+) sdev:[0-9a-f]+ mask:([0-9a-f]+)/.exec(line);
      if (m && m[1] === ino) return parseInt(m[2], 16);
    }
  }
  return undefined;
}

const quiet = (mask: number | undefined) => mask !== undefined && (mask & (IN_MODIFY | IN_ATTRIB)) === 0;
const full = (mask: number | undefined) => mask !== undefined && (mask & (IN_MODIFY | IN_ATTRIB)) === (IN_MODIFY | IN_ATTRIB);
const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe('quiet watches while files are open through passthrough', () => {
  const unions: UnionFixture[] = [];
  const handles: FileHandle[] = [];
  afterAll(async () => {
    for (const h of handles) await h.close().catch(() => {});
    for (const u of unions) await u.cleanup();
  });

  async function union(env: NodeJS.ProcessEnv = {}) {
    const u = await mountUnion({
      modes: ['rw', 'ro'],
      env: { ...LONG_CACHE, ...env },
      populate: async ([b0, b1]) => {
        await mkdir(`${b0}/d`);
        await mkdir(`${b1}/d`);
        await writeFile(`${b0}/d/held`, 'held');
        await writeFile(`${b0}/d/sibling`, 'sibling');
        await writeFile(`${b1}/d/lower`, 'v1');
      },
    });
    unions.push(u);
    const [pid] = await workerPidsFor(u.root);
    await readdir(u.at('d'));
    await waitUntil('the worker watches both copies of d', async () => full(await watchMask(pid, u.in(0, 'd'))) && full(await watchMask(pid, u.in(1, 'd'))));
    return { u, pid };
  }
  async function hold(path: string) {
    const h = await open(path, 'r');
    handles.push(h);
    await h.read(Buffer.alloc(4), 0, 4, 0);
    return h;
  }

  it('leave out IN_MODIFY and IN_ATTRIB while a file is open, and take them back a second after it closes', async () => {
    const { u, pid } = await union();
    const h = await hold(u.at('d/held'));
    await waitUntil('both copies of d are quiet', async () => quiet(await watchMask(pid, u.in(0, 'd'))) && quiet(await watchMask(pid, u.in(1, 'd'))));
    // Names are still watched: a file made directly in the branch appears at once.
    await writeFile(u.in(0, 'd/new'), 'x');
    await waitUntil('the new name shows', async () => (await readdir(u.at('d'))).includes('new'));
    await h.close();
    await waitUntil(
      'both copies of d are fully watched again',
      async () => full(await watchMask(pid, u.in(0, 'd'))) && full(await watchMask(pid, u.in(1, 'd'))),
    );
  });

  it('a change made directly in a branch while they were quiet shows once the last file closes', async () => {
    const { u, pid } = await union();
    expect(await modeOf(u.at('d/sibling'))).toBe('644');
    const h = await hold(u.at('d/held'));
    await waitUntil('d is quiet', async () => quiet(await watchMask(pid, u.in(0, 'd'))));
    await chmod(u.in(0, 'd/sibling'), 0o600);
    await h.close();
    // Within the 30 s cache: only the restore's invalidation can show it.
    await waitUntil('the new mode shows', async () => (await modeOf(u.at('d/sibling'))) === '600');
  });

  it('a file opened without passthrough there restores them at once, so a change to its data shows while it is open', async () => {
    const { u, pid } = await union();
    await hold(u.at('d/held'));
    await waitUntil('d is quiet', async () => quiet(await watchMask(pid, u.in(1, 'd'))));
    // On the ro branch: read by the worker, through the kernel's page cache.
    const lower = await hold(u.at('d/lower'));
    await waitUntil('d is fully watched again', async () => full(await watchMask(pid, u.in(1, 'd'))));
    await appendFile(u.in(1, 'd/lower'), '+v2');
    await waitUntil('the new data shows through the open file', async () => {
      const buf = Buffer.alloc(16);
      const { bytesRead } = await lower.read(buf, 0, 16, 0);
      return buf.subarray(0, bytesRead).toString() === 'v1+v2';
    });
    expect(full(await watchMask(pid, u.in(0, 'd')))).toBe(true);
  });

  it('stay whole without passthrough (STRATA_PASSTHROUGH=0), where the kernel caches the pages', async () => {
    const { u, pid } = await union({ STRATA_PASSTHROUGH: '0' });
    const h = await hold(u.at('d/held'));
    // Long enough for a quiet watch to have been set, had the file gone through passthrough.
    await new Promise((r) => setTimeout(r, 600));
    expect(full(await watchMask(pid, u.in(0, 'd')))).toBe(true);
    await appendFile(u.in(0, 'd/held'), '+more');
    await waitUntil('the new data shows through the open file', async () => {
      const buf = Buffer.alloc(16);
      const { bytesRead } = await h.read(buf, 0, 16, 0);
      return buf.subarray(0, bytesRead).toString() === 'held+more';
    });
  });
});
