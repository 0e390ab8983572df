/**
 * From what a user typed (CLI flags, a form in the app) to a normalized, validated UnionConfig. Pure: the
 * filesystem checks (existence, symlinks, emptiness) live in main/node/mounts/validate.ts.
 *
 * Branch spec: `DIR[=rw|ro|nc][,minfree=SIZE]`. As in aufs, the first branch defaults to rw and the others
 * to ro, so `--branch /fast --branch /archive` gives a writable top over a read-only archive.
 */
import { BRANCH_MODES, type BranchMode, type BranchSpec } from './branch.ts';
import type { UnionConfig, UnionConfigPatch } from './contract.ts';
import { StrataError } from './errors.ts';
import { isAbsolutePath, isSameOrInside, lastComponent, normalizeAbsolute } from './absolutePath.ts';
import { COPYUP_POLICY_NAMES, type CopyupPolicyName, type CreatePolicyName, isCopyupPolicyName, type MergerfsCreatePolicyName } from './policies/names.ts';
import { parsePolicySetting } from './policies/registry.ts';
import { parseSize } from './sizes.ts';
import { DEFAULT_PASSTHROUGH, PASSTHROUGH_MODES, type PassthroughMode } from './passthrough.ts';
import { CREATE_FUNCTIONS, type CreateFunction } from './policies/types.ts';

export const DEFAULT_CREATE_POLICY: CreatePolicyName = 'tdp';
export const DEFAULT_COPYUP_POLICY: CopyupPolicyName = 'tdp';
/** mergerfs' `moveonenospc=true` means its default create policy. */
const MOVE_ON_ENOSPC_TRUE: MergerfsCreatePolicyName = 'pfrd';

/** Options shared by `strata mount` and `strata set`, as strings the way a user typed them. */
export interface UnionOptionsInput {
  name?: string;
  create?: string;
  copyup?: string;
  minfree?: string;
  /** `FUNCTION=POLICY`, e.g. `mkdir=epmfs`. */
  funcs?: string[];
  /** A create policy, or `true`/`false`. */
  moveOnEnospc?: string;
  passthrough?: string;
}

export function parseBranchSpec(spec: string, index: number): BranchSpec {
  let path = spec;
  let mode: BranchMode = index === 0 ? 'rw' : 'ro';
  let minFreeSpace: number | undefined;
  // Options start at the first '=' of the last path component, so directories may contain '=' higher up.
  const eq = spec.indexOf('=', spec.lastIndexOf('/') + 1);
  if (eq >= 0) {
    path = spec.slice(0, eq);
    const [modeText, ...options] = spec.slice(eq + 1).split(',');
    if (!(BRANCH_MODES as readonly string[]).includes(modeText.toLowerCase())) {
      throw new StrataError('BRANCH_INVALID', `Unknown branch mode '${modeText}' in '${spec}': use ${path}=rw, ${path}=ro or ${path}=nc.`);
    }
    mode = modeText.toLowerCase() as BranchMode;
    for (const option of options) {
      const [key, value] = option.split('=');
      if (key !== 'minfree' || value === undefined) {
        throw new StrataError(
          'BRANCH_INVALID',
          `Unknown branch option '${option}' in '${spec}': the only option is minfree=SIZE, e.g. ${path}=${mode},minfree=10G.`,
        );
      }
      minFreeSpace = parseSize(value, `minfree for branch ${path}`);
    }
  }
  if (path === '') {
    throw new StrataError('BRANCH_INVALID', `Branch '${spec}' has no directory: write it as DIR[=rw|ro|nc], e.g. /srv/disk1=rw.`);
  }
  if (!isAbsolutePath(path)) {
    throw new StrataError('BRANCH_INVALID', `Branch path '${path}' is relative: give the absolute path, e.g. "$PWD/${path}".`);
  }
  const branch: BranchSpec = { path: normalizeAbsolute(path), mode };
  if (minFreeSpace !== undefined) branch.minFreeSpace = minFreeSpace;
  return branch;
}

export function parseBranchList(specs: readonly string[]): BranchSpec[] {
  if (specs.length === 0) {
    throw new StrataError('INVALID_ARGUMENT', 'No branches given: add at least one --branch DIR.');
  }
  return specs.map(parseBranchSpec);
}

