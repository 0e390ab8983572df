// Anchored calls stay beneath their root: a symlink at any component (the leaf included) makes them
// fail with ELOOP and leaves everything outside untouched; paths longer than PATH_MAX and names that
// are not UTF-8 work.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSyscalls } from '../../../main/node/sys/load.ts';
import { BatchPaths } from '../../../main/node/sys/statBatch.ts';
import { pathBytes } from '../../../main/node/union/bytePaths.ts';
import { closeFd } from '../../../main/node/union/fdCalls.ts';

const sys = loadSyscalls();
const O_PATH = 0o10000000;
let base: string;
let root: number;
let outside: string;
const inRoot = (rel: string) => join(base, 'root', rel);

/** Everything about the outside tree a redirected call could change. */
async function outsideState(): Promise<string> {
  const out: string[] = [];
  for (const name of (await readdir(outside, { recursive: true })).sort()) {
    const st = await lstat(join(outside, name), { bigint: true });
    out.push(`${name} ${st.mode} ${st.uid} ${st.size} ${st.mtimeNs} ${st.ctimeNs}`);
  }
  return out.join('\n');
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'strata-anchored-'));
  outside = join(base, 'outside');
  await mkdir(join(outside, 'sub'), { recursive: true });
  await writeFile(join(outside, 'f'), 'outside');
  await writeFile(join(outside, 'sub/f'), 'outside');
  await mkdir(inRoot('d'), { recursive: true });
  // An intermediate symlink (as a swapped directory would be) and leaf symlinks, all pointing outside.
  await symlink(outside, inRoot('swapped'));
  await symlink(join(outside, 'f'), inRoot('d/leaf'));
  await symlink(join(outside, 'sub'), inRoot('d/dirleaf'));
  root = openSync(join(base, 'root'), O_PATH | constants.O_DIRECTORY);
});
afterAll(async () => {
  closeSync(root);
  await rm(base, { recursive: true, force: true });
});

describe('a symlink on the way', () => {
  const ELOOP = { code: 'ELOOP' };

  it('fails every call below an intermediate symlink with ELOOP, and nothing outside changes', async () => {
    const before = await outsideState();
    const unnamed = await sys.openTmpfile(root, '/d', 0o600);
    const calls: [string, () => Promise<unknown>][] = [
      ['openStat', () => sys.openStat(root, '/swapped/f', constants.O_WRONLY | constants.O_APPEND, 0, -1, -1)],
      ['create', () => sys.openStat(root, '/swapped/new', constants.O_CREAT | constants.O_WRONLY, 0o644, -1, -1)],
      ['mkdir', () => sys.mkdir(root, '/swapped/newdir', 0o755)],
      ['unlink', () => sys.unlink(root, '/swapped/f')],
      ['rmdir', () => sys.rmdir(root, '/swapped/sub')],
      ['rename from', () => sys.rename(root, '/swapped/f', root, '/d/stolen', 0)],
      ['rename to', () => sys.rename(root, '/d/x', root, '/swapped/x', 0)],
      ['link', () => sys.link(root, '/swapped/f', root, '/d/hard')],
      ['symlink', () => sys.symlink('t', root, '/swapped/s')],
      ['readlink', () => sys.readlink(root, '/swapped/s')],
      ['mknod', () => sys.mknod(root, '/swapped/fifo', constants.S_IFIFO | 0o600, 0n)],
      ['lchown', () => sys.lchown(root, '/swapped/f', 65534, 65534)],
      ['chmod', () => sys.chmod(root, '/swapped/f', 0o666)],
      ['utimens', () => sys.utimens(root, '/swapped/f', 1n, 1n)],
      ['truncate', () => sys.truncate(root, '/swapped/f', 0n)],
      ['access', () => sys.access(root, '/swapped/f', constants.F_OK)],
      ['setxattr', () => sys.setxattr(root, '/swapped/f', 'user.x', Buffer.from('1'), 0)],
      ['getxattr', () => sys.getxattr(root, '/swapped/f', 'user.x')],
      ['listxattr', () => sys.listxattr(root, '/swapped/f')],
      ['removexattr', () => sys.removexattr(root, '/swapped/f', 'user.x')],
      ['readdir', () => sys.readdir(root, '/swapped/sub')],
      ['openTmpfile', () => sys.openTmpfile(root, '/swapped/sub', 0o600)],
      ['linkFd', () => sys.linkFd(unnamed, root, '/swapped/linked')],
      ['inodeFlags', () => sys.inodeFlags(root, '/swapped/f')],
    ];
    for (const [name, call] of calls) await expect(call(), name).rejects.toMatchObject(ELOOP);
    await closeFd(unnamed);
    const paths = new BatchPaths();
    paths.add(root, '/swapped/f');
    await expect(paths.ask(sys).then((b) => b.stat(0))).rejects.toMatchObject(ELOOP);
    expect(await outsideState()).toBe(before);
  });

  it('never follows a leaf symlink: opens, truncates and readdirs fail, the rest act on the link itself', async () => {
    const before = await outsideState();
    await expect(sys.openStat(root, '/d/leaf', constants.O_WRONLY, 0, -1, -1)).rejects.toMatchObject(ELOOP);
    await expect(sys.openStat(root, '/d/leaf', constants.O_CREAT | constants.O_WRONLY, 0o644, -1, -1)).rejects.toMatchObject(ELOOP);
    await expect(sys.truncate(root, '/d/leaf', 0n)).rejects.toMatchObject(ELOOP);
    await expect(sys.readdir(root, '/d/dirleaf')).rejects.toMatchObject({ code: expect.stringMatching(/^(ELOOP|ENOTDIR)$/) });
    await expect(sys.openTmpfile(root, '/d/dirleaf', 0o600)).rejects.toMatchObject({ code: expect.stringMatching(/^(ELOOP|ENOTDIR)$/) });
    await expect(sys.chmod(root, '/d/leaf', 0o666)).rejects.toMatchObject({ code: 'ENOTSUP' });
    await sys.lchown(root, '/d/leaf', 65534, 65534);
    await sys.utimens(root, '/d/leaf', 5n, 5n);
    expect((await lstat(inRoot('d/leaf'))).uid).toBe(65534);
    await sys.mkdir(root, '/d/dirleaf/nope', 0o755).then(
      () => expect.fail('mkdir below a symlink'),
      (err) => expect(err).toMatchObject(ELOOP),
    );
    expect(await outsideState()).toBe(before);
  });

  it('refuses . and .. with EINVAL', async () => {
    for (const rel of ['/d/../swapped/f', '/..', '/d/./leaf']) await expect(sys.unlink(root, rel)).rejects.toMatchObject({ code: 'EINVAL' });
  });
});

