/**
 * The filesystem half of union validation (the lexical half is common/unionConfig.ts): branches exist and
 * are directories, symlinked roots do not sneak one branch into another, no branch leads back to the
 * union through other unions, and the mountpoint is an existing, empty directory that is not already
 * mounted on. Runs before a worker is spawned, so bad input changes nothing. Only async calls: the worker
 * runs this too (on `set`) and must never block its own loop.
 */
import type { BranchSpec } from '../../common/branch.ts';
import type { UnionConfig } from '../../common/contract.ts';
import { StrataError, type StrataErrorCode } from '../../common/errors.ts';
import { validateBranchLayout } from '../../common/unionConfig.ts';
import { safeReaddir, safeStat } from './deadlineFs.ts';
import { mountAt, readMountTable } from './mountTable.ts';
import { refuseUnionLoops, resolveBranches } from './unionLoopCheck.ts';
import { commandLine } from '../../common/shellQuote.ts';

type Role = { code: StrataErrorCode; label: string };
const BRANCH: Role = { code: 'BRANCH_INVALID', label: 'Branch' };
const MOUNTPOINT: Role = { code: 'MOUNTPOINT_INVALID', label: 'Mountpoint' };

/** stat + realpath of a directory (with a deadline where it lies on a FUSE mount), with errors that say what to do. */
async function existingDirectory(path: string, role: Role): Promise<{ real: string }> {
  try {
    const st = await safeStat(path);
    if (!st.isDirectory) {
      throw new StrataError(role.code, `${role.label} ${path} is not a directory: give a directory.`);
    }
    return { real: st.real };
  } catch (err) {
    if (err instanceof StrataError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new StrataError(role.code, `${role.label} ${path} does not exist: create it (${commandLine('mkdir', '-p', path)}) or fix the path.`);
    }
    if (code === 'ENOTDIR') {
      throw new StrataError(role.code, `${role.label} ${path} is not a directory: a component of the path is a file; fix the path.`);
    }
    if (code === 'ETIMEDOUT') {
      throw new StrataError('TIMEOUT', `${role.label} ${(err as Error).message}: see strata list, and clear that mount with strata unmount --force.`);
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new StrataError('PERMISSION', `${role.label} ${path} is not accessible (${code}): fix its permissions or run as a user who can read it.`);
    }
    throw new StrataError(role.code, `${role.label} ${path} cannot be used: ${(err as Error).message}.`);
  }
}

/**
 * Branches do not lead back to this union, exist, are directories, and still obey the layout rules once
 * symlinks are resolved. The loop check comes first and looks into no mount: a branch that would hang
 * is refused without being touched.
 */
export async function validateBranchDirs(mountpoint: string, branches: readonly BranchSpec[]): Promise<void> {
  const mounts = await readMountTable();
  await refuseUnionLoops(mountpoint, await resolveBranches(branches, mounts), mounts);
  const reals = await Promise.all(branches.map(async (b) => (await existingDirectory(b.path, BRANCH)).real));
  if (reals.every((real, i) => real === branches[i].path)) return;
  try {
    validateBranchLayout(
      mountpoint,
      branches.map((b, i) => ({ ...b, path: reals[i] })),
    );
  } catch (err) {
    const resolved = branches.flatMap((b, i) => (reals[i] === b.path ? [] : [`${b.path} → ${reals[i]}`])).join(', ');
    throw new StrataError((err as StrataError).code, `${(err as Error).message.replace(/\.$/, '')} (after resolving symlinks: ${resolved}).`);
  }
}

/**
 * The mountpoint is an existing empty directory with nothing mounted on it. Returns its real path, which
 * is what mountinfo will show and therefore what Strata keys the mount by.
 */
export async function validateMountpointDir(mountpoint: string): Promise<string> {
  // Checked before any stat: a stat on a dead FUSE mount fails with ENOTCONN, a hung one never returns.
  const mounted = await mountAt(mountpoint);
  if (mounted) {
    throw new StrataError(
      'MOUNTPOINT_INVALID',
      `Mountpoint ${mountpoint} already has a ${mounted.fstype} filesystem mounted on it: unmount it first or choose another directory.`,
    );
  }
  const { real } = await existingDirectory(mountpoint, MOUNTPOINT);
  if (real !== mountpoint && (await mountAt(real))) {
    throw new StrataError('MOUNTPOINT_INVALID', `Mountpoint ${mountpoint} (${real}) is already a mount point: unmount it first or choose another directory.`);
  }
  const entries = await safeReaddir(real);
  if (entries.length > 0) {
    throw new StrataError(
      'MOUNTPOINT_INVALID',
      `Mountpoint ${mountpoint} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}): mounting would hide them; use an empty directory.`,
    );
  }
  return real;
}

/** Every filesystem check for a new union. Returns the config keyed by the mountpoint's real path. */
export async function validateForMount(config: UnionConfig): Promise<UnionConfig> {
  const mountpoint = await validateMountpointDir(config.mountpoint);
  validateBranchLayout(mountpoint, config.branches);
  await validateBranchDirs(mountpoint, config.branches);
  return { ...config, mountpoint };
}
