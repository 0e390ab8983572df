// unlink answers the same whether the directory lives on one branch (removed with no lookup first, see
// ops/remove.ts) or is merged from several (looked up, whiteout where a lower copy would show).
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, mountUnion, ok, run } from '../support/unionFixture.ts';

/** errno name of os.unlink(path) through the union, or 'ok'. */
async function unlinkResult(path: string): Promise<string> {
  const script = 'import errno, os, sys\ntry:\n    os.unlink(sys.argv[1]); print("ok")\nexcept OSError as e:\n    print(errno.errorcode[e.errno])';
  return (await run('python3', ['-c', script, path])).stdout.trim();
}

describe('unlink', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([b0, b1]) => {
        await mkdir(`${b0}/solo/sub`, { recursive: true });
        await writeFile(`${b0}/solo/f`, 'x');
        await writeFile(`${b0}/solo/.wh.g`, '');
        await mkdir(`${b0}/merged`);
        await mkdir(`${b1}/merged`);
        await writeFile(`${b0}/merged/both`, 'upper');
        await writeFile(`${b1}/merged/both`, 'lower');
        await writeFile(`${b0}/merged/upper-only`, 'u');
      },
    });
    await readdir(u.at('solo')); // the union now knows solo's layers
  });
  afterAll(() => u?.cleanup());

  it('in a directory one branch has: removes the file, ENOENT for a missing name, EISDIR for a directory', async () => {
    expect(await unlinkResult(u.at('solo/f'))).toBe('ok');
    expect(existsSync(u.in(0, 'solo/f'))).toBe(false);
    expect(await unlinkResult(u.at('solo/f'))).toBe('ENOENT');
    expect(await unlinkResult(u.at('solo/sub'))).toBe('EISDIR');
    expect(existsSync(u.in(0, 'solo/sub'))).toBe(true);
  });

  it('never removes union metadata through the union', async () => {
    expect(await unlinkResult(u.at('solo/.wh.g'))).not.toBe('ok');
    expect(existsSync(u.in(0, 'solo/.wh.g'))).toBe(true);
  });

  it('in a merged directory: whites out a lower copy, and leaves none when there is none', async () => {
    await readdir(u.at('merged'));
    await ok('rm', [u.at('merged/both')]);
    expect(existsSync(u.at('merged/both'))).toBe(false);
    expect(existsSync(u.in(0, 'merged/.wh.both'))).toBe(true);
    expect(existsSync(u.in(1, 'merged/both'))).toBe(true);
    await ok('rm', [u.at('merged/upper-only')]);
    expect(existsSync(u.in(0, 'merged/.wh.upper-only'))).toBe(false);
    expect(await readdir(u.at('merged'))).toEqual([]);
  });
});
