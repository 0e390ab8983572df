// New entries belong to whoever made them through the union: the worker (root) creates them and gives
// them to the caller (for a file, in the same pool job as its open; see native/sys openStat), also where
// the parent first has to be copied up from a read-only branch.
import { chmod, lstat, mkdir, readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, asRoot, mountUnion, ok, unlessFuseNative } from '../support/unionFixture.ts';

const callerIt = unlessFuseNative("the caller's uid and gid never arrive, so new entries belong to the worker's user");

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const asNobody = (script: string, ...args: string[]) => ok('setpriv', [...NOBODY, 'sh', '-c', script, 'sh', ...args]);

// A root worker and callers of other users: root's to set up (an ordinary user's union makes its own entries).
describe.runIf(asRoot)('ownership of new entries', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([b0, b1]) => {
        await mkdir(`${b0}/public`);
        await chmod(`${b0}/public`, 0o1777);
        await mkdir(`${b1}/shared`);
        await chmod(`${b1}/shared`, 0o1777);
      },
    });
    await chmod(u.root, 0o755); // let nobody reach the mountpoint
  });
  afterAll(() => u?.cleanup());

  callerIt('a file created by another user is theirs on the branch, and writable through the new handle', async () => {
    await asNobody('echo hi > "$1"', u.at('public/mine'));
    const st = await lstat(u.in(0, 'public/mine'));
    expect([st.uid, st.gid]).toEqual([65534, 65534]);
    expect(await readFile(u.in(0, 'public/mine'), 'utf8')).toBe('hi\n');
    expect((await stat(u.at('public/mine'))).uid).toBe(65534);
  });

  callerIt('a directory made by another user is theirs', async () => {
    await asNobody('mkdir "$1"', u.at('public/dir'));
    const st = await lstat(u.in(0, 'public/dir'));
    expect([st.uid, st.gid, st.isDirectory()]).toEqual([65534, 65534, true]);
  });

  callerIt('a file created in a directory only a read-only branch has: parent copied up, file theirs', async () => {
    await asNobody('echo there > "$1"', u.at('shared/theirs'));
    const dir = await lstat(u.in(0, 'shared'));
    expect(dir.mode & 0o7777).toBe(0o1777);
    const st = await lstat(u.in(0, 'shared/theirs'));
    expect([st.uid, st.gid]).toEqual([65534, 65534]);
    expect(await readFile(u.at('shared/theirs'), 'utf8')).toBe('there\n');
  });

  it("root's own creates stay root's", async () => {
    await ok('sh', ['-c', ': > "$1"', 'sh', u.at('public/roots')]);
    expect((await lstat(u.in(0, 'public/roots'))).uid).toBe(0);
  });
});
