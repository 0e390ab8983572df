/**
 * The `-o` options of a `fuse.strata` mount (fstab, a systemd `.mount` unit, or `strata SOURCE MOUNTPOINT
 * -o OPTIONS` as mount.fuse3 runs it): every `strata mount` option as a key, the kernel's mount flags,
 * and the keys mount(8), systemd and fstab carry for themselves, which are not Strata's to act on.
 */
import type { UnionConfig } from '../contract.ts';
import { StrataError } from '../errors.ts';
import { CREATE_FUNCTIONS, type CreateFunction } from '../policies/types.ts';
import { DEFAULT_COPYUP_POLICY, DEFAULT_CREATE_POLICY, type UnionOptionsInput } from '../unionConfig.ts';
import { lastComponent } from '../absolutePath.ts';
import { escapeOptionValue, splitOptionList } from './optionList.ts';
import { formatSizeExact } from '../sizes.ts';
import { DEFAULT_PASSTHROUGH } from '../passthrough.ts';

/** Flags libfuse hands to mount(2) for the union itself (lib/mount.c's table). */
export const KERNEL_FLAGS = [
  'rw',
  'ro',
  'suid',
  'nosuid',
  'dev',
  'nodev',
  'exec',
  'noexec',
  'sync',
  'async',
  'dirsync',
  'atime',
  'noatime',
  'nodiratime',
] as const;

/**
 * For mount(8), systemd and fstab: boot ordering, who may mount, and access-time variants libfuse does
 * not take (the branches' own filesystems keep their times). `default_permissions` is how Strata always
 * mounts.
 */
const NOT_OURS = new Set([
  'defaults',
  'auto',
  'noauto',
  'user',
  'nouser',
  'users',
  'owner',
  'group',
  'nofail',
  '_netdev',
  'relatime',
  'norelatime',
  'strictatime',
  'nostrictatime',
  'lazytime',
  'nolazytime',
  'diratime',
  'iversion',
  'noiversion',
  'mand',
  'nomand',
  'silent',
  'loud',
  'default_permissions',
]);
const NOT_OURS_PREFIXES = ['x-', 'X-', 'comment='];

const ALIASES: Record<string, string> = { 'category.create': 'create', minfreespace: 'minfree' };
const VALUE_KEYS = ['create', 'copyup', 'minfree', 'moveonenospc', 'passthrough', 'name'] as const;
type ValueKey = (typeof VALUE_KEYS)[number];

export interface MountOptionSet {
  union: UnionOptionsInput;
  /** Kernel flags for the union's own mount, in the order given. */
  kernelFlags: string[];
  allowOther: boolean;
  /** Keys that belong to mount(8), systemd or fstab, seen and left alone. */
  ignored: string[];
}

const KEY_LIST = `${VALUE_KEYS.join('=, ')}=, func.FN= (FN one of ${CREATE_FUNCTIONS.join(', ')}), allow_other, and mount flags such as ro or noexec`;

function unknownOption(option: string): never {
  throw new StrataError('INVALID_ARGUMENT', `Unknown mount option '${option}' for fuse.strata: use ${KEY_LIST} (see strata help export).`);
}

export function parseMountOptions(text: string): MountOptionSet {
  const set: MountOptionSet = { union: {}, kernelFlags: [], allowOther: false, ignored: [] };
  const values: Partial<Record<ValueKey, string>> = {};
  const funcs: string[] = [];
  for (const option of splitOptionList(text)) {
    const eq = option.indexOf('=');
    const rawKey = eq < 0 ? option : option.slice(0, eq);
    const key = ALIASES[rawKey] ?? rawKey;
    const value = eq < 0 ? undefined : option.slice(eq + 1);
    if (NOT_OURS.has(option) || NOT_OURS_PREFIXES.some((p) => option.startsWith(p))) set.ignored.push(option);
    else if ((KERNEL_FLAGS as readonly string[]).includes(option)) set.kernelFlags.push(option);
    else if (option === 'allow_other') set.allowOther = true;
    else if (key.startsWith('func.') && value !== undefined) {
      const fn = key.slice('func.'.length);
      if (!(CREATE_FUNCTIONS as readonly string[]).includes(fn)) unknownOption(option);
      funcs.push(`${fn}=${value}`);
    } else if ((VALUE_KEYS as readonly string[]).includes(key)) {
      if (value === undefined || value === '') {
        throw new StrataError(
          'INVALID_ARGUMENT',
          `Mount option '${rawKey}' needs a value: write ${rawKey}=VALUE, e.g. ${key === 'minfree' ? 'minfree=4G' : key === 'create' ? 'create=mfs' : `${key}=...`}.`,
        );
      }
      values[key as ValueKey] = value;
    } else unknownOption(option);
  }
  set.union = {
    name: values.name,
    create: values.create,
    copyup: values.copyup,
    minfree: values.minfree,
    funcs,
    moveOnEnospc: values.moveonenospc,
    passthrough: values.passthrough,
  };
  return set;
}

/** The keys and values that recreate `config`, defaults left out, in a stable order. */
export function unionOptionPairs(config: UnionConfig): [key: string, value: string][] {
  const pairs: [string, string][] = [];
  if (config.name !== lastComponent(config.mountpoint)) pairs.push(['name', config.name]);
  if (config.create !== DEFAULT_CREATE_POLICY) pairs.push(['create', config.create]);
  for (const [fn, policy] of Object.entries(config.createOverrides) as [CreateFunction, string][]) pairs.push([`func.${fn}`, policy]);
  if (config.copyup !== DEFAULT_COPYUP_POLICY) pairs.push(['copyup', config.copyup]);
  if (config.minFreeSpace !== 0) pairs.push(['minfree', formatSizeExact(config.minFreeSpace)]);
  if (config.moveOnEnospc !== false) pairs.push(['moveonenospc', config.moveOnEnospc]);
  if (config.passthrough !== DEFAULT_PASSTHROUGH) pairs.push(['passthrough', config.passthrough]);
  return pairs;
}

/** The `-o` options that recreate `config`, after `extra` (allow_other, nofail, ...). */
export function formatMountOptions(config: UnionConfig, extra: readonly string[] = []): string {
  return [...extra, ...unionOptionPairs(config).map(([key, value]) => `${key}=${escapeOptionValue(value)}`)].join(',');
}
