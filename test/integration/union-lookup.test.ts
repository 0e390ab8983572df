// Visibility: top-down lookup, merged readdir, whiteouts, opaque directories, reserved names.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, mountUnion, run } from '../support/unionFixture.ts';

describe('lookup and readdir', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro', 'ro'],
      populate: async ([b0, b1, b2]) => {
        await writeFile(`${b0}/both`, 'top');
        await writeFile(`${b1}/both`, 'middle');
        await writeFile(`${b2}/only-bottom`, 'bottom');
        await writeFile(`${b1}/gone`, 'hidden');
        await writeFile(`${b0}/.wh.gone`, '');
        for (const b of [b0, b1, b2]) await mkdir(`${b}/dir`);
        await writeFile(`${b0}/dir/a`, '0');
        await writeFile(`${b1}/dir/b`, '1');
        await writeFile(`${b2}/dir/c`, '2');
        await mkdir(`${b0}/opq`);
        await writeFile(`${b0}/opq/.wh..wh..opq`, '');
        await writeFile(`${b0}/opq/mine`, '');
        await mkdir(`${b1}/opq`);
        await writeFile(`${b1}/opq/theirs`, '');
      },
    });
  });
  afterAll(() => u?.cleanup());

  it('serves the highest branch that has a name', async () => {
    expect(await readFile(u.at('both'), 'utf8')).toBe('top');
    expect(await readFile(u.at('only-bottom'), 'utf8')).toBe('bottom');
  });

  it('merges directories across branches and hides union metadata', async () => {
    const names = (await run('ls', ['-A', u.mnt])).stdout.split('\n').filter(Boolean).sort();
    expect(names).toEqual(['both', 'dir', 'only-bottom', 'opq']);
    expect((await readdir(u.at('dir'))).sort()).toEqual(['a', 'b', 'c']);
  });

  it('hides a name whited out above it', async () => {
    const r = await run('cat', [u.at('gone')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/No such file/);
  });

  it('shows only the top copy of an opaque directory', async () => {
    expect(await readdir(u.at('opq'))).toEqual(['mine']);
  });

  it('refuses to create names reserved for whiteouts', async () => {
    const r = await run('touch', [u.at('.wh.sneaky')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Operation not permitted/);
    expect((await readdir(u.branches[0])).includes('.wh.sneaky')).toBe(false);
  });

  it('answers ENAMETOOLONG, not ENOENT, for a name longer than NAME_MAX', async () => {
    const r = await run('touch', [u.at('x'.repeat(300))]);
    expect(r.stderr).toMatch(/File name too long/);
    const s = await run('stat', [u.at('y'.repeat(300))]);
    expect(s.stderr).toMatch(/File name too long/);
  });
});