describe('unnamed files', () => {
  it('have no name until linkFd gives them one, never replace an existing name, and leave nothing when closed unnamed', async () => {
    await mkdir(inRoot('u'));
    await writeFile(inRoot('u/taken'), 'kept');
    const fd = await sys.openTmpfile(root, '/u', 0o640);
    try {
      writeSync(fd, 'data');
      expect(await readdir(inRoot('u'))).toEqual(['taken']);
      await expect(sys.linkFd(fd, root, '/u/taken')).rejects.toMatchObject({ code: 'EEXIST' });
      await sys.linkFd(fd, root, '/u/named');
    } finally {
      await closeFd(fd);
    }
    expect(await readFile(inRoot('u/named'), 'utf8')).toBe('data');
    expect(await readFile(inRoot('u/taken'), 'utf8')).toBe('kept');
    expect(Number((await lstat(inRoot('u/named'))).mode) & 0o777).toBe(0o640);

    await closeFd(await sys.openTmpfile(root, '/u', 0o600));
    expect((await readdir(inRoot('u'))).sort()).toEqual(['named', 'taken']);
  });
});

describe('long paths and byte names', () => {
  it('works past PATH_MAX, in chunks that stay beneath the root', async () => {
    const parts = Array.from({ length: 24 }, (_, i) => String.fromCharCode(97 + i).repeat(250));
    let rel = '';
    for (const p of parts) {
      rel += `/${p}`;
      await sys.mkdir(root, rel, 0o755);
    }
    expect(Buffer.byteLength(rel)).toBeGreaterThan(4096 + 1024);
    const { fd } = await sys.openStat(root, `${rel}/f`, constants.O_CREAT | constants.O_WRONLY, 0o644, -1, -1);
    await closeFd(fd);
    await sys.setxattr(root, `${rel}/f`, 'user.deep', Buffer.from('1'), 0);
    await sys.rename(root, `${rel}/f`, root, `${rel}/g`, 0);
    expect(await sys.readdir(root, rel)).toEqual(['g']);
    const paths = new BatchPaths();
    paths.add(root, `${rel}/g`);
    paths.add(root, `${rel}/h`);
    const batch = await paths.ask(sys);
    expect(batch.found(0)).toBe(true);
    expect(batch.found(1)).toBe(false);
    // A symlink deep down is still refused.
    await sys.symlink(outside, root, `${rel}/link`);
    await expect(sys.unlink(root, `${rel}/link/f`)).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await readFile(join(outside, 'f'), 'utf8')).toBe('outside');
    // Node's rm cannot reach this deep: take it down from the bottom.
    await sys.unlink(root, `${rel}/link`);
    await sys.unlink(root, `${rel}/g`);
    for (let n = parts.length; n > 0; n--) await sys.rmdir(root, `/${parts.slice(0, n).join('/')}`);
  });

  it('keeps names that are not UTF-8 as their bytes', async () => {
    const name = '\uDCFFname\uDCE9';
    await sys.mkdir(root, `/${name}`, 0o755);
    const { fd } = await sys.openStat(root, `/${name}/${name}`, constants.O_CREAT | constants.O_WRONLY, 0o644, -1, -1);
    await closeFd(fd);
    const onDisk = await readdir(Buffer.from(inRoot('')), { encoding: 'buffer' });
    expect(onDisk.some((n) => n.equals(pathBytes(name)))).toBe(true);
    expect(await sys.readdir(root, `/${name}`)).toEqual([name]);
    await sys.symlink(`../${name}`, root, '/bytelink');
    expect(await sys.readlink(root, '/bytelink')).toBe(`../${name}`);
    expect(await readFile(join(outside, 'f'), 'utf8')).toBe('outside');
  });
});