/** Throws POLICY_INVALID (from the registry) for an unknown create policy; returns the setting unchanged. */
function checkCreatePolicy(setting: string): string {
  parsePolicySetting(setting);
  return setting;
}

function parseCopyup(text: string): CopyupPolicyName {
  if (!isCopyupPolicyName(text)) {
    throw new StrataError('POLICY_INVALID', `Unknown copy-up policy '${text}': use one of ${COPYUP_POLICY_NAMES.join(', ')}.`);
  }
  return text;
}

function parseFuncOverrides(specs: readonly string[]): Partial<Record<CreateFunction, string>> {
  const out: Partial<Record<CreateFunction, string>> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const fn = spec.slice(0, eq);
    if (eq < 0 || !(CREATE_FUNCTIONS as readonly string[]).includes(fn)) {
      throw new StrataError(
        'INVALID_ARGUMENT',
        `Invalid --func '${spec}': write FUNCTION=POLICY with FUNCTION one of ${CREATE_FUNCTIONS.join(', ')}, e.g. mkdir=epmfs.`,
      );
    }
    out[fn as CreateFunction] = checkCreatePolicy(spec.slice(eq + 1));
  }
  return out;
}

function parseMoveOnEnospc(text: string): false | string {
  if (text === 'false') return false;
  return checkCreatePolicy(text === 'true' ? MOVE_ON_ENOSPC_TRUE : text);
}

function parsePassthrough(text: string): PassthroughMode {
  if (!(PASSTHROUGH_MODES as readonly string[]).includes(text)) {
    throw new StrataError('INVALID_ARGUMENT', `Unknown passthrough mode '${text}': use ${PASSTHROUGH_MODES.join(', ')}.`);
  }
  return text as PassthroughMode;
}

function checkName(name: string): string {
  if (name.trim() === '' || name.length > 64 || /[\p{Cc}\/]/u.test(name)) {
    throw new StrataError('INVALID_ARGUMENT', `Invalid union name '${name}': use 1 to 64 printable characters without '/'.`);
  }
  return name;
}

/** The mountpoint's last component, held to the same rules as a name given with --name. */
function defaultName(mountpoint: string): string {
  const name = lastComponent(mountpoint);
  try {
    return checkName(name);
  } catch {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `The mountpoint's name ${JSON.stringify(name)} cannot name the union (1 to 64 printable characters without '/'): give a name with --name NAME.`,
    );
  }
}

/** A union's options, all at Strata's defaults: what a union given none of them has. */
export function defaultOptions(): Omit<UnionConfig, 'mountpoint' | 'name' | 'branches'> {
  return {
    create: DEFAULT_CREATE_POLICY,
    createOverrides: {},
    copyup: DEFAULT_COPYUP_POLICY,
    minFreeSpace: 0,
    moveOnEnospc: false,
    passthrough: DEFAULT_PASSTHROUGH,
  };
}

/** The fields of `opts` that were given, parsed. Shared by `mount` (then defaulted) and `set` (a patch). */
export function parseUnionOptions(opts: UnionOptionsInput): UnionConfigPatch {
  const patch: UnionConfigPatch = {};
  if (opts.name !== undefined) patch.name = checkName(opts.name);
  if (opts.create !== undefined) patch.create = checkCreatePolicy(opts.create);
  if (opts.copyup !== undefined) patch.copyup = parseCopyup(opts.copyup);
  if (opts.minfree !== undefined) patch.minFreeSpace = parseSize(opts.minfree, 'minfree');
  if (opts.funcs !== undefined && opts.funcs.length > 0) patch.createOverrides = parseFuncOverrides(opts.funcs);
  if (opts.moveOnEnospc !== undefined) patch.moveOnEnospc = parseMoveOnEnospc(opts.moveOnEnospc);
  if (opts.passthrough !== undefined) patch.passthrough = parsePassthrough(opts.passthrough);
  return patch;
}

