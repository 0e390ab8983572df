import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { branchFolderCheck, mountpointFolderCheck } from '../../../main/common/folderChecks.ts';
import { pathFacts } from '../../../main/node/service/pathFacts.ts';

describe('fs:check facts and the folder rules', () => {
  const dir = mkdtempSync('/tmp/strata-facts-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a folder, an empty one, a file, a missing path and a path through a file apart', async () => {
    mkdirSync(join(dir, 'empty'));
    mkdirSync(join(dir, 'full'));
    writeFileSync(join(dir, 'full', 'x'), 'x');
    writeFileSync(join(dir, 'file.txt'), 'x');
    const [empty, full, file, missing, through] = await pathFacts(['empty', 'full', 'file.txt', 'nope', 'file.txt/sub'].map((p) => join(dir, p)));
    expect(empty).toMatchObject({ kind: 'dir', empty: true });
    expect(full).toMatchObject({ kind: 'dir', empty: false });
    expect(file).toMatchObject({ kind: 'file' });
    expect(missing).toMatchObject({ kind: 'missing', reason: 'ENOENT' });
    expect(through).toMatchObject({ kind: 'missing', reason: 'ENOTDIR' });

    expect(branchFolderCheck(empty, [])).toBeNull();
    expect(branchFolderCheck(full, [])).toBeNull();
    expect(branchFolderCheck(file, [])).toEqual({ level: 'error', message: `${file.path} is a file, not a folder: a branch must be a folder.` });
    expect(branchFolderCheck(through, [])?.message).toMatch(/a component of the path is a file/);
    expect(mountpointFolderCheck(empty)).toBeNull();
    expect(mountpointFolderCheck(full)?.message).toMatch(/is not empty: mounting would hide its files/);
    expect(mountpointFolderCheck(file)?.message).toMatch(/is a file, not a folder/);
    expect(mountpointFolderCheck(missing)?.message).toBe(`${missing.path} does not exist: create it (mkdir -p '${missing.path}') or fix the path.`);
  });

  it('knows what is mounted from mountinfo, and warns about a union used as a branch', async () => {
    const [proc] = await pathFacts(['/proc']);
    expect(proc).toMatchObject({ kind: 'dir', mountedFsType: 'proc' });
    expect(mountpointFolderCheck(proc)?.message).toBe('/proc already has a proc filesystem mounted on it: unmount it first or choose another folder.');
    const union = { path: '/mnt/u', kind: 'unknown' as const, mountedFsType: 'fuse.strata' };
    expect(branchFolderCheck(union, [])).toMatchObject({ level: 'warning' });
    expect(branchFolderCheck(union, ['/mnt/u'])).toMatchObject({
      level: 'warning',
      message: expect.stringMatching(/is the mountpoint of the mounted union \/mnt\/u/),
    });
    expect(branchFolderCheck({ path: '/mnt/u/sub', kind: 'dir', empty: true }, ['/mnt/u'])?.message).toMatch(/is inside the mounted union \/mnt\/u/);
    // A quote in a path stays inside the suggested command.
    expect(branchFolderCheck({ path: "/srv/it's", kind: 'missing' }, [])?.message).toContain(`mkdir -p '/srv/it'\\''s'`);
  });
});
