import { describe, expect, it } from 'vitest';
import { mayHang, parseMountInfo } from '../../../main/common/mountinfo.ts';
import { inlineSafe } from '../../../main/node/worker/callMode.ts';

/** A mount table as /proc/self/mountinfo gives it: a root disk, an NFS hard mount, a CIFS share, another union, a tmpfs. */
const MOUNTS = parseMountInfo(
  [
    '22 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    '40 22 0:50 / /srv/nfs rw,relatime - nfs4 fileserver:/export rw,vers=4.2,hard,proto=tcp',
    '41 22 0:51 / /srv/share rw,relatime - cifs //nas/share rw,vers=3.1.1',
    '42 22 0:52 / /mnt/other rw,nosuid,nodev - fuse.strata strata rw,user_id=0,group_id=0',
    '43 40 0:53 / /srv/nfs/scratch rw - tmpfs tmpfs rw',
  ].join('\n'),
);

describe("a worker's branch calls on the JS thread", () => {
  it('run inline while every branch lies on a local filesystem', () => {
    expect(inlineSafe(['/srv/fast', '/home/u/archive', '/srv/nfs/scratch/x'], MOUNTS)).toBe(true);
  });

  it('go to the pool when a branch lies on a FUSE or network mount, whose calls may wait without end', () => {
    expect(inlineSafe(['/srv/fast', '/srv/nfs/projects'], MOUNTS)).toBe(false);
    expect(inlineSafe(['/srv/share'], MOUNTS)).toBe(false);
    expect(inlineSafe(['/mnt/other/a'], MOUNTS)).toBe(false);
    expect(inlineSafe(['/srv/nfsish'], MOUNTS)).toBe(true);
  });

  it('counts FUSE of any subtype and the usual network filesystems as ones that may hang', () => {
    for (const t of ['fuse', 'fuseblk', 'fuse.sshfs', 'nfs', 'nfs4', 'cifs', 'smb3', '9p', 'ceph']) expect(mayHang(t), t).toBe(true);
    for (const t of ['ext4', 'xfs', 'btrfs', 'tmpfs', 'overlay', 'fusectl']) expect(mayHang(t), t).toBe(false);
  });
});
