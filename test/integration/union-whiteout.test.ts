// Deleting and re-creating through the union: whiteouts and opaque directories on the branches.
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, mountUnion, ok, run, unlessFuseNative } from '../support/unionFixture.ts';

const itRenameFlags = unlessFuseNative('fuse-native passes no rename flags (RENAME_EXCHANGE)');

describe('whiteouts and opaque directories', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([b0, b1]) => {
        await writeFile(`${b1}/lower-file`, 'lower');
        await writeFile(`${b0}/dup`, 'upper');
        await writeFile(`${b1}/dup`, 'lower');
        await writeFile(`${b0}/upper-only`, 'u');
        await mkdir(`${b1}/lower-dir/sub`, { recursive: true });
        await writeFile(`${b1}/lower-dir/sub/f`, 'f');
        await mkdir(`${b1}/emptyish`);
        // An opaque directory over a lower copy, and a plain one, to exchange.
        await mkdir(`${b0}/opaque`);
        await writeFile(`${b0}/opaque/.wh..wh..opq`, '');
        await writeFile(`${b0}/opaque/mine`, 'mine');
        await mkdir(`${b1}/opaque`);
        await writeFile(`${b1}/opaque/hidden`, 'hidden below');
        await mkdir(`${b0}/plain`);
        await writeFile(`${b0}/plain/theirs`, 'theirs');
        // A directory to move over a removed lower one.
        await mkdir(`${b1}/replaced`);
        await writeFile(`${b1}/replaced/old`, 'old');
        await mkdir(`${b0}/moving`);
        await writeFile(`${b0}/moving/new`, 'new');
      },
    });
  });
  afterAll(() => u?.cleanup());

  it('unlink of a file on a read-only branch leaves a whiteout and keeps the branch intact', async () => {
    await ok('rm', [u.at('lower-file')]);
    expect(existsSync(u.at('lower-file'))).toBe(false);
    expect(existsSync(u.in(0, '.wh.lower-file'))).toBe(true);
    expect(await readFile(u.in(1, 'lower-file'), 'utf8')).toBe('lower');
  });

  it('unlink of a copy that shadows a lower one removes it and whites out the lower one', async () => {
    await ok('rm', [u.at('dup')]);
    expect(existsSync(u.in(0, 'dup'))).toBe(false);
    expect(existsSync(u.in(0, '.wh.dup'))).toBe(true);
    expect(existsSync(u.at('dup'))).toBe(false);
  });

  it('unlink of a file only on the writable branch leaves no whiteout', async () => {
    await ok('rm', [u.at('upper-only')]);
    expect(existsSync(u.in(0, '.wh.upper-only'))).toBe(false);
  });

  it('re-creating a whited-out name removes the whiteout and serves the new file', async () => {
    await writeFile(u.at('lower-file'), 'new');
    expect(await readFile(u.at('lower-file'), 'utf8')).toBe('new');
    expect(existsSync(u.in(0, '.wh.lower-file'))).toBe(false);
    expect(await readFile(u.in(1, 'lower-file'), 'utf8')).toBe('lower');
  });

  it('rm -r of a read-only directory tree whites it out', async () => {
    await ok('rm', ['-r', u.at('lower-dir')]);
    expect(existsSync(u.at('lower-dir'))).toBe(false);
    expect(existsSync(u.in(0, '.wh.lower-dir'))).toBe(true);
    expect(existsSync(u.in(1, 'lower-dir/sub/f'))).toBe(true);
  });

  it('mkdir over a whiteout makes an opaque directory that hides the old contents', async () => {
    await mkdir(u.at('lower-dir'));
    expect(await readdir(u.at('lower-dir'))).toEqual([]);
    expect(existsSync(u.in(0, 'lower-dir/.wh..wh..opq'))).toBe(true);
    expect(existsSync(u.in(0, '.wh.lower-dir'))).toBe(false);
    await writeFile(u.at('lower-dir/fresh'), 'x');
    expect(await readdir(u.at('lower-dir'))).toEqual(['fresh']);
  });

  it('rmdir of an empty lower directory leaves a whiteout', async () => {
    await ok('rmdir', [u.at('emptyish')]);
    expect(existsSync(u.at('emptyish'))).toBe(false);
    expect((await stat(u.in(1, 'emptyish'))).isDirectory()).toBe(true);
    expect(existsSync(u.in(0, '.wh.emptyish'))).toBe(true);
  });

  it('rmdir of a non-empty merged directory fails with ENOTEMPTY', async () => {
    await mkdir(u.at('lower-dir/keep'));
    const r = await run('rmdir', [u.at('lower-dir')]);
    expect(r.stderr).toMatch(/not empty/);
  });

  itRenameFlags('an exchange with an opaque directory keeps hidden what it hid: the directory put in its place is made opaque', async () => {
    expect(await readdir(u.at('opaque'))).toEqual(['mine']);
    await ok('touch', ['-d', '@1000000', u.at('plain')]);
    await ok('python3', [
      '-c',
      'import ctypes, sys; c = ctypes.CDLL(None, use_errno=True); sys.exit(ctypes.get_errno() if c.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), 2) else 0)',
      u.at('opaque'),
      u.at('plain'),
    ]);
    expect(await readdir(u.at('opaque'))).toEqual(['theirs']);
    expect(await readdir(u.at('plain'))).toEqual(['mine']);
    expect(existsSync(u.in(0, 'opaque/.wh..wh..opq'))).toBe(true);
    // The marker is the union's own: the moved directory keeps its times, as on overlayfs.
    expect((await stat(u.at('opaque'))).mtimeMs).toBe(1000000_000);
  });

  it('a directory renamed over a removed lower one is made opaque and keeps its times', async () => {
    await ok('rm', ['-r', u.at('replaced')]);
    await ok('touch', ['-d', '@2000000', u.at('moving')]);
    await ok('mv', [u.at('moving'), u.at('replaced')]);
    expect(await readdir(u.at('replaced'))).toEqual(['new']);
    expect(existsSync(u.in(0, 'replaced/.wh..wh..opq'))).toBe(true);
    expect((await stat(u.at('replaced'))).mtimeMs).toBe(2000000_000);
  });
});
