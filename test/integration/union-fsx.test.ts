// fsx on a union (test/support/fsx.py): random writes, reads, mapped writes and reads, truncations, fsyncs
// and reopens through two descriptors, checked op by op against a model. On a root mount a file of the
// writable branch is served by FUSE passthrough; npm test runs this file again without it, and on the
// fuse-native fallback.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, mountUnion, run } from '../support/unionFixture.ts';

const FSX = join(import.meta.dirname, '../support/fsx.py');
const OPS = 3000;
const lowerData = randomBytes(100 * 1024);

describe('fsx on a union', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([b0, b1]) => {
        await writeFile(`${b0}/upper.bin`, randomBytes(64 * 1024));
        await writeFile(`${b1}/lower.bin`, lowerData);
      },
    });
  });
  afterAll(async () => {
    await u?.cleanup();
  });

  const fsx = async (name: string, seed: number) => {
    const r = await run('python3', [FSX, u.at(name), String(seed), String(OPS)]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`ok ${OPS}`);
    expect(r.code).toBe(0);
  };

  it('a file of the writable branch reads back as written, mapped or not, and the branch holds the same bytes', async () => {
    await fsx('upper.bin', 1);
    await fsx('upper.bin', 2);
    expect((await readFile(u.in(0, 'upper.bin'))).equals(await readFile(u.at('upper.bin')))).toBe(true);
  });

  it('a file of the read-only branch is copied up at the first open and then does the same; the original stays', async () => {
    await fsx('lower.bin', 3);
    expect((await readFile(u.in(0, 'lower.bin'))).equals(await readFile(u.at('lower.bin')))).toBe(true);
    expect((await readFile(u.in(1, 'lower.bin'))).equals(lowerData)).toBe(true);
  });

  it('two programs at once, each on its own file', async () => {
    await writeFile(u.at('a.bin'), '');
    await writeFile(u.at('b.bin'), '');
    await Promise.all([fsx('a.bin', 4), fsx('b.bin', 5)]);
  });
});
