// A write, a truncation or an O_TRUNC open by a caller without CAP_FSETID drops a file's set-user-ID
// bit, and its set-group-ID bit when the group may execute it or the caller is outside the group;
// a write drops its file capabilities. Strata asks the kernel to leave this to
// it (FUSE_HANDLE_KILLPRIV_V2), which spares a security.capability round trip per write; each case here
// runs on a plain directory of the same filesystem and through the union, and the modes must agree,
// with FUSE passthrough and without (and, run as an ordinary user, on that user's union).
import { chmod, chown, lstat, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlRequest } from '../../main/node/control/controlClient.ts';
import { type UnionFixture, asRoot, mountUnion, ok, unlessFuseNative } from '../support/unionFixture.ts';

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
/**
 * Runs `script` on `path` as a caller without CAP_FSETID: nobody where root can switch to them, else the
 * user running the tests, who owns the files and is in their group.
 */
const asCaller = (script: string, path: string) => (asRoot ? ok('setpriv', [...NOBODY, 'sh', '-c', script, 'sh', path]) : ok('sh', ['-c', script, 'sh', path]));

/** Shell scripts given the file as $1. */
const CHANGES: Record<string, string> = {
  'an appending write': 'printf x >> "$1"',
  'a write in place': 'printf y | dd of="$1" conv=notrunc status=none',
  'an O_TRUNC open': ': > "$1"',
  'truncate(2) on an open file': 'truncate -s 1 "$1"',
};
// Set-user-ID, set-group-ID with group execute, and both; writable by everyone so nobody can write.
const MODES = [0o4777, 0o2777, 0o6777];
// Set-group-ID without group execute goes only for a caller outside the file's group.
const NO_GROUP_EXEC = 0o2767;

// libfuse 3.14 does not take FUSE_HANDLE_KILLPRIV_V2, so the kernel decides alone.
const killprivIt = unlessFuseNative('the kernel asks for security.capability before every write');
const groupIt = unlessFuseNative('the kernel keeps set-group-ID without group execute for a caller outside the group');

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;

describe.each([
  ['with passthrough', {}],
  ['without passthrough', { STRATA_PASSTHROUGH: '0' }],
])('set-ID bits through the union, %s', (_, extraEnv) => {
  let u: UnionFixture;
  let plain: string;
  const cases = Object.keys(CHANGES).flatMap((change, c) => [...MODES, NO_GROUP_EXEC].map((mode) => ({ change, mode, name: `f${c}-${mode.toString(8)}` })));

  /** Runs `script` as the caller on each case's file, on the plain directory and through the union. */
  async function compare(script: string, files: { mode: number; name: string }[]): Promise<void> {
    for (const { mode, name } of files) {
      // Looked up first, so the kernel knows the mode it decides from.
      expect(await modeOf(u.at(name))).toBe(mode);
      await asCaller(script, join(plain, name));
      await asCaller(script, u.at(name));
      const expected = await modeOf(join(plain, name));
      expect(expected, `${name} on the plain directory`).not.toBe(mode);
      expect((await lstat(u.in(0, name))).mode & 0o7777, `${name} on the branch`).toBe(expected);
      expect(await modeOf(u.at(name)), `${name} through the union`).toBe(expected);
    }
  }

  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw'],
      env: { ...process.env, ...extraEnv },
      populate: async ([b0]) => {
        for (const { mode, name } of cases) {
          await writeFile(join(b0, name), 'data');
          await chmod(join(b0, name), mode);
        }
      },
    });
    plain = join(u.root, 'plain');
    await mkdir(plain);
    await chmod(u.root, 0o755);
    for (const { mode, name } of cases) {
      await writeFile(join(plain, name), 'data');
      await chmod(join(plain, name), mode);
    }
  });
  afterAll(() => u?.cleanup());

  for (const [change, script] of Object.entries(CHANGES)) {
    const of = (k: { change: string; mode: number }) => k.change === change && k.mode !== NO_GROUP_EXEC;
    it(`${change} by a caller without CAP_FSETID drops them as the branch's filesystem does`, () => compare(script, cases.filter(of)));
  }

  // Only root can make a file whose group the caller is outside of, and switch to that caller.
  (asRoot ? groupIt : it.skip)('set-group-ID without group execute goes for a caller outside the group, as on the branch', async () => {
    for (const [change, script] of Object.entries(CHANGES))
      await compare(
        script,
        cases.filter((k) => k.change === change && k.mode === NO_GROUP_EXEC),
      );
  });

  it("a caller in the file's group keeps set-group-ID without group execute, as on the branch's filesystem", async () => {
    for (const [c, [change, script]] of Object.entries(CHANGES).entries()) {
      const name = `ingroup-${c}`;
      for (const path of [u.in(0, name), join(plain, name)]) {
        await writeFile(path, 'data');
        // Root's file in nobody's group; an ordinary user's own file is in that user's group already.
        if (asRoot) await chown(path, 0, 65534);
        await chmod(path, 0o2767);
      }
      await asCaller(script, join(plain, name));
      await asCaller(script, u.at(name));
      expect(await modeOf(join(plain, name)), change).toBe(0o2767);
      expect(await modeOf(u.at(name)), change).toBe(0o2767);
    }
  });

  // Setting file capabilities takes CAP_SETFCAP.
  it.runIf(asRoot)('a write by another user drops file capabilities', async () => {
    // VFS_CAP_REVISION_2, effective, CAP_NET_RAW permitted.
    const caps = 'import os,struct,sys\nfor p in sys.argv[1:]: os.setxattr(p,"security.capability",struct.pack("<5I",0x02000001,1<<13,0,0,0))';
    await writeFile(u.in(0, 'capped'), 'data');
    await chmod(u.in(0, 'capped'), 0o777);
    await ok('python3', ['-c', caps, u.in(0, 'capped')]);
    await ok('setpriv', [...NOBODY, 'sh', '-c', 'printf x >> "$1"', 'sh', u.at('capped')]);
    const names = 'import os,sys\nprint(",".join(os.listxattr(sys.argv[1])))';
    expect((await ok('python3', ['-c', names, u.in(0, 'capped')])).trim()).toBe('');
  });

  it.runIf(asRoot)("root's write keeps them, as CAP_FSETID does", async () => {
    await writeFile(u.in(0, 'roots'), 'data');
    await chmod(u.in(0, 'roots'), 0o6755);
    await ok('sh', ['-c', 'printf x >> "$1"', 'sh', u.at('roots')]);
    expect(await modeOf(u.at('roots'))).toBe(0o6755);
    expect(await ok('cat', [u.at('roots')])).toBe('datax');
  });

  killprivIt('many writes to one file ask the kernel for security.capability once, not per write', async () => {
    const before = await controlRequest(u.mnt, { op: 'stats' });
    const script = 'import os,sys\nfd=os.open(sys.argv[1],os.O_WRONLY|os.O_CREAT,0o644)\nfor i in range(200): os.write(fd,b"x"*4096)\nos.close(fd)';
    await ok('python3', ['-c', script, u.at('many')]);
    const after = await controlRequest(u.mnt, { op: 'stats' });
    expect((after.ops.getxattr ?? 0) - (before.ops.getxattr ?? 0)).toBeLessThanOrEqual(2);
    expect((await stat(u.in(0, 'many'))).size).toBe(200 * 4096);
  });
});
