// POSIX ACLs hold through the union as on the branch's own filesystem and on kernel overlayfs: an entry
// that denies a user what the mode bits allow keeps them out, one that grants what the mode bits do not
// lets them in, for files and directories on either branch, after changes made through the union or in
// the branch itself; and a new entry takes its directory's default ACL, where the caller's umask then
// does not apply.
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type UnionFixture, asRoot, mountUnion, ok, run, unlessFuseNative } from '../support/unionFixture.ts';

const USER = 1000;
const it = unlessFuseNative('libfuse 2 cannot ask for POSIX ACLs: the kernel checks the mode bits alone');
const inherits = unlessFuseNative('libfuse 2 cannot ask for modes unmasked: the kernel applies the umask over a default ACL');

const asUser = (cmd: string, ...args: string[]) => run('setpriv', [`--reuid=${USER}`, `--regid=${USER}`, '--clear-groups', cmd, ...args]);

async function readsAsUser(path: string): Promise<boolean> {
  const r = await asUser('cat', path);
  if (r.code !== 0 && !r.stderr.includes('Permission denied')) throw new Error(`cat ${path}: ${r.stderr}`);
  return r.code === 0;
}

// Another user reaches a union only through allow_other, which a root mount has.
describe.runIf(asRoot)('POSIX ACLs through the union', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([, lower]) => {
        await chmod(dirname(lower), 0o755);
        await writeFile(`${lower}/plain`, 'no ACL\n', { mode: 0o644 });
        await writeFile(`${lower}/denied`, 'mode lets everyone read\n', { mode: 0o644 });
        await ok('setfacl', ['-m', `u:${USER}:-`, `${lower}/denied`]);
        await writeFile(`${lower}/granted`, 'mode lets nobody else read\n', { mode: 0o600 });
        await ok('setfacl', ['-m', `u:${USER}:r`, `${lower}/granted`]);
        await mkdir(`${lower}/closed`, { mode: 0o700 });
        await writeFile(`${lower}/closed/inside`, 'behind a closed directory\n', { mode: 0o644 });
        await ok('setfacl', ['-m', `u:${USER}:rx`, `${lower}/closed`]);
      },
    });
  });
  afterAll(() => u?.cleanup());

  it('keeps a user out where an ACL entry denies them, as the branch does', async () => {
    expect(await readsAsUser(u.at('plain'))).toBe(true);
    expect(await readsAsUser(u.in(1, 'denied'))).toBe(false);
    expect(await readsAsUser(u.at('denied'))).toBe(false);
  });

  it('lets a user in where an ACL entry grants what the mode bits do not', async () => {
    expect(await readsAsUser(u.in(1, 'granted'))).toBe(true);
    expect(await readsAsUser(u.at('granted'))).toBe(true);
    expect((await asUser('ls', u.at('closed'))).stdout).toBe('inside\n');
    expect(await readsAsUser(u.at('closed/inside'))).toBe(true);
  });

  it('enforces an ACL set or removed through the union at once, on the copy it made', async () => {
    await writeFile(u.at('mine'), 'readable\n', { mode: 0o644 });
    expect(await readsAsUser(u.at('mine'))).toBe(true);
    await ok('setfacl', ['-m', `u:${USER}:-`, u.at('mine')]);
    expect(await readsAsUser(u.at('mine'))).toBe(false);
    await ok('setfacl', ['-b', u.at('mine')]);
    expect(await readsAsUser(u.at('mine'))).toBe(true);
    // a lower file: copied up with its ACL, which then changes on the copy
    await ok('setfacl', ['-m', `u:${USER}:r`, u.at('denied')]);
    expect(await ok('getfacl', ['-cpn', u.in(0, 'denied')])).toContain(`user:${USER}:r--`);
    expect(await readsAsUser(u.at('denied'))).toBe(true);
    await ok('setfacl', ['-m', `u:${USER}:-`, u.at('denied')]);
    expect(await readsAsUser(u.at('denied'))).toBe(false);
  });

  it('drops the set-group-ID bit when a user outside the group sets an ACL, as the branch does', async () => {
    const ref = `${u.root}/sgid-ref`;
    for (const path of [ref, u.at('sgid')]) {
      await writeFile(path, '#!/bin/sh\n');
      await chown(path, USER, 0);
      await chmod(path, 0o2775);
      const r = await asUser('setfacl', '-m', `u:${USER + 1}:r`, path);
      expect(r.code, r.stderr).toBe(0);
    }
    const mode = async (path: string) => (await stat(path)).mode & 0o7777;
    expect(await mode(ref)).toBe(0o775);
    expect(await mode(u.at('sgid'))).toBe(0o775);
  });

  it('enforces an ACL changed in the branch itself once the union sees the change', async () => {
    await writeFile(u.in(0, 'direct'), 'changed behind the union\n', { mode: 0o644 });
    expect(await readsAsUser(u.at('direct'))).toBe(true);
    await ok('setfacl', ['-m', `u:${USER}:-`, u.in(0, 'direct')]);
    let denied = false;
    for (let i = 0; i < 50 && !denied; i++) {
      denied = !(await readsAsUser(u.at('direct')));
      if (!denied) await new Promise((r) => setTimeout(r, 100));
    }
    expect(denied).toBe(true);
  });
});

// Files, directories and FIFOs made by a shell with umask 022, in a directory with a default ACL that
// lets the group write and in one without: mode and ACL of each, as `stat` and `getfacl` show them.
const MAKE = 'umask 022; cd "$1" && for d in shared plain; do touch $d/file; mkdir $d/dir; mkfifo $d/fifo; done';
const SHOW = 'cd "$1" && for e in shared/file shared/dir shared/fifo plain/file plain/dir plain/fifo; do stat -c "%n %A" $e; getfacl -cpn $e; done';

describe.each([
  ['the FUSE thread', ['rw', 'ro'], []],
  ['the engine (round-robin creates)', ['rw', 'rw'], ['--create', 'rr']],
] as const)('new entries made by %s', (_, modes, args) => {
  let u: UnionFixture;
  let ref: string;
  beforeAll(async () => {
    u = await mountUnion({ modes: [...modes], args: [...args] });
    ref = `${u.root}/ref`;
    for (const top of [ref, ...u.branches.filter((_, i) => modes[i] === 'rw')]) {
      await mkdir(`${top}/shared`, { recursive: true });
      await mkdir(`${top}/plain`, { recursive: true });
      await ok('setfacl', ['-d', '-m', `u:${USER}:rwx,g::rwx`, `${top}/shared`]);
    }
  });
  afterAll(() => u?.cleanup());

  inherits('take the default ACL of their directory, and the umask only where there is none', async () => {
    await ok('sh', ['-c', MAKE, 'sh', ref]);
    await ok('sh', ['-c', MAKE, 'sh', u.mnt]);
    const want = await ok('sh', ['-c', SHOW, 'sh', ref]);
    expect(want).toContain('shared/file -rw-rw-r--');
    expect(want).toContain('plain/file -rw-r--r--');
    expect(await ok('sh', ['-c', SHOW, 'sh', u.mnt])).toBe(want);
  });
});
