/**
 * Argument validators for every api.ts request. Both servers (Electron IPC and `strata serve`) run them
 * before anything reaches the service, so the service only ever sees well-formed values: absolute,
 * normalized paths without NUL, known policy names, branch layouts that obey the union rules. The store
 * reuses `parseUnionDefinition` to check unions.json on load. Pure: no Node or Electron imports.
 */
import { isAbsolutePath, normalizeAbsolute } from './absolutePath.ts';
import type { ArgsOf, Channel, UnionDefinition } from './api.ts';
import { BRANCH_MODES, type BranchMode, type BranchSpec } from './branch.ts';
import type { UnionConfig, UnionConfigPatch } from './contract.ts';
import { StrataError } from './errors.ts';
import { CREATE_FUNCTIONS, type CreateFunction } from './policies/types.ts';
import { COPYUP_POLICY_NAMES } from './policies/names.ts';
import { defaultOptions, parseUnionOptions, validateBranchLayout } from './unionConfig.ts';

const MAX_PATH = 4096;
const MAX_BRANCHES = 127;

function invalid(what: string, expected: string): never {
  throw new StrataError('INVALID_ARGUMENT', `Invalid ${what}: expected ${expected}.`);
}

function record(raw: unknown, what: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) invalid(what, 'an object');
  return raw as Record<string, unknown>;
}

function string(raw: unknown, what: string, max = MAX_PATH): string {
  if (typeof raw !== 'string' || raw.length > max || raw.includes('\0')) invalid(what, `text of at most ${max} characters`);
  return raw;
}

function bytes(raw: unknown, what: string): number {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) invalid(what, 'a whole number of bytes');
  return raw;
}

function boolean(raw: unknown, what: string): boolean {
  if (typeof raw !== 'boolean') invalid(what, 'true or false');
  return raw;
}

function oneOf<T extends string>(raw: unknown, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly unknown[]).includes(raw)) invalid(what, `one of ${allowed.join(', ')}`);
  return raw as T;
}

/** An absolute path, normalized, so '/a/../b' and '/b/' reach the service as '/b'. */
export function absolutePath(raw: unknown, what: string): string {
  const text = string(raw, what);
  if (!isAbsolutePath(text)) {
    throw new StrataError('INVALID_ARGUMENT', `${what} '${text}' is not an absolute path: start it with /.`);
  }
  return normalizeAbsolute(text);
}

function branchSpec(raw: unknown, i: number): BranchSpec {
  const r = record(raw, `branch ${i + 1}`);
  const branch: BranchSpec = {
    path: absolutePath(r.path, `Branch ${i + 1}`),
    mode: oneOf<BranchMode>(r.mode, BRANCH_MODES, `mode of branch ${i + 1}`),
  };
  if (r.minFreeSpace !== undefined) branch.minFreeSpace = bytes(r.minFreeSpace, `minimum free space of branch ${i + 1}`);
  return branch;
}

function branchList(raw: unknown): BranchSpec[] {
  if (!Array.isArray(raw) || raw.length > MAX_BRANCHES) invalid('branches', `a list of at most ${MAX_BRANCHES} branches`);
  return raw.map(branchSpec);
}

function createOverrides(raw: unknown): Partial<Record<CreateFunction, string>> {
  const r = record(raw, 'per-function create policies');
  const funcs = Object.entries(r).map(([fn, policy]) => `${oneOf(fn, CREATE_FUNCTIONS, 'create function')}=${string(policy, `policy for ${fn}`, 64)}`);
  return parseUnionOptions({ funcs }).createOverrides ?? {};
}

/** The parts of a config a patch may carry, each checked the way the CLI checks its flags. */
function configFields(r: Record<string, unknown>): UnionConfigPatch {
  const patch: UnionConfigPatch = parseUnionOptions({
    name: r.name === undefined ? undefined : string(r.name, 'name', 64),
    create: r.create === undefined ? undefined : string(r.create, 'create policy', 64),
    copyup: r.copyup === undefined ? undefined : oneOf(r.copyup, COPYUP_POLICY_NAMES, 'copy-up policy'),
    moveOnEnospc: r.moveOnEnospc === undefined ? undefined : String(r.moveOnEnospc === false ? 'false' : string(r.moveOnEnospc, 'move-on-ENOSPC policy', 64)),
    passthrough: r.passthrough === undefined ? undefined : string(r.passthrough, 'passthrough mode', 8),
  });
  if (r.branches !== undefined) patch.branches = branchList(r.branches);
  if (r.minFreeSpace !== undefined) patch.minFreeSpace = bytes(r.minFreeSpace, 'minimum free space');
  if (r.createOverrides !== undefined) patch.createOverrides = createOverrides(r.createOverrides);
  return patch;
}

