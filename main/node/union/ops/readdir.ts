/**
 * Merged directory listing: every name the lookup rule shows (common/lookupRule.ts), in the order the
 * layers list them top-down. A listing tells no kinds, but only the serving layer is asked for, and
 * any kind ends the walk there. The native backend lists directories the resolver has published the
 * same way (native/fuse/src/merged_listing.h); this one serves the rest and the fuse-native backend.
 */
import type { DirEntry } from '../../fuse/ops.ts';
import { resolveName } from '../../../common/lookupRule.ts';
import { whitedOutName } from '../../../common/whiteout.ts';
import type { UnionCore } from '../core.ts';
import { ENOTDIR, fail } from '../../sys/errno.ts';
import type { UnionNode } from '../resolver.ts';

export async function mergedNames(core: UnionCore, node: UnionNode): Promise<string[]> {
  const listings = await Promise.all(node.layers.map((i) => core.fs.readdir(core.branches[i], node.rel).catch(() => [] as string[])));
  const names = listings.map((l) => new Set(l));
  const whiteouts = listings.map((l) => new Set(l.map(whitedOutName).filter((h) => h !== undefined)));
  const candidates = new Set(listings.flat());
  const out: string[] = [];
  for (const name of candidates) {
    const facts = {
      count: names.length,
      entry: (k: number) => (names[k].has(name) ? ('other' as const) : ('none' as const)),
      whiteout: (k: number) => whiteouts[k].has(name),
      opaque: () => false,
    };
    if (resolveName(name, facts, 'served')) out.push(name);
  }
  return out;
}

export async function readdir(core: UnionCore, rel: string): Promise<DirEntry[]> {
  const node = await core.node(rel);
  if (!node.isDir) fail(ENOTDIR);
  const names = await mergedNames(core, node);
  return [{ name: '.' }, { name: '..' }, ...names.map((name) => ({ name }))];
}
