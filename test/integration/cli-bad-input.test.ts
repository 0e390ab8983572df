/**
 * Bad input to `strata mount` gets one clear line (the problem and the fix), a non-zero status, and
 * changes nothing: no new mount, no worker left running.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupUnder, workerPidsFor } from '../support/mountCleanup.ts';
import { strata, withTempRoot } from '../support/unionFixture.ts';

let root: string;
const at = (p: string) => join(root, p);

beforeAll(async () => {
  root = await withTempRoot();
  for (const d of ['b0', 'b1', 'b0/sub', 'b0/mnt', 'mnt', 'full']) await mkdir(at(d));
  await writeFile(at('file'), 'x');
  await writeFile(at('full/keep.txt'), 'x');
  await symlink(at('b0/sub'), at('link'));
});

afterAll(async () => {
  await cleanupUnder(root);
});

type Case = [what: string, args: () => string[], status: number, message: RegExp];

const cases: Case[] = [
  ['relative branch', () => ['mount', at('mnt'), '--branch', 'b0'], 2, /Branch path 'b0' is relative: give the absolute path/],
  ['missing branch directory', () => ['mount', at('mnt'), '--branch', at('nope')], 1, /nope does not exist: create it \(mkdir -p .*\) or fix the path/],
  ['file as branch', () => ['mount', at('mnt'), '--branch', at('file')], 1, /file is not a directory: give a directory/],
  ['duplicate branch', () => ['mount', at('mnt'), '--branch', at('b0'), '--branch', `${at('b0')}/`], 2, /b0 is listed twice: list each directory once/],
  [
    'nested branch',
    () => ['mount', at('mnt'), '--branch', at('b0'), '--branch', at('b0/sub')],
    2,
    /b0\/sub is inside branch .*b0: branches must not contain each other/,
  ],
  [
    'symlinked branch resolving into another',
    () => ['mount', at('mnt'), '--branch', at('b0'), '--branch', at('link')],
    1,
    /b0\/sub is inside branch .*b0: .*\(after resolving symlinks: .*link → .*b0\/sub\)/,
  ],
  [
    'mountpoint inside a branch',
    () => ['mount', at('b0/mnt'), '--branch', at('b0')],
    2,
    /Mountpoint .*b0\/mnt is inside branch .*b0: .*choose a mountpoint outside every branch/,
  ],
  [
    'branch inside the mountpoint',
    () => ['mount', at('b0'), '--branch', at('b0/sub')],
    2,
    /Branch .*b0\/sub is inside mountpoint .*b0: .*choose another mountpoint/,
  ],
  ['mountpoint not empty', () => ['mount', at('full'), '--branch', at('b0')], 1, /Mountpoint .*full is not empty \(1 entry\): .*use an empty directory/],
  ['mountpoint missing', () => ['mount', at('nomnt'), '--branch', at('b0')], 1, /Mountpoint .*nomnt does not exist: create it/],
  ['mountpoint is a file', () => ['mount', at('file'), '--branch', at('b0')], 1, /Mountpoint .*file is not a directory/],
  ['unknown create policy', () => ['mount', at('mnt'), '--branch', at('b0'), '--create', 'fastest'], 2, /fastest/],
  ['unknown copy-up policy', () => ['mount', at('mnt'), '--branch', at('b0'), '--copyup', 'mfs'], 2, /Unknown copy-up policy 'mfs': use one of tdp, bup, bu/],
  ['unknown passthrough mode', () => ['mount', at('mnt'), '--branch', at('b0'), '--passthrough', 'on'], 2, /Unknown passthrough mode 'on': use auto, all, off/],
  [
    'bad size',
    () => ['mount', at('mnt'), '--branch', at('b0'), '--minfree', '10X'],
    2,
    /Invalid minfree '10X': 'X' is not a unit; give bytes or a number with K, M, G or T \(binary: 1K = 1024 bytes\), e.g. 10G/,
  ],
  ['bad branch mode', () => ['mount', at('mnt'), '--branch', `${at('b0')}=rx`], 2, /Unknown branch mode 'rx'.*use .*=rw, .*=ro or .*=nc/],
  ['no branch', () => ['mount', at('mnt')], 2, /No branches given: add at least one --branch DIR/],
  [
    'mountpoint name with a newline as the default name',
    () => ['mount', at('bad\nname'), '--branch', at('b0')],
    2,
    /The mountpoint's name "bad\\nname" cannot name the union .*give a name with --name NAME/,
  ],
  [
    'mountpoint name over 64 characters as the default name',
    () => ['mount', at('n'.repeat(65)), '--branch', at('b0')],
    2,
    /The mountpoint's name "n{65}" cannot name the union/,
  ],
  [
    'suggested command for a path with $(...) and spaces is quoted',
    () => ['mount', at('mnt'), '--branch', at('no such $(touch x)')],
    1,
    /create it \(mkdir -p '.*\/no such \$\(touch x\)'\) or fix the path/,
  ],
  ['unknown flag', () => ['mount', at('mnt'), '--branch', at('b0'), '--bogus'], 2, /Unknown option --bogus for strata mount: see strata help mount/],
  ['missing mountpoint', () => ['mount', '--branch', at('b0')], 2, /Missing MOUNTPOINT: usage is strata mount MOUNTPOINT/],
  ['unknown command', () => ['mnt'], 2, /Unknown command 'mnt': strata help lists the commands/],
  ['unmount of a plain directory', () => ['unmount', at('mnt')], 1, /No Strata union is mounted on .*mnt: strata list shows the mounted unions/],
];

describe('strata with bad input', () => {
  it.each(cases)('%s: one clear line, nothing changed', async (_what, args, status, message) => {
    const mountinfoBefore = await readFile('/proc/self/mountinfo', 'utf8');
    const r = await strata(args());
    expect(r.code).toBe(status);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^strata: /);
    expect(lines[0]).toMatch(message);
    expect(r.stdout).toBe('');
    const mountinfoAfter = await readFile('/proc/self/mountinfo', 'utf8');
    expect(mountinfoAfter.split('\n').filter((l) => l.includes(root))).toEqual(mountinfoBefore.split('\n').filter((l) => l.includes(root)));
    expect(await workerPidsFor(root)).toEqual([]);
  });
});

describe('a worker that fails to start', () => {
  it('reports its error as one line and leaves no mount, socket or process behind', async () => {
    const r = await strata(['mount', at('mnt'), '--branch', at('b0')], { env: { STRATA_BACKEND: 'bogus' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^strata: STRATA_BACKEND=bogus is not a backend: use native or fuse-native, or unset it\.\n$/);
    expect((await readFile('/proc/self/mountinfo', 'utf8')).includes(root)).toBe(false);
    expect(await workerPidsFor(root)).toEqual([]);
  });
});
