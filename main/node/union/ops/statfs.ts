/** statfs of the union, by the rule in common/unionSpace.ts over every branch's filesystem. */
import { unionSpace } from '../../../common/unionSpace.ts';
import type { FuseStatfs } from '../../sys/fsValues.ts';
import type { UnionCore } from '../core.ts';

export async function statfs(core: UnionCore): Promise<FuseStatfs> {
  return unionSpace(
    await Promise.all(
      core.branches.map(async (b) => {
        const [st, v] = await Promise.all([core.fs.lstat(b, '/'), core.fs.statvfs(b)]);
        return { ...v, dev: st.dev };
      }),
    ),
  );
}
