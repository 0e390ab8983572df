/**
 * A private mount namespace where `strata` is on mount(8)'s PATH. mount(8) runs its helpers with a
 * cleaned environment (no PATH), so mount.fuse3's `sh -c 'strata ...'` searches only the shell's
 * default path (/usr/local/sbin first). Binding a directory holding a `strata` symlink to this
 * checkout's dist/cli.js over /usr/local/sbin, inside a namespace of our own, tests the real chain
 * (mount → mount.fuse3 → sh → strata) without installing anything on the machine. The namespace is
 * private, so none of its mounts propagate out, and a mount made in it lives only there.
 */
import { spawn } from 'node:child_process';
import { mkdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMountInfo, type MountInfoEntry } from '../../main/common/mountinfo.ts';
import { waitUntil } from './mountCleanup.ts';
import { CLI, ok, run, type RunResult } from './unionFixture.ts';

export interface MountNamespace {
  pid: number;
  /** Runs a program inside the namespace (never through a shell). */
  run(cmd: string, args: string[], opts?: Parameters<typeof run>[2]): Promise<RunResult>;
  strata(args: string[]): Promise<RunResult>;
  mounts(): Promise<MountInfoEntry[]>;
  close(): Promise<void>;
}

export async function openMountNamespace(root: string): Promise<MountNamespace> {
  const bin = join(root, 'bin');
  await mkdir(bin, { recursive: true });
  await symlink(CLI, join(bin, 'strata'));
  const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', '3600'], { stdio: 'ignore' });
  const pid = holder.pid!;
  const ownNs = await readlink('/proc/self/ns/mnt');
  await waitUntil('the namespace exists', async () => (await readlink(`/proc/${pid}/ns/mnt`).catch(() => ownNs)) !== ownNs);
  const inNs = (cmd: string, args: string[], opts?: Parameters<typeof run>[2]) => run('nsenter', ['-t', String(pid), '-m', '--', cmd, ...args], opts);
  await ok('nsenter', ['-t', String(pid), '-m', '--', 'mount', '--bind', bin, '/usr/local/sbin']);
  return {
    pid,
    run: inNs,
    strata: (args) => inNs(process.execPath, [CLI, ...args]),
    mounts: async () => parseMountInfo((await inNs('cat', ['/proc/self/mountinfo'])).stdout),
    close: async () => {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    },
  };
}
