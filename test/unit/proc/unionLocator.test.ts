import { describe, expect, it } from 'vitest';
import { parseMountInfo } from '../../../main/common/mountinfo.ts';
import { NamespaceMounts } from '../../../main/common/proc/namespaceMounts.ts';
import { parseMaps } from '../../../main/common/proc/procMapsParser.ts';
import { UnionLocator, type UnionTarget } from '../../../main/common/proc/unionLocator.ts';
import { CAPTURE, procText } from './fixtures.ts';

const own = new NamespaceMounts(parseMountInfo(procText('self.mountinfo')));
const nsTable = new NamespaceMounts(parseMountInfo(procText('nsholder.mountinfo')));
const union: UnionTarget = {
  mountpoint: `${CAPTURE}/mnt`,
  major: 0,
  minor: 39,
  branches: [
    { index: 0, path: `${CAPTURE}/b0`, mode: 'rw' },
    { index: 1, path: `${CAPTURE}/b1`, mode: 'rw' },
  ],
};
const locator = new UnionLocator([union], own);

/** A container's view: the union's /sub bind-mounted at /data, branch b1 at /srv (mount IDs are global). */
const container = new NamespaceMounts(
  parseMountInfo(
    [
      '900 899 254:0 / / rw - ext4 /dev/vda rw',
      `901 900 0:39 /sub /data rw - fuse.mergerfs 0:1 rw`,
      `902 900 254:0 ${CAPTURE}/b1 /srv rw - ext4 /dev/vda rw`,
    ].join('\n'),
  ),
);

describe('UnionLocator', () => {
  it('watches the union device and the devices holding branches', () => {
    expect(locator.watches(0, 39)).toBe(true);
    expect(locator.watches(254, 0)).toBe(true);
    expect(locator.watches(0, 22)).toBe(false);
    expect(locator.unionDevices).toEqual([[0, 39]]);
    expect(locator.branchDevices).toEqual([[254, 0]]);
  });

  it('places an fd by its mount ID', () => {
    expect(locator.inMount(own.mount(42)!, `${CAPTURE}/mnt/sp ace.txt`)).toEqual({ union, relPath: '/sp ace.txt', direct: false });
    expect(locator.inMount(own.mount(42)!, `${CAPTURE}/mnt`)).toEqual({ union, relPath: '/', direct: false });
  });

  it('places a branch file reached directly, translated to the union path', () => {
    expect(locator.inMount(own.mount(26)!, `${CAPTURE}/b1/a.txt`)).toEqual({
      union,
      relPath: '/a.txt',
      direct: true,
      branch: union.branches[1],
      realPath: `${CAPTURE}/b1/a.txt`,
    });
    expect(locator.inMount(own.mount(26)!, `${CAPTURE}/b1`)).toMatchObject({ relPath: '/', direct: true, realPath: `${CAPTURE}/b1` });
    expect(locator.inMount(own.mount(26)!, `${CAPTURE}/b10/a.txt`)).toBeNull();
    expect(locator.inMount(own.mount(26)!, '/usr/lib/x.so')).toBeNull();
  });

  it("places a maps region of another namespace's process with that namespace's table", () => {
    const [region] = parseMaps(procText('nsholder.maps'), (major, minor) => major === 0 && minor === 39);
    expect(region.path).toBe(`${CAPTURE}/nsview/a.txt`);
    expect(locator.onDevice([nsTable, own], region.major, region.minor, region.path)).toEqual({ union, relPath: '/a.txt', direct: false });
    // Our own table does not have that bind mount: no guess from the path.
    expect(locator.onDevice([own], region.major, region.minor, region.path)).toBeNull();
  });

  it('follows bind mounts of a union subdirectory and of a branch', () => {
    expect(locator.onDevice([container], 0, 39, '/data/x')).toEqual({ union, relPath: '/sub/x', direct: false });
    expect(locator.inMount(container.mount(902)!, '/srv/only1.txt')).toEqual({
      union,
      relPath: '/only1.txt',
      direct: true,
      branch: union.branches[1],
      realPath: `${CAPTURE}/b1/only1.txt`,
    });
  });

  it('places cwd and friends by the deepest mount containing the path', () => {
    expect(locator.atPath(own, `${CAPTURE}/mnt/dir`)).toMatchObject({ relPath: '/dir', direct: false });
    expect(locator.atPath(own, `${CAPTURE}/b0/dir`)).toMatchObject({ relPath: '/dir', direct: true, branch: union.branches[0] });
    expect(locator.atPath(own, '/root')).toBeNull();
  });

  it('lists where branch file paths start in a namespace, through bind mounts too', () => {
    expect(locator.branchPrefixes(own).sort()).toEqual([`${CAPTURE}/b0`, `${CAPTURE}/b1`]);
    expect(locator.branchPrefixes(container).sort()).toEqual(['/srv', `${CAPTURE}/b0`, `${CAPTURE}/b1`].sort());
  });

  it('says which fd paths are worth reading fdinfo for', () => {
    expect(locator.mayHold(own, `${CAPTURE}/mnt/a.txt`)).toBe(true);
    expect(locator.mayHold(own, `${CAPTURE}/b0/a.txt`)).toBe(true);
    expect(locator.mayHold(own, '/dev/null')).toBe(false);
    expect(locator.mayHold(own, '/etc/passwd')).toBe(false);
  });
});

describe('NamespaceMounts', () => {
  it('picks the top of mounts stacked on one mountpoint', () => {
    const t = new NamespaceMounts(
      parseMountInfo(['1 0 254:0 / / rw - ext4 /dev/vda rw', '10 1 0:50 / /m rw - tmpfs a rw', '11 10 0:51 / /m rw - tmpfs b rw'].join('\n')),
    );
    expect(t.containing('/m/x')?.mountId).toBe(11);
    expect(t.containing('/m/x', '0:50')?.mountId).toBe(10);
    expect(t.containing('/other')?.mountId).toBe(1);
  });
});
