/** `strata where`: every copy, whiteout and opaque marker of a path across the branches, and which one the union serves. */
import { basename, dirname, join } from 'node:path';
import type { WhereCopy, WhereResult } from '../../../common/contract.ts';
import { OPAQUE_MARKER, canWhiteout, whiteoutName } from '../../../common/whiteout.ts';
import type { UnionCore } from '../core.ts';
import { typeName } from '../fileType.ts';

export async function whereIs(core: UnionCore, mountpoint: string, rel: string): Promise<WhereResult> {
  const node = rel === '/' || !basename(rel).startsWith('.wh.') ? await core.resolver.lookup(rel).catch(() => null) : null;
  const copies: WhereCopy[] = [];
  const whiteouts: WhereResult['whiteouts'] = [];
  const opaque: WhereResult['opaque'] = [];
  let hiddenBy: WhereCopy['hiddenBy'];
  for (const [i, b] of core.branches.entries()) {
    const real = b.real(rel);
    const st = await core.fs.lstatOrNull(b, rel);
    if (st) {
      const visible = !!node && node.layers.includes(i);
      copies.push({
        branch: i,
        branchRoot: b.root,
        realPath: real,
        type: typeName(Number(st.mode)),
        visible,
        ...(visible ? {} : { hiddenBy: hiddenBy ?? 'shadowed' }),
      });
      if (typeName(Number(st.mode)) === 'dir' && (await core.fs.lstatOrNull(b, join(rel, OPAQUE_MARKER)))) {
        opaque.push({ branch: i, realPath: join(real, OPAQUE_MARKER) });
        hiddenBy ??= 'opaque';
      }
    }
    if (rel !== '/' && canWhiteout(basename(rel))) {
      const wh = join(dirname(rel), whiteoutName(basename(rel)));
      if (await core.fs.lstatOrNull(b, wh)) {
        whiteouts.push({ branch: i, realPath: b.real(wh) });
        hiddenBy ??= 'whiteout';
      }
    }
  }
  const top = node ? core.branches[node.top] : null;
  return {
    mountpoint,
    relPath: rel,
    exists: !!node,
    servingBranch: node ? node.top : null,
    servingPath: top ? top.real(rel) : null,
    copies,
    whiteouts,
    opaque,
  };
}
