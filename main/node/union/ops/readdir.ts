/**
 * Merged directory listing: every layer's names top-down, first copy wins, names whited out in a
 * layer hidden from the layers below it, union metadata (`.wh.*`) never shown.
 */
import type { DirEntry } from '../../fuse/ops.ts';
import { whitedOutName } from '../../../common/whiteout.ts';
import type { UnionCore } from '../core.ts';
import { ENOTDIR, fail } from '../fsx.ts';
import type { UnionNode } from '../resolver.ts';

export async function mergedNames(core: UnionCore, node: UnionNode): Promise<string[]> {
  const listings = await Promise.all(node.layers.map((i) => core.fs.readdir(core.branches[i], node.rel).catch(() => [] as string[])));
  const seen = new Set<string>();
  const hidden = new Set<string>();
  const out: string[] = [];
  for (const names of listings) {
    const whiteouts: string[] = [];
    for (const name of names) {
      if (name.startsWith('.wh.')) {
        const h = whitedOutName(name);
        if (h !== undefined) whiteouts.push(h);
      } else if (!seen.has(name) && !hidden.has(name)) {
        seen.add(name);
        out.push(name);
      }
    }
    for (const h of whiteouts) hidden.add(h);
  }
  return out;
}

export async function readdir(core: UnionCore, rel: string): Promise<DirEntry[]> {
  const node = await core.node(rel);
  if (!node.isDir) fail(ENOTDIR);
  const names = await mergedNames(core, node);
  return [{ name: '.' }, { name: '..' }, ...names.map((name) => ({ name }))];
}
