/**
 * Names are bytes: a name that is not valid UTF-8 round-trips through the union exactly, in listings,
 * lookups, creates, renames, copy-up, whiteouts and symlink targets.
 */
import { chmod, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type UnionFixture, mountUnion, unlessFuseNative } from '../support/unionFixture.ts';

const bytesIt = unlessFuseNative('names reach the ops decoded as UTF-8, so other bytes are lost');

/** A path under `root` whose last component is the given bytes. */
const bytePath = (root: string, ...name: number[][]) => Buffer.concat([Buffer.from(root), ...name.flatMap((n) => [Buffer.from('/'), Buffer.from(n)])]);
const CAFE_LATIN1 = [0x63, 0x61, 0x66, 0xe9];
const DIR_FF = [0x64, 0xff];
const names = async (dir: string | Buffer) => (await readdir(dir, { encoding: 'buffer' })).map((n) => n.toString('hex')).sort();
const hex = (...bytes: number[][]) => bytes.map((b) => Buffer.from(b).toString('hex')).sort();

describe('names that are not UTF-8', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([, b1]) => {
        await writeFile(bytePath(b1, CAFE_LATIN1), 'latin1 name');
        await mkdir(bytePath(b1, DIR_FF));
        await writeFile(bytePath(b1, DIR_FF, [0x80]), 'inside');
      },
    });
  });
  afterAll(() => u?.cleanup());

  bytesIt('lists and reads them with their exact bytes', async () => {
    expect(await names(u.mnt)).toEqual(hex(CAFE_LATIN1, DIR_FF));
    expect(await names(bytePath(u.mnt, DIR_FF))).toEqual(hex([0x80]));
    expect(await readFile(bytePath(u.mnt, CAFE_LATIN1), 'utf8')).toBe('latin1 name');
    expect(await readFile(bytePath(u.mnt, DIR_FF, [0x80]), 'utf8')).toBe('inside');
  });

  bytesIt('creates, renames and removes them on the branch under the same bytes', async () => {
    const made = bytePath(u.mnt, [0x6e, 0x65, 0x77, 0xfe]);
    await writeFile(made, 'new');
    expect(await readFile(bytePath(u.branches[0], [0x6e, 0x65, 0x77, 0xfe]), 'utf8')).toBe('new');
    await rename(made, bytePath(u.mnt, [0xc3, 0x28]));
    expect(await readFile(bytePath(u.branches[0], [0xc3, 0x28]), 'utf8')).toBe('new');
    await mkdir(bytePath(u.mnt, [0xed, 0xa0, 0x80]));
    expect((await stat(bytePath(u.branches[0], [0xed, 0xa0, 0x80]))).isDirectory()).toBe(true);
    await unlink(bytePath(u.mnt, [0xc3, 0x28]));
    await rm(bytePath(u.mnt, [0xed, 0xa0, 0x80]), { recursive: true });
    expect(await names(u.branches[0])).toEqual([]);
  });

  bytesIt('copies them up and whites them out under the same bytes', async () => {
    await chmod(bytePath(u.mnt, DIR_FF, [0x80]), 0o600);
    expect((await stat(bytePath(u.branches[0], DIR_FF, [0x80]))).mode & 0o777).toBe(0o600);
    await unlink(bytePath(u.mnt, CAFE_LATIN1));
    await expect(stat(bytePath(u.mnt, CAFE_LATIN1))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await names(u.branches[0])).toContain(Buffer.concat([Buffer.from('.wh.'), Buffer.from(CAFE_LATIN1)]).toString('hex'));
    expect(await names(u.mnt)).toEqual(hex(DIR_FF));
  });

  bytesIt('keeps symlink targets as bytes', async () => {
    const target = bytePath('/elsewhere', [0xfa, 0xfb]);
    await symlink(target, join(u.mnt, 'link'));
    expect((await readlink(join(u.mnt, 'link'), { encoding: 'buffer' })).equals(target)).toBe(true);
    expect((await readlink(join(u.branches[0], 'link'), { encoding: 'buffer' })).equals(target)).toBe(true);
  });
});
