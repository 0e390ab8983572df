/**
 * The native libfuse 3 backend mounted for real over a passthrough. The mount is served by this
 * process, so it is only ever touched through child processes (a synchronous access from here would
 * deadlock: the answer needs this thread).
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNativeBackend } from '../../main/node/fuse/nativeBackend.ts';
import type { DirectIoOps } from '../../main/node/fuse/nativeOps.ts';
import type { FuseBackend, MountedFs, MountOptions, RequestContext } from '../../main/node/fuse/ops.ts';
import { passthroughOps } from '../unit/fuse/passthrough-ops.ts';

const run = async (cmd: string, args: string[]) => (await promisify(execFile)(cmd, args, { timeout: 20_000 })).stdout;
const loaded = loadNativeBackend();
const backend = 'unavailable' in loaded ? undefined : loaded;
const INO_BIAS = 1n << 40n;
const HUGE_STATFS = {
  bsize: 4096,
  frsize: 4096,
  blocks: 1n << 40n,
  bfree: 1n << 39n,
  bavail: (1n << 38n) + 5n,
  files: 1n << 33n,
  ffree: (1n << 32n) + 7n,
  favail: 1n << 32n,
  namemax: 255,
};

const options = (o: Partial<MountOptions> = {}): MountOptions => ({
  fsname: 'strata:native,test',
  subtype: 'strata',
  attrTimeout: 1,
  entryTimeout: 1,
  negativeTimeout: 0,
  kernelCache: false,
  passthrough: false,
  ioUring: false,
  spin: false,
  allowOther: true,
  defaultPermissions: true,
  ...o,
});

async function mountsUnder(prefix: string): Promise<string[]> {
  const lines = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n');
  return lines
    .map((l) => l.split(' '))
    .filter((f) => f[4]?.startsWith(prefix))
    .map((f) => f[4]);
}

/** Last resort for a mount whose server is stuck: abort the connection, then detach. */
async function forceUnmount(mnt: string): Promise<void> {
  const line = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === mnt);
  if (!line) return;
  const minor = line.split(' ')[2].split(':')[1];
  await writeFile(`/sys/fs/fuse/connections/${minor}/abort`, '1').catch(() => {});
  await run('umount', ['-l', mnt]).catch(() => {});
}

interface Fixture {
  root: string;
  branch: string;
  mnt: string;
  fs?: MountedFs;
}

async function fixture(): Promise<Fixture> {
  const root = await mkdtemp('/tmp/strata-native-');
  const branch = join(root, 'branch'),
    mnt = join(root, 'mnt');
  await mkdir(branch);
  await mkdir(mnt);
  // Lets the unprivileged caller in the context test reach and write the mount.
  await chmod(root, 0o755);
  await chmod(branch, 0o777);
  return { root, branch, mnt };
}

async function teardown(f: Fixture | undefined): Promise<void> {
  if (!f) return;
  await f.fs?.unmount().catch(() => forceUnmount(f.mnt));
  await forceUnmount(f.mnt);
  await rm(f.root, { recursive: true, force: true });
}

beforeAll(async () => {
  for (const mnt of await mountsUnder('/tmp/strata-native-')) await forceUnmount(mnt);
});

