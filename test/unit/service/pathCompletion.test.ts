import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeDirectory } from '../../../main/node/service/pathCompletion.ts';
import { tempDir } from '../../support/serviceFakes.ts';

describe('completeDirectory', () => {
  const dir = tempDir();
  for (const d of ['alpha', 'alpine', 'beta', '.hidden']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'almanac.txt'), '');
  symlinkSync(join(dir, 'beta'), join(dir, 'also-beta'));
  symlinkSync(join(dir, 'almanac.txt'), join(dir, 'alink'));

  it('lists the matching directories, following links to directories only', async () => {
    expect(await completeDirectory(join(dir, 'al'))).toEqual({ dir, dirs: ['alpha', 'alpine', 'also-beta'].map((d) => join(dir, d)) });
  });

  it('lists everything under a trailing slash, hiding dot-directories until a dot is typed', async () => {
    expect((await completeDirectory(dir + '/')).dirs).toEqual(['alpha', 'alpine', 'also-beta', 'beta'].map((d) => join(dir, d)));
    expect((await completeDirectory(join(dir, '.h'))).dirs).toEqual([join(dir, '.hidden')]);
  });

  it('answers nothing for a directory it cannot read', async () => {
    expect(await completeDirectory('/no/such/place/x')).toEqual({ dir: '/no/such/place', dirs: [] });
  });
});