export function parseUnionConfig(raw: unknown): UnionConfig {
  const r = record(raw, 'union');
  const mountpoint = absolutePath(r.mountpoint, 'Mountpoint');
  const fields = configFields(r);
  const config: UnionConfig = {
    ...defaultOptions(),
    ...fields,
    mountpoint,
    name: fields.name ?? invalid('name', 'a name'),
    branches: fields.branches ?? invalid('branches', 'a list of branches'),
    create: fields.create ?? invalid('create policy', 'a policy name'),
    copyup: fields.copyup ?? invalid('copy-up policy', `one of ${COPYUP_POLICY_NAMES.join(', ')}`),
  };
  validateBranchLayout(config.mountpoint, config.branches);
  return config;
}

export function parseUnionDefinition(raw: unknown): UnionDefinition {
  const r = record(raw, 'saved union');
  return { config: parseUnionConfig(r.config), autoMount: boolean(r.autoMount ?? false, 'auto-mount') };
}

export function parseConfigPatch(raw: unknown): UnionConfigPatch {
  const r = record(raw, 'change');
  if ('mountpoint' in r) {
    throw new StrataError('INVALID_ARGUMENT', 'A mounted union cannot move to another mountpoint: unmount it, then edit the mountpoint.');
  }
  return configFields(r);
}

/** A path inside a union as the user sees it: absolute and normalized ('/docs/a.txt'). */
function relPath(raw: unknown): string {
  return absolutePath(raw, 'Path inside the union');
}

function mountpointArg(raw: unknown): { mountpoint: string } {
  return { mountpoint: absolutePath(record(raw, 'request').mountpoint, 'Mountpoint') };
}

function none(raw: unknown): Record<string, never> {
  record(raw ?? {}, 'request');
  return {};
}

function pathList(raw: unknown): { paths: string[] } {
  const paths = record(raw, 'request').paths;
  if (!Array.isArray(paths) || paths.length > MAX_BRANCHES) invalid('paths', `a list of at most ${MAX_BRANCHES} paths`);
  return { paths: paths.map((p, i) => absolutePath(p, `Path ${i + 1}`)) };
}

type Validators = { [C in Channel]: (raw: unknown) => ArgsOf<C> };

const validators: Validators = {
  'unions:list': none,
  'unions:save': (raw) => {
    const r = record(raw, 'request');
    const args: ArgsOf<'unions:save'> = { definition: parseUnionDefinition(r.definition) };
    if (r.previousMountpoint !== undefined) args.previousMountpoint = absolutePath(r.previousMountpoint, 'Previous mountpoint');
    return args;
  },
  'unions:delete': mountpointArg,
  'unions:mount': mountpointArg,
  'unions:unmount': (raw) => {
    const force = record(raw, 'request').force;
    return { ...mountpointArg(raw), force: force === undefined ? false : boolean(force, 'force') };
  },
  'unions:setLive': (raw) => ({ ...mountpointArg(raw), patch: parseConfigPatch(record(raw, 'request').patch) }),
  'unions:where': (raw) => ({ ...mountpointArg(raw), relPath: relPath(record(raw, 'request').relPath) }),
  'unions:preview': (raw) => {
    const r = record(raw, 'request');
    return {
      config: parseUnionConfig(r.config),
      relPath: relPath(r.relPath),
      fn: r.fn === undefined ? 'create' : oneOf(r.fn, CREATE_FUNCTIONS, 'create function'),
    };
  },
  'maps:snapshot': none,
  'stats:get': mountpointArg,
  'fs:complete': (raw) => {
    const prefix = string(record(raw, 'request').prefix, 'path');
    if (!isAbsolutePath(prefix)) throw new StrataError('INVALID_ARGUMENT', `'${prefix}' is not an absolute path: start it with /.`);
    return { prefix };
  },
  'fs:space': pathList,
  'fs:check': pathList,
  'fs:pickFolder': (raw) => {
    const title = record(raw ?? {}, 'request').title;
    return title === undefined ? {} : { title: string(title, 'title', 200) };
  },
  'policies:list': none,
  'unions:export': mountpointArg,
  'unions:recover': mountpointArg,
  'settings:get': none,
  'settings:set': (raw) => ({ startAtLogin: boolean(record(raw, 'request').startAtLogin, 'start at login') }),
};

/** Checks and normalizes a request's argument; throws StrataError INVALID_ARGUMENT with a sentence. */
export function validateArgs<C extends Channel>(channel: C, raw: unknown): ArgsOf<C> {
  return (validators[channel] as (raw: unknown) => ArgsOf<C>)(raw);
}