describe.skipIf(!backend)('native backend', () => {
  const f = {} as Fixture;
  const seen = { writeSizes: [] as number[], contexts: [] as RequestContext[] };

  beforeAll(async () => {
    Object.assign(f, await fixture());
    const ops = passthroughOps(f.branch);
    const instrumented: DirectIoOps = {
      ...ops,
      // Inode numbers past 2^32 must reach stat(2) unchanged.
      getattr: async (path, fh) => {
        const st = await ops.getattr(path, fh);
        return { ...st, ino: st.ino + INO_BIAS };
      },
      statfs: async () => HUGE_STATFS,
      write: (path, fh, buf, length, position) => {
        seen.writeSizes.push(length);
        return ops.write(path, fh, buf, length, position);
      },
      mkdir: (path, mode, ctx) => {
        if (ctx) seen.contexts.push(ctx);
        return ops.mkdir(path, mode, ctx);
      },
    };
    f.fs = await backend!.mount(f.mnt, instrumented, options());
  });
  afterAll(() => teardown(f));

  it('shows up in mountinfo with its fsname and type', async () => {
    const line = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === f.mnt);
    expect(line).toMatch(/ - fuse\.strata strata:native,test /);
  });

  it('writes and reads through the mount', async () => {
    await run('sh', ['-c', `echo hello > ${f.mnt}/greeting`]);
    expect(await run('cat', [`${f.mnt}/greeting`])).toBe('hello\n');
    expect(await readFile(join(f.branch, 'greeting'), 'utf8')).toBe('hello\n');
    expect((await run('ls', ['-a', f.mnt])).split('\n')).toEqual(expect.arrayContaining(['.', '..', 'greeting']));
  });

  it('delivers mtime-only and atime-only updates to the nanosecond', async () => {
    await writeFile(join(f.branch, 'times'), '');
    const before = await lstat(join(f.branch, 'times'), { bigint: true });
    await run('touch', ['-m', '-d', '@981173106.123456789', `${f.mnt}/times`]);
    let after = await lstat(join(f.branch, 'times'), { bigint: true });
    expect(after.mtimeNs).toBe(981173106123456789n);
    expect(after.atimeNs).toBe(before.atimeNs);
    await run('touch', ['-a', '-d', '@1000000000.5', `${f.mnt}/times`]);
    after = await lstat(join(f.branch, 'times'), { bigint: true });
    expect(after.atimeNs).toBe(1000000000500000000n);
    expect(after.mtimeNs).toBe(981173106123456789n);
  });

  it('passes 64-bit inode numbers', async () => {
    await writeFile(join(f.branch, 'ino'), '');
    const real = (await lstat(join(f.branch, 'ino'), { bigint: true })).ino;
    expect(BigInt((await run('stat', ['-c', '%i', `${f.mnt}/ino`])).trim())).toBe(real + INO_BIAS);
  });

  it('passes 64-bit statfs counters', async () => {
    const [blocks, bfree, bavail, files, ffree, frsize] = (await run('stat', ['-f', '-c', '%b %f %a %c %d %S', f.mnt])).trim().split(' ');
    expect([blocks, bfree, bavail, files, ffree, frsize]).toEqual(
      [HUGE_STATFS.blocks, HUGE_STATFS.bfree, HUGE_STATFS.bavail, HUGE_STATFS.files, HUGE_STATFS.ffree, HUGE_STATFS.frsize].map(String),
    );
    const size = (await run('df', ['-B1', '--output=size', f.mnt])).trim().split('\n')[1].trim();
    expect(size).toBe(String(HUGE_STATFS.blocks * 4096n));
  });

  it('makes FIFOs with mknod', async () => {
    await run('mkfifo', [`${f.mnt}/fifo`]);
    expect((await lstat(join(f.branch, 'fifo'))).isFIFO()).toBe(true);
  });

  it("gives ops the caller's uid, gid and pid", async () => {
    await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'mkdir', `${f.mnt}/nobodys`]);
    const st = await lstat(join(f.branch, 'nobodys'));
    expect([st.uid, st.gid]).toEqual([65534, 65534]);
    const ctx = seen.contexts.at(-1)!;
    expect(ctx).toMatchObject({ uid: 65534, gid: 65534 });
    expect(ctx.pid).toBeGreaterThan(0);
  });

  it('round-trips xattrs', async () => {
    await writeFile(join(f.branch, 'attrs'), '');
    await run('setfattr', ['-n', 'user.colour', '-v', 'blue', `${f.mnt}/attrs`]);
    expect(await run('getfattr', ['--only-values', '-n', 'user.colour', join(f.branch, 'attrs')])).toBe('blue');
    expect(await run('getfattr', ['--only-values', '-n', 'user.colour', `${f.mnt}/attrs`])).toBe('blue');
    expect(await run('getfattr', ['-d', '--absolute-names', `${f.mnt}/attrs`])).toContain('user.colour="blue"');
    await expect(run('getfattr', ['-n', 'user.none', `${f.mnt}/attrs`])).rejects.toThrow(/No such attribute/);
    await run('setfattr', ['-x', 'user.colour', `${f.mnt}/attrs`]);
    expect(await run('getfattr', ['-d', '--absolute-names', join(f.branch, 'attrs')])).toBe('');
  });

  it('passes rename flags (RENAME_EXCHANGE)', async () => {
    await writeFile(join(f.branch, 'left'), 'L');
    await writeFile(join(f.branch, 'right'), 'R');
    const exchange =
      'import ctypes,sys; c=ctypes.CDLL(None,use_errno=True); r=c.renameat2(-100,sys.argv[1].encode(),-100,sys.argv[2].encode(),2); sys.exit(ctypes.get_errno() if r else 0)';
    await run('python3', ['-c', exchange, `${f.mnt}/left`, `${f.mnt}/right`]);
    expect(await readFile(join(f.branch, 'left'), 'utf8')).toBe('R');
    expect(await readFile(join(f.branch, 'right'), 'utf8')).toBe('L');
  });

  it('fallocates, truncates and writes in big requests', async () => {
    await run('fallocate', ['-l', '1MiB', `${f.mnt}/alloc`]);
    expect((await lstat(join(f.branch, 'alloc'))).size).toBe(1 << 20);
    await run('truncate', ['-s', '10', `${f.mnt}/alloc`]);
    expect((await lstat(join(f.branch, 'alloc'))).size).toBe(10);
    seen.writeSizes.length = 0;
    await run('dd', ['if=/dev/urandom', `of=${f.mnt}/big`, 'bs=1M', 'count=4', 'status=none']);
    expect(Math.max(...seen.writeSizes)).toBeGreaterThan(128 * 1024);
    await run('cmp', [`${f.mnt}/big`, join(f.branch, 'big')]);
  });

  it('changes modes through descriptors of files and of directories', async () => {
    await mkdir(join(f.branch, 'dir'));
    await writeFile(join(f.branch, 'dir', 'file'), '');
    // A directory's fchmod carries libfuse's own handle, which must not be taken for a file's fh.
    const fchmod = 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.fchmod(fd, int(sys.argv[2], 8)); os.close(fd)';
    await run('python3', ['-c', fchmod, `${f.mnt}/dir`, '700']);
    await run('python3', ['-c', fchmod, `${f.mnt}/dir/file`, '600']);
    expect((await lstat(join(f.branch, 'dir'))).mode & 0o7777).toBe(0o700);
    expect((await lstat(join(f.branch, 'dir', 'file'))).mode & 0o7777).toBe(0o600);
  });

  it('keeps serving a file unlinked while open, and removes it on close', async () => {
    await writeFile(join(f.branch, 'doomed'), 'still here');
    expect(await run('sh', ['-c', `exec 3<${f.mnt}/doomed; rm ${f.mnt}/doomed; stat -L -c %s /dev/fd/3; cat <&3`])).toBe('10\nstill here');
    await expect.poll(() => readdir(f.branch)).not.toEqual(expect.arrayContaining([expect.stringMatching(/doomed|fuse_hidden/)]));
  });
});

