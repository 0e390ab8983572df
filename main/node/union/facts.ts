/**
 * Raw, per-branch facts about a path and its ancestors, gathered before a policy runs so policies stay
 * pure and synchronous. Also computes the visibility barrier: the lowest branch on which a new entry
 * would still be seen through the union.
 */
import { basename, dirname, join } from 'node:path';
import { OPAQUE_MARKER, canWhiteout, whiteoutName } from '../../common/whiteout.ts';
import type { PathProbe } from '../../common/policies/types.ts';
import { loadSyscalls } from '../sys/load.ts';
import { BatchPaths, type StatBatch } from '../sys/statBatch.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import type { Branch } from './branchSet.ts';
import { isDirMode } from './fileType.ts';

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
  /** Branches where a proper ancestor is a non-directory (that ancestor): a directory cannot be made there. */
  blocked: Map<number, string>;
}

/** '/a/b/c' → ['/', '/a', '/a/b', '/a/b/c'] */
export function chain(rel: string): string[] {
  const out = ['/'];
  if (rel === '/') return out;
  let cur = '';
  for (const part of rel.split('/').filter(Boolean)) out.push((cur += '/' + part));
  return out;
}

/** Where each answer of one branch's walk sits in the batch: per ancestor k, its lstat, whiteout and opaque marker. */
interface Walk {
  st: number[];
  whiteout: (number | null)[];
  opaque: (number | null)[];
}

/** What gatherFacts asks: added to `paths`, so a caller can ask more in the same batch. */
export interface FactsQuery {
  rel: string;
  walks: Walk[];
}

export function askFacts(branches: Branch[], rel: string, paths: BatchPaths): FactsQuery {
  const chainPaths = chain(rel);
  const last = chainPaths.length - 1;
  const walks = branches.map((br): Walk => {
    const walk: Walk = { st: [], whiteout: [], opaque: [] };
    chainPaths.forEach((p, k) => {
      // Below an ancestor that is missing or not a directory, nothing is asked (the walk stops there or
      // reads "missing", which is what lstat would answer), and never through a symlink.
      const parent = k === 0 ? -1 : walk.st[k - 1];
      walk.st.push(paths.add(br.fd, p, parent));
      walk.whiteout.push(k === 0 ? null : paths.add(br.fd, join(dirname(p), whiteoutName(basename(p))), parent));
      walk.opaque.push(k === last ? null : paths.add(br.fd, join(p, OPAQUE_MARKER), walk.st[k]));
    });
    return walk;
  });
  return { rel, walks };
}

/**
 * Walks each branch down the path over the batch's answers. Every lstat was made at once; only the
 * answers the walk reads can fail it, as when each was awaited in turn.
 */
export function readFacts(q: FactsQuery, batch: StatBatch): PathFacts {
  const paths = chain(q.rel);
  const seen = new Map<string, Seen>();
  const key = (b: number, p: string) => `${b}\0${p}`;
  let opaqueBranch: number | undefined;
  let whiteoutBranch: number | undefined;
  const blocked = new Map<number, string>();
  const whiteouts = new Set<number>();
  const lower = (cur: number | undefined, b: number) => (cur === undefined ? b : Math.min(cur, b));

  q.walks.forEach((walk, b) => {
    for (let k = 0; k < paths.length; k++) {
      const p = paths[k];
      const isSelf = k === paths.length - 1;
      const st = batch.stat(walk.st[k]);
      const dir = !!st && isDirMode(st.mode);
      seen.set(key(b, p), { exists: !!st, dir, mtime: st ? Number(st.mtimeNs / 1_000_000_000n) : undefined });
      const whiteout = walk.whiteout[k];
      if (!st && whiteout !== null && canWhiteout(basename(p)) && batch.found(whiteout)) {
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
        blocked.set(b, p);
        opaqueBranch = lower(opaqueBranch, b);
        break;
      }
      if (batch.found(walk.opaque[k]!)) {
        opaqueBranch = lower(opaqueBranch, b);
      }
    }
  });

  const probe: PathProbe = {
    isDir: (b, p) => seen.get(key(b, p))?.dir ?? false,
    exists: (b, p) => seen.get(key(b, p))?.exists ?? false,
    mtime: (b, p) => seen.get(key(b, p))?.mtime,
  };
  return { probe, whiteoutBranch, whiteouts, opaqueBranch, blocked };
}

/** Every lstat of every branch's walk in one pool job (native/sys lstatBatch). */
export async function gatherFacts(branches: Branch[], rel: string, sys: Syscalls = loadSyscalls()): Promise<PathFacts> {
  const paths = new BatchPaths();
  const q = askFacts(branches, rel, paths);
  return readFacts(q, await paths.ask(sys));
}
