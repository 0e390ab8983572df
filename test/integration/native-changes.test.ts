/**
 * Changes the native backend makes without the engine: attributes of a copy on a branch written in
 * place, and unlink and rmdir with their whiteouts. Every request that reaches the engine for the names
 * these tests change is held unanswered (STRATA_TEST_HANG), so each change can only finish if the FUSE
 * threads made it themselves; a change that went to the engine fails the test instead of hanging it.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UnionFixture, forceUnmount, mountUnion, ok } from '../support/unionFixture.ts';

const HELD = ['/f', '/w', '/link', '/both', '/gone', '/fresh', '/full', '/lower.txt'];

/**
 * Runs `call` on `p` = `path` in python3 and says 'ok', the errno's name, or 'held' if it has not finished
 * within 5 s (a request the engine holds cannot be interrupted once taken: the caller stays until the
 * clean-up aborts the mount's requests). The engine publishes a directory to the FUSE threads for a
 * second after it looks up a name in it, so the same process first looks up a name never seen in the
 * path's directory.
 */
function bounded(call: string, path: string): Promise<string> {
  const script = [
    'import errno, os, sys',
    'p = sys.argv[1]',
    'os.path.lexists(os.path.join(os.path.dirname(p), ".never-%s" % os.urandom(8).hex()))',
    'try:',
    `    ${call}`,
    '    print("ok")',
    'except OSError as e:',
    '    print(errno.errorcode[e.errno])',
  ].join('\n');
  const child = spawn('python3', ['-c', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('held'), 5000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out.trim());
    });
  });
}

/**
 * A held request is never answered, and a worker not yet reported hung (5 s) is only detached by
 * `strata unmount --force`, which would leave it and the held caller waiting for good: the mount's
 * requests are aborted first.
 */
async function cutOff(u: UnionFixture | undefined): Promise<void> {
  if (!u) return;
  await forceUnmount(u.mnt);
  await u.cleanup();
}

