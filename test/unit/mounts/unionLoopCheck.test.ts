/**
 * Where the loop check learns other unions' branches: published lists, a worker's `status` for a union
 * without one, and a clear "cannot tell" when neither answers. Mount-table entries are made up (nothing
 * is mounted); workers are real control sockets in a private runtime dir.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControlRequest } from '../../../main/common/contract.ts';
import type { MountInfoEntry } from '../../../main/common/mountinfo.ts';
import { publishBranchList, readBranchList, withdrawBranchList } from '../../../main/node/mounts/branchListFile.ts';
import { branchListPath } from '../../../main/node/control/paths.ts';
import { refuseUnionLoops } from '../../../main/node/mounts/unionLoopCheck.ts';
import { serveControl, type ControlServer } from '../../../main/node/worker/controlServer.ts';

let dir: string;
const servers: ControlServer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strata-loops-'));
  process.env.STRATA_RUNTIME_DIR = dir;
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.release();
  delete process.env.STRATA_RUNTIME_DIR;
  await rm(dir, { recursive: true, force: true });
});

const entry = (mountpoint: string, fstype = 'fuse.strata'): MountInfoEntry => ({
  mountId: 1,
  parentId: 1,
  major: 0,
  minor: 1,
  root: '/',
  mountpoint,
  options: 'rw',
  fstype,
  source: 'strata:x',
  superOptions: 'rw',
});
const MOUNTS = ['/mnt/a', '/mnt/b', '/mnt/c'].map((m) => entry(m));
const check = (...branches: string[]) =>
  refuseUnionLoops(
    '/mnt/a',
    branches.map((b) => ({ path: b, real: b })),
    MOUNTS,
  );

async function worker(mountpoint: string, handle: (req: ControlRequest) => Promise<unknown>) {
  servers.push(await serveControl(mountpoint, handle));
}

describe('refuseUnionLoops', () => {
  it("reads the other unions' published branch lists, as deep as they go", async () => {
    await publishBranchList('/mnt/b', ['/mnt/c/x']);
    await publishBranchList('/mnt/c', ['/mnt/a']);
    await expect(check('/srv/a', '/mnt/b')).rejects.toThrow(
      'Branch /mnt/b is the union /mnt/b, whose branch /mnt/c/x lies in the union /mnt/c, whose branch /mnt/a is this union (/mnt/a)',
    );
    await publishBranchList('/mnt/c', ['/srv/c']);
    await expect(check('/srv/a', '/mnt/b')).resolves.toBeUndefined();
  });

  it('asks a worker that publishes no list for its status', async () => {
    await worker('/mnt/b', async () => ({ config: { branches: [{ path: '/mnt/a', mode: 'rw' }] } }));
    await expect(check('/mnt/b')).rejects.toMatchObject({ code: 'BRANCH_INVALID' });
  });

  it('says it cannot tell when no worker answers, or not in time', async () => {
    await expect(check('/mnt/b')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/whose branches could not be learned \(no Strata worker answers for it\)/),
    });
    await worker('/mnt/b', () => new Promise(() => undefined));
    const t0 = Date.now();
    await expect(check('/mnt/b')).rejects.toThrow(/could not be learned \(its worker did not answer within 1 s\)/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('learns only the unions the branches reach', async () => {
    await publishBranchList('/mnt/b', ['/srv/b']);
    await expect(check('/mnt/b', '/srv/a')).resolves.toBeUndefined();
  });

  it('counts a union being mounted (published, not yet in mountinfo) while its worker lives', async () => {
    await publishBranchList('/mnt/n', ['/mnt/a']);
    await expect(check('/mnt/n')).rejects.toThrow(/Branch \/mnt\/n is the union \/mnt\/n, whose branch \/mnt\/a is this union/);
    const { startTime } = JSON.parse(await readFile(branchListPath('/mnt/n'), 'utf8')) as { startTime: number };
    const left = (pid: number, start: number) =>
      writeFile(branchListPath('/mnt/n'), JSON.stringify({ mountpoint: '/mnt/n', pid, startTime: start, branches: ['/mnt/a'] }));
    // Above any pid_max: a worker that died before it mounted.
    await left(2 ** 22 + 1, 1);
    await expect(check('/mnt/n')).resolves.toBeUndefined();
    // One that died, its pid since taken by a process that started later (this one).
    await left(process.pid, startTime - 1);
    await expect(check('/mnt/n')).resolves.toBeUndefined();
    await left(process.pid, startTime);
    await expect(check('/mnt/n')).rejects.toThrow(/whose branch \/mnt\/a is this union/);
  });

  it("follows only Strata unions, and ignores this union's own old list", async () => {
    await publishBranchList('/mnt/a', ['/mnt/b']);
    await expect(refuseUnionLoops('/mnt/a', [{ path: '/mnt/b', real: '/mnt/b' }], [entry('/mnt/a'), entry('/mnt/b', 'fuse.sshfs')])).resolves.toBeUndefined();
  });
});

describe('branch list files', () => {
  it('are replaced whole and withdrawn only by their writer', async () => {
    await publishBranchList('/mnt/a', ['/x', '/y']);
    expect(await readBranchList('/mnt/a')).toEqual(['/x', '/y']);
    expect(await readBranchList('/mnt/other')).toBeUndefined();
    await withdrawBranchList('/mnt/a');
    expect(await readBranchList('/mnt/a')).toBeUndefined();
  });
});