/** A complete UnionConfig with Strata's defaults; `mountpoint` must already be absolute. */
export function buildUnionConfig(mountpoint: string, branchSpecs: readonly string[], opts: UnionOptionsInput = {}): UnionConfig {
  if (!isAbsolutePath(mountpoint)) {
    throw new StrataError('MOUNTPOINT_INVALID', `Mountpoint '${mountpoint}' is relative: give its absolute path.`);
  }
  const mp = normalizeAbsolute(mountpoint);
  const config: UnionConfig = {
    mountpoint: mp,
    name: opts.name === undefined ? defaultName(mp) : '',
    branches: parseBranchList(branchSpecs),
    ...defaultOptions(),
    ...parseUnionOptions(opts),
  };
  validateBranchLayout(config.mountpoint, config.branches);
  return config;
}

/**
 * The lexical rules: absolute paths, no duplicates, no branch inside another (aufs rejects overlapping
 * branches too: a file would show up twice and copy-up could copy a tree into itself), and the mountpoint
 * neither a branch, nor inside one (the union would contain itself), nor above one (the branch would be
 * hidden under the mount).
 */
export function validateBranchLayout(mountpoint: string, branches: readonly BranchSpec[]): void {
  if (mountpoint === '/') {
    throw new StrataError('MOUNTPOINT_INVALID', 'Cannot mount a union on /: choose an empty directory, e.g. /mnt/union.');
  }
  if (branches.length === 0) {
    throw new StrataError('INVALID_ARGUMENT', 'No branches given: add at least one --branch DIR.');
  }
  branches.forEach((b, i) => {
    if (!isAbsolutePath(b.path)) {
      throw new StrataError('BRANCH_INVALID', `Branch path '${b.path}' is relative: give the absolute path.`);
    }
    if (!BRANCH_MODES.includes(b.mode)) {
      throw new StrataError('BRANCH_INVALID', `Branch ${b.path} has unknown mode '${b.mode}': use rw, ro or nc.`);
    }
    for (const other of branches.slice(0, i)) {
      if (other.path === b.path) {
        throw new StrataError('BRANCH_INVALID', `Branch ${b.path} is listed twice: list each directory once.`);
      }
      const [inner, outer] = isSameOrInside(b.path, other.path) ? [b.path, other.path] : isSameOrInside(other.path, b.path) ? [other.path, b.path] : [];
      if (inner) {
        throw new StrataError('BRANCH_INVALID', `Branch ${inner} is inside branch ${outer}: branches must not contain each other; use separate directories.`);
      }
    }
    if (b.path === mountpoint) {
      throw new StrataError('MOUNTPOINT_INVALID', `Mountpoint ${mountpoint} is also branch ${b.path}: mount the union on a separate empty directory.`);
    }
    if (isSameOrInside(mountpoint, b.path)) {
      throw new StrataError(
        'MOUNTPOINT_INVALID',
        `Mountpoint ${mountpoint} is inside branch ${b.path}: the union would contain itself; choose a mountpoint outside every branch.`,
      );
    }
    if (isSameOrInside(b.path, mountpoint)) {
      throw new StrataError(
        'MOUNTPOINT_INVALID',
        `Branch ${b.path} is inside mountpoint ${mountpoint}: the mount would hide it; move the branch or choose another mountpoint.`,
      );
    }
  });
}

/**
 * Checks a patch that arrives as data (the control channel, the app) rather than through
 * parseUnionOptions: the same rules, applied to already-typed values.
 */
export function validateConfigPatch(mountpoint: string, patch: UnionConfigPatch): void {
  if (patch.branches !== undefined) validateBranchLayout(mountpoint, patch.branches);
  if (patch.name !== undefined) checkName(patch.name);
  if (patch.create !== undefined) checkCreatePolicy(patch.create);
  for (const setting of Object.values(patch.createOverrides ?? {})) checkCreatePolicy(setting);
  if (patch.copyup !== undefined) parseCopyup(patch.copyup);
  if (typeof patch.moveOnEnospc === 'string') checkCreatePolicy(patch.moveOnEnospc);
  if (patch.passthrough !== undefined) parsePassthrough(patch.passthrough);
  for (const bytes of [patch.minFreeSpace, ...(patch.branches ?? []).map((b) => b.minFreeSpace)]) {
    if (bytes !== undefined && !(Number.isSafeInteger(bytes) && bytes >= 0)) {
      throw new StrataError('INVALID_ARGUMENT', `Invalid minimum free space ${bytes}: give a whole number of bytes, 0 or more.`);
    }
  }
}