describe('changes made natively, with the engine held', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      env: { STRATA_TEST_HANG: HELD.join(':') },
      populate: async ([upper, lower]) => {
        await writeFile(`${upper}/f`, 'sixteen bytes..\n');
        await writeFile(`${upper}/w`, 'old contents\n');
        await symlink('f', `${upper}/link`);
        await writeFile(`${upper}/both`, 'upper\n');
        await writeFile(`${lower}/both`, 'lower\n');
        await writeFile(`${lower}/lower.txt`, 'lower\n');
        // Looks empty through the union (its one lower entry whited out), but a lower copy shows through.
        await mkdir(`${upper}/gone`);
        await writeFile(`${upper}/gone/.wh.x`, '');
        await writeFile(`${upper}/gone/.wh..wh..opq`, '');
        await mkdir(`${lower}/gone`);
        await writeFile(`${lower}/gone/x`, 'hidden\n');
        await mkdir(`${upper}/fresh`);
        await writeFile(`${upper}/fresh/.wh.y`, '');
        await mkdir(`${lower}/fresh`);
        await mkdir(`${upper}/full`);
        await writeFile(`${upper}/full/kept`, 'kept\n');
        await mkdir(`${upper}/again`);
        await mkdir(`${lower}/again`);
        await writeFile(`${lower}/again/old`, 'old\n');
        await writeFile(`${upper}/again/.wh.old`, '');
      },
    });
  });
  afterAll(() => cutOff(u));

  it('changes mode, owner, size and times of a file on the writable branch', async () => {
    const f = u.at('f');
    expect(await bounded('os.chmod(p, 0o600)', f)).toBe('ok');
    expect(await bounded('os.chown(p, 1234, 2345)', f)).toBe('ok');
    expect(await bounded('os.truncate(p, 7)', f)).toBe('ok');
    expect(await bounded('os.utime(p, (1, 1000000000))', f)).toBe('ok');
    const st = statSync(u.in(0, 'f'));
    expect([st.mode & 0o7777, st.uid, st.gid, st.size, st.mtimeMs]).toEqual([0o600, 1234, 2345, 7, 1e12]);
  });

  it('opens a file of the writable branch for writing, truncating or appending', async () => {
    expect(await bounded('open(p, "w").write("new\\n")', u.at('w'))).toBe('ok');
    expect(await bounded('open(p, "a").write("more\\n")', u.at('w'))).toBe('ok');
    expect(readFileSync(u.in(0, 'w'), 'utf8')).toBe('new\nmore\n');
  });

  it('changes the owner of a symlink itself, never its target', async () => {
    expect(await bounded('os.lchown(p, 4321, 4321)', u.at('link'))).toBe('ok');
    expect(lstatSync(u.in(0, 'link')).uid).toBe(4321);
    expect(statSync(u.in(0, 'f')).uid).toBe(1234);
  });

  it('whites out a lower copy in the writable branch before removing the upper one', async () => {
    expect(await bounded('os.unlink(p)', u.at('both'))).toBe('ok');
    expect(existsSync(u.in(0, 'both'))).toBe(false);
    expect(statSync(u.in(0, '.wh.both')).size).toBe(0);
    expect(existsSync(u.in(1, 'both'))).toBe(true);
    expect(existsSync(u.at('both'))).toBe(false);
  });

  // A directory is published once a name in it is looked up.
  const rmdir = (dir: string) => bounded('os.path.lexists(p + "/absent"); os.rmdir(p)', u.at(dir));

  it('removes a directory the union shows empty with its whiteouts and marker, and whites out its lower copy', async () => {
    expect(await rmdir('gone')).toBe('ok');
    expect(existsSync(u.in(0, 'gone'))).toBe(false);
    expect(existsSync(u.in(0, '.wh.gone'))).toBe(true);
    expect(await readdir(u.in(1, 'gone'))).toEqual(['x']);
    expect(existsSync(u.at('gone'))).toBe(false);
  });

  it('removes a directory only its parent was looked up in, finding its copies by the lookup rule', async () => {
    expect(await bounded('os.rmdir(p)', u.at('fresh'))).toBe('ok');
    expect([existsSync(u.in(0, 'fresh')), existsSync(u.in(0, '.wh.fresh')), existsSync(u.in(1, 'fresh'))]).toEqual([false, true, true]);
  });

  it('refuses a directory that is not empty', async () => {
    expect(await rmdir('full')).toBe('ENOTEMPTY');
    expect(await readdir(u.at('full'))).toEqual(['kept']);
  });

  it('lets a directory it removed be made again, new and opaque', async () => {
    expect(await rmdir('again')).toBe('ok');
    await ok('mkdir', [u.at('again')]);
    expect(await readdir(u.at('again'))).toEqual([]);
    await writeFile(u.at('again/new'), 'new\n');
    expect(await readdir(u.at('again'))).toEqual(['new']);
    expect(await readdir(u.in(1, 'again'))).toEqual(['old']);
  });

  it('leaves a file on the read-only branch to the engine, which copies it up', async () => {
    // Last: the held caller stays until the clean-up.
    expect(await bounded('os.chmod(p, 0o600)', u.at('lower.txt'))).toBe('held');
    expect(statSync(u.in(1, 'lower.txt')).mode & 0o777).toBe(0o644);
  });
});

describe('with moveonenospc on', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw'],
      args: ['--moveonenospc', 'mfs'],
      env: { STRATA_TEST_HANG: '/moving' },
      populate: async ([upper]) => writeFile(`${upper}/moving`, 'may move\n'),
    });
  });
  afterAll(() => cutOff(u));

  // The engine may be moving the file to another branch: removing its copy behind the engine's back
  // would leave the moved one standing.
  it('leaves every removal to the engine', async () => {
    expect(await bounded('os.unlink(p)', u.at('moving'))).toBe('held');
    expect(existsSync(u.in(0, 'moving'))).toBe(true);
  });
});
