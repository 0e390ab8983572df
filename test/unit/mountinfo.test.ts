/** What a path at a union's mountpoint reaches: the union, or a mount stacked on it (main/common/mountinfo.ts). */
import { describe, expect, it } from 'vitest';
import { mountOnTop, parseMountInfo } from '../../main/common/mountinfo.ts';

const table = parseMountInfo(
  [
    '27 1 254:1 / /var rw,relatime - ext4 /dev/vda1 rw',
    '47 27 0:40 / /var/u rw,nosuid,nodev,relatime - fuse.strata strata:u rw,user_id=0,group_id=0',
    '48 47 0:42 / /var/u/sub rw,relatime - tmpfs tmpfs rw',
    '49 27 0:43 / /var/v rw,relatime - fuse.strata strata:v rw,user_id=0,group_id=0',
    '50 47 0:44 / /var/u rw,relatime - tmpfs tmpfs rw',
  ].join('\n'),
);
const at = (id: number) => table.find((e) => e.mountId === id)!;

describe('mountOnTop', () => {
  it("finds the mount stacked at the union's own mountpoint, not one inside it", () => {
    expect(mountOnTop(at(47), table)?.mountId).toBe(50);
  });

  it('finds none over a union nothing covers, nor over the topmost mount', () => {
    expect(mountOnTop(at(49), table)).toBeUndefined();
    expect(mountOnTop(at(50), table)).toBeUndefined();
    expect(mountOnTop(at(47), table.slice(0, 4))).toBeUndefined();
  });
});
