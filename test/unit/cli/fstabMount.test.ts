import { describe, expect, it } from 'vitest';
import { isHelperForm, parseHelperArgs } from '../../../main/node/cli/fstabMount.ts';

describe('the form mount.fuse3 runs', () => {
  it('is told from a command by the path in its first argument', () => {
    expect(isHelperForm(['/srv/a=rw:/srv/b=ro', '/mnt/u', '-o', 'create=mfs'])).toBe(true);
    expect(isHelperForm(['mount', '/mnt/u'])).toBe(false);
    expect(isHelperForm(['/srv/a'])).toBe(false);
  });

  it('joins every -o, given apart or attached', () => {
    expect(parseHelperArgs(['/a:/b', '/mnt/u', '-o', 'rw,create=mfs', '-ominfree=1G'])).toEqual({
      source: '/a:/b',
      mountpoint: '/mnt/u',
      options: 'rw,create=mfs,minfree=1G',
    });
    expect(parseHelperArgs(['/a', '/mnt/u'])).toEqual({ source: '/a', mountpoint: '/mnt/u', options: '' });
  });

  it('names the usage for anything else', () => {
    expect(() => parseHelperArgs(['/a', '/mnt/u', '-o'])).toThrow(/Option -o needs a value: usage is strata SOURCE MOUNTPOINT/);
    expect(() => parseHelperArgs(['/a', '/mnt/u', '/extra'])).toThrow(/Expected SOURCE and MOUNTPOINT, got 3 arguments/);
  });
});
