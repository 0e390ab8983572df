/**
 * statfs of a union is answered on the FUSE threads, from every branch's root by the engine's rule
 * (common/unionSpace.ts, native/fuse/src/union_space.h): the engine's statfs is held here
 * (STRATA_TEST_HANG=@statfs), so an answer can only come from the FUSE threads. `df`, `rm` and `mv`
 * each ask once; file managers ask often.
 */
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bounded, cutOff } from '../support/heldEngine.ts';
import { type UnionFixture, asRoot, mountUnion, tmpfsBranches } from '../support/unionFixture.ts';

// tmpfs mounts, root's to make: two filesystems of known sizes, the first under two branches.
describe.runIf(asRoot)('statfs, with the engine’s held', () => {
  let t: Awaited<ReturnType<typeof tmpfsBranches>> | undefined;
  let u: UnionFixture | undefined;
  beforeAll(async () => {
    t = await tmpfsBranches(['64M', '32M']);
    const dirs = [`${t.dirs[0]}/a`, t.dirs[1], `${t.dirs[0]}/b`];
    for (const d of [dirs[0], dirs[2]]) await mkdir(d);
    u = await mountUnion({ modes: ['rw', 'ro', 'ro'], branchDirs: dirs, env: { STRATA_TEST_HANG: '@statfs' } });
  });
  afterAll(async () => {
    await cutOff(u);
    await t?.cleanup();
  });

  it('sums the distinct filesystems under the branches, one that holds two of them once', async () => {
    const script = [
      's = os.statvfs(p)',
      `t = [os.statvfs(d) for d in ${JSON.stringify(t!.dirs)}]`,
      'assert (s.f_frsize, s.f_bsize, s.f_namemax) == (4096, 4096, 255), s',
      'assert s.f_blocks == (64 + 32) * 256, s',
      'assert (s.f_bfree, s.f_bavail, s.f_files, s.f_ffree) == tuple(sum(getattr(v, f) for v in t) for f in ("f_bfree", "f_bavail", "f_files", "f_ffree")), (s, t)',
    ].join('\n');
    expect(await bounded(script, u!.mnt)).toBe('ok');
  });
});