describe.skipIf(!backend)('native backend with branch descriptors and kernel cache', () => {
  const f = {} as Fixture;
  const jsCalls = { read: 0, write: 0 };

  beforeAll(async () => {
    Object.assign(f, await fixture());
    const ops = passthroughOps(f.branch, { directIo: true });
    const counted: DirectIoOps = {
      ...ops,
      read: (...a) => {
        jsCalls.read++;
        return ops.read(...a);
      },
      write: (...a) => {
        jsCalls.write++;
        return ops.write(...a);
      },
    };
    f.fs = await backend!.mount(f.mnt, counted, options({ kernelCache: true, attrTimeout: 60, entryTimeout: 60 }));
  });
  afterAll(() => teardown(f));

  it('reads and writes natively without entering JS', async () => {
    await run('dd', ['if=/dev/urandom', `of=${f.mnt}/data`, 'bs=64k', 'count=16', 'status=none']);
    await run('cmp', [`${f.mnt}/data`, join(f.branch, 'data')]);
    expect(jsCalls).toEqual({ read: 0, write: 0 });
  });

  it('invalidate() drops cached data changed behind the mount', async () => {
    // A reader keeps the file open: its cached pages are not checked again until invalidated. (Each
    // open drops them here, as no directory of these passthrough ops is watched.)
    await writeFile(join(f.branch, 'cached'), 'old!');
    const reader = spawn(
      'python3',
      ['-u', '-c', 'import os,sys\nfd=os.open(sys.argv[1],os.O_RDONLY)\nfor _ in sys.stdin: print(os.pread(fd,3,0).decode())', `${f.mnt}/cached`],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines: string[] = [];
    reader.stdout.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    const head = async () => {
      const seen = lines.length;
      reader.stdin.write('\n');
      await expect.poll(() => lines.length, { timeout: 5000 }).toBe(seen + 1);
      return lines[seen];
    };
    try {
      expect(await head()).toBe('old');
      await writeFile(join(f.branch, 'cached'), 'new!');
      expect(await head()).toBe('old');
      f.fs!.invalidate!('/cached');
      await expect.poll(head, { timeout: 5000 }).toBe('new');
    } finally {
      reader.kill();
    }
  });

  it('reports EBUSY while in use, then unmounts and cleans up', async () => {
    const holder = spawn('sleep', ['60'], { cwd: f.mnt, stdio: 'ignore' });
    await new Promise((resolve) => holder.once('spawn', resolve));
    try {
      await expect(f.fs!.unmount()).rejects.toMatchObject({ code: 'EBUSY' });
      expect(await mountsUnder(f.mnt)).toEqual([f.mnt]);
    } finally {
      holder.kill();
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    await f.fs!.unmount();
    expect(await mountsUnder(f.mnt)).toEqual([]);
    await f.fs!.unmount();
  });
});

it('rejects a mountpoint that does not exist', async () => {
  if (!backend) return;
  await expect((backend as FuseBackend).mount('/tmp/strata-native-missing/nope', passthroughOps('/tmp'), options())).rejects.toMatchObject({ code: 'ENOENT' });
});
