/** The advice `strata list` gives for a union that does not answer, with and without a mount stacked on it (manager.ts). */
import { describe, expect, it } from 'vitest';
import { parseMountInfo } from '../../../main/common/mountinfo.ts';
import { statusFor } from '../../../main/node/mounts/manager.ts';

const [union, tmpfs] = parseMountInfo(
  ['47 27 0:40 / /var/u rw,nosuid,nodev,relatime - fuse.strata strata:u rw,user_id=0,group_id=0', '50 47 0:44 / /var/u rw,relatime - tmpfs tmpfs rw'].join(
    '\n',
  ),
);
const silent = { kind: 'silent', pid: 4242, stopped: false, since: Date.now() - 60_000, waiting: 2 } as const;

describe('statusFor a union that does not answer', () => {
  it('names the forced unmount, and the abort and lazy unmount by hand', () => {
    expect(statusFor(union, silent)).toMatchObject({
      state: 'hung',
      pid: 4242,
      problem: expect.stringContaining(
        'strata unmount --force /var/u aborts its requests and detaches it (by hand: echo 1 > /sys/fs/fuse/connections/40/abort; umount -l /var/u).',
      ),
    });
  });

  it('covered by another mount, says to unmount that first and never suggests an unmount by path that would take it down', () => {
    const { problem } = statusFor(union, silent, String, tmpfs);
    expect(problem).toContain(
      'echo 1 > /sys/fs/fuse/connections/40/abort aborts its requests; a tmpfs mount covers it: unmount that first (umount /var/u), then strata unmount --force /var/u detaches it.',
    );
    expect(problem).not.toContain('umount -l');
  });
});
