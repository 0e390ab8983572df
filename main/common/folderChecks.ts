/**
 * What the union editor says about a folder while the user types it: the same rules `strata mount`
 * applies (node/mounts/validate.ts), over facts the server gathers (`fs:check`), so the field says it
 * before Save or Mount would. Pure: the facts come from elsewhere.
 */
import { isSameOrInside } from './absolutePath.ts';
import { STRATA_FSTYPE } from './mountinfo.ts';

/** What is at a path. A FUSE mount is never stat'ed (a hung one would never answer): only its type is known. */
export interface PathFacts {
  path: string;
  /** 'missing' also when a component of the path is not a directory; 'unknown' for a FUSE mount. */
  kind: 'dir' | 'file' | 'other' | 'missing' | 'unreadable' | 'unknown';
  /** A filesystem is mounted exactly here (its type, from mountinfo). */
  mountedFsType?: string;
  /** For a directory: it has no entries. */
  empty?: boolean;
  /** For 'missing' and 'unreadable': the system's reason (ENOTDIR, EACCES, ...). */
  reason?: string;
}

export interface FieldCheck {
  /** 'error' blocks Save; 'warning' is said and allowed. */
  level: 'error' | 'warning';
  message: string;
}

function absent(f: PathFacts): string {
  return f.reason === 'ENOTDIR'
    ? `${f.path} is not a folder: a component of the path is a file; fix the path.`
    : `${f.path} does not exist: create it (mkdir -p '${f.path.replaceAll("'", "'\\''")}') or fix the path.`;
}

/**
 * A branch must be an existing folder. A folder where a union is mounted (or inside one) is allowed, with a
 * warning: stacking unions makes this one stop answering whenever that one does.
 */
export function branchFolderCheck(f: PathFacts, unionMountpoints: readonly string[]): FieldCheck | null {
  if (f.kind === 'missing') return { level: 'error', message: absent(f) };
  if (f.kind === 'file' || f.kind === 'other')
    return { level: 'error', message: `${f.path} is a ${f.kind === 'file' ? 'file' : 'special file'}, not a folder: a branch must be a folder.` };
  if (f.kind === 'unreadable')
    return { level: 'error', message: `${f.path} is not accessible (${f.reason ?? 'permission denied'}): fix its permissions or pick another folder.` };
  const union = unionMountpoints.find((mp) => isSameOrInside(f.path, mp)) ?? (f.mountedFsType === STRATA_FSTYPE ? f.path : undefined);
  if (union !== undefined) {
    return {
      level: 'warning',
      message: `${f.path} is ${union === f.path ? 'the mountpoint of' : 'inside'} the mounted union ${union}: this union would depend on that one and stop answering when it does. Prefer that union's branches.`,
    };
  }
  return null;
}

/** A mountpoint must be an existing, empty folder with nothing mounted on it. */
export function mountpointFolderCheck(f: PathFacts): FieldCheck | null {
  if (f.mountedFsType !== undefined)
    return { level: 'error', message: `${f.path} already has a ${f.mountedFsType} filesystem mounted on it: unmount it first or choose another folder.` };
  if (f.kind === 'missing') return { level: 'error', message: absent(f) };
  if (f.kind === 'file' || f.kind === 'other')
    return {
      level: 'error',
      message: `${f.path} is a ${f.kind === 'file' ? 'file' : 'special file'}, not a folder: the union needs an empty folder to appear in.`,
    };
  if (f.kind === 'unreadable')
    return { level: 'error', message: `${f.path} is not accessible (${f.reason ?? 'permission denied'}): fix its permissions or choose another folder.` };
  if (f.kind === 'dir' && f.empty === false)
    return { level: 'error', message: `${f.path} is not empty: mounting would hide its files; choose an empty folder.` };
  return null;
}
