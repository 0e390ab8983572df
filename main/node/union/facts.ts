/**
 * Raw, per-branch facts about a path and its ancestors, gathered before a policy runs so policies stay
 * pure and synchronous. Also computes the visibility barrier: the lowest branch on which a new entry
 * would still be seen through the union.
 */
import type { BigIntStats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OPAQUE_MARKER, whiteoutName } from '../../common/whiteout.ts';
import type { PathProbe } from '../../common/policies/types.ts';
import type { Branch } from './branchSet.ts';
import { isDirMode, lstatOrNull } from './fsx.ts';

interface Seen {
  exists: boolean;
  dir: boolean;
  mtime?: number;
}

export interface PathFacts {
  probe: PathProbe;
  /** Highest branch holding `.wh.<name>` for the path itself. */
  whiteoutBranch?: number;
  /** Every branch holding `.wh.<name>` for the path itself. */
  whiteouts: Set<number>;
  /** Highest branch below which the path's ancestors hide new entries (opaque dir, whiteout, non-directory). */
  opaqueBranch?: number;
  /** Branches where a proper ancestor is a non-directory: a directory cannot be made there. */
  blocked: Set<number>;
}

/** '/a/b/c' → ['/', '/a', '/a/b', '/a/b/c'] */
export function chain(rel: string): string[] {
  const out = ['/'];
  if (rel === '/') return out;
  let cur = '';
  for (const part of rel.split('/').filter(Boolean)) out.push((cur += '/' + part));
  return out;
}

/** lstatOrNull started before it is known to be needed: a failure nobody awaits is not unhandled. */
export function lstatAhead(path: string): Promise<BigIntStats | null> {
  const st = lstatOrNull(path);
  st.catch(() => undefined);
  return st;
}

export async function gatherFacts(branches: Branch[], rel: string): Promise<PathFacts> {
  const paths = chain(rel);
  const seen = new Map<string, Seen>();
  const key = (b: number, p: string) => `${b}\0${p}`;
  let opaqueBranch: number | undefined;
  let whiteoutBranch: number | undefined;
  const blocked = new Set<number>();
  const whiteouts = new Set<number>();
  const lower = (cur: number | undefined, b: number) => (cur === undefined ? b : Math.min(cur, b));

  await Promise.all(branches.map(async (br, b) => {
    // Every lstat the walk may need starts at once: one wait instead of one per step.
    const ahead = paths.map((p, k) => ({
      st: lstatAhead(br.real(p)),
      whiteout: p === '/' ? null : lstatAhead(join(br.real(dirname(p)), whiteoutName(basename(p)))),
      opaque: k === paths.length - 1 ? null : lstatAhead(join(br.real(p), OPAQUE_MARKER)),
    }));
    for (let k = 0; k < paths.length; k++) {
      const p = paths[k];
      const isSelf = k === paths.length - 1;
      const st = await ahead[k].st;
      const dir = !!st && isDirMode(st.mode);
      seen.set(key(b, p), { exists: !!st, dir, mtime: st ? Number(st.mtimeMs / 1000n) : undefined });
      if (!st && (await ahead[k].whiteout)) {
        // A whiteout of the name itself hides lower copies; of an ancestor, everything below in it.
        if (isSelf) {
          whiteoutBranch = lower(whiteoutBranch, b);
          whiteouts.add(b);
        } else opaqueBranch = lower(opaqueBranch, b);
        break;
      }
      if (isSelf) break;
      if (!st) continue;
      if (!dir) {
        blocked.add(b);
        opaqueBranch = lower(opaqueBranch, b);
        break;
      }
      if (await ahead[k].opaque) {
        opaqueBranch = lower(opaqueBranch, b);
      }
    }
  }));

  const probe: PathProbe = {
    isDir: (b, p) => seen.get(key(b, p))?.dir ?? false,
    exists: (b, p) => seen.get(key(b, p))?.exists ?? false,
    mtime: (b, p) => seen.get(key(b, p))?.mtime,
  };
  return { probe, whiteoutBranch, whiteouts, opaqueBranch, blocked };
}
