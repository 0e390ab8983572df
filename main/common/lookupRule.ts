/**
 * The union's visibility rule (aufs semantics), once for the engine; native/fuse/src/lookup_rule.h is
 * its C++ twin, and test/vectors/lookup-rule.json holds the cases both must answer alike.
 *
 * A name is looked up over the layers its parent merges, top-down (for the root: every branch):
 * - the first layer holding the name serves it, even when that layer also holds its whiteout (the
 *   union makes a new copy before it drops the old whiteout);
 * - `.wh.<name>` in a layer hides the name on every layer below;
 * - a served directory merges the directories below it, until one holds `.wh..wh..opq` or the
 *   whiteout (it is the last) or a layer holds the name as a non-directory (the merge ends above it);
 * - names starting with `.wh.` are union metadata and never visible;
 * - the root has no whiteouts, and a branch whose root is not a directory takes no part.
 *
 * Facts are asked lazily, layer by layer, and only those the answer depends on: a walk stops at the
 * layer that decides, and until the serving layer is found only the name and its whiteout are asked;
 * the last layer's whiteout and opaque marker never are, since nothing below them could be hidden.
 * Callers may gather all facts up front (one batch) or one syscall at a time.
 */
import { isReservedName } from './whiteout.ts';

export const ROOT = '/';

export type LayerEntry = 'none' | 'dir' | 'other';

/** What each layer (0 = top) holds for one name. */
export interface LayerFacts {
  readonly count: number;
  entry(k: number): LayerEntry;
  /** `.wh.<name>` in layer k's copy of the parent. */
  whiteout(k: number): boolean;
  /** `.wh..wh..opq` inside layer k's copy of the name (asked only when that is a directory). */
  opaque(k: number): boolean;
}

export interface Resolution {
  /** The layer whose copy the union serves. */
  served: number;
  /** Every layer taking part, top-down: [served] for a non-directory. */
  merged: number[];
  isDir: boolean;
}

/**
 * The layers serving `name` (ROOT for the union root), or null when it is not visible. `until:
 * 'served'` stops at the serving layer (merged is then [served]): enough to stat or list a name.
 */
export function resolveName(name: string, facts: LayerFacts, until: 'served' | 'merged' = 'merged'): Resolution | null {
  const root = name === ROOT;
  if (!root && isReservedName(name)) return null;
  let found: Resolution | null = null;
  for (let k = 0; k < facts.count; k++) {
    const last = k === facts.count - 1;
    let entry = facts.entry(k);
    if (root && entry === 'other') entry = 'none';
    if (entry === 'none') {
      if (!root && !last && facts.whiteout(k)) break;
      continue;
    }
    if (found && entry !== 'dir') break;
    if (found) found.merged.push(k);
    else found = { served: k, merged: [k], isDir: entry === 'dir' };
    if (!found.isDir || until === 'served' || last || facts.opaque(k) || (!root && facts.whiteout(k))) break;
  }
  return found;
}

/**
 * Would `name` still show if layer k lost its copy and its whiteout, and every layer above it its
 * copy? Decides whether removing (or moving away) the copy on layer k must leave a whiteout: a
 * whiteout above layer k still hides (with its layer's copy gone, nothing there outranks it). Below,
 * only existence matters: whatever is first there would be served.
 */
export function visibleBelow(name: string, facts: LayerFacts, k: number): boolean {
  if (name === ROOT || isReservedName(name)) return false;
  for (let j = 0; j < k; j++) if (facts.whiteout(j)) return false;
  for (let j = k + 1; j < facts.count; j++) {
    if (facts.entry(j) !== 'none') return true;
    if (j < facts.count - 1 && facts.whiteout(j)) return false;
  }
  return false;
}
