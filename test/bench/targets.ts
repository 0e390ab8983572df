/**
 * The filesystems a benchmark run compares, each over fresh branch directories: the raw directory,
 * Strata, and (when installed) mergerfs, unionfs-fuse and kernel overlayfs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Target {
  name: string;
  /** Directory the workloads run in. */
  dir: string;
  teardown(): void;
}

const has = (bin: string) => ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].some((d) => existsSync(join(d, bin)));
const mounted = (mnt: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === mnt);
const quiet = { stdio: 'ignore' as const };

function fuseTarget(name: string, root: string, mountCmd: [string, string[]], unmount: [string, string[]]): Target {
  const mnt = join(root, 'mnt');
  execFileSync(mountCmd[0], mountCmd[1], quiet);
  return { name, dir: mnt, teardown: () => { if (mounted(mnt)) execFileSync(unmount[0], unmount[1], quiet); } };
}

/** Fills `targets` as it goes, so the caller can tear down what was mounted even if a later mount fails. */
export function makeTargets(root: string, cli: string, targets: Target[]): void {
  const mk = (name: string) => {
    const base = join(root, name);
    for (const d of ['b0', 'b1', 'mnt', 'work']) mkdirSync(join(base, d), { recursive: true });
    return base;
  };
  const raw = mk('raw');
  targets.push({ name: 'raw dir', dir: join(raw, 'b0'), teardown: () => undefined });

  const s = mk('strata');
  targets.push(fuseTarget('strata', s,
    [process.execPath, [cli, 'mount', join(s, 'mnt'), '--branch', `${join(s, 'b0')}=rw`, '--branch', `${join(s, 'b1')}=ro`]],
    [process.execPath, [cli, 'unmount', join(s, 'mnt')]]));

  if (has('mergerfs')) {
    const m = mk('mergerfs');
    targets.push(fuseTarget('mergerfs', m,
      ['mergerfs', ['-o', 'cache.files=partial,category.create=ff,dropcacheonclose=false', `${join(m, 'b0')}:${join(m, 'b1')}=RO`, join(m, 'mnt')]],
      ['fusermount3', ['-u', join(m, 'mnt')]]));
  }
  if (has('unionfs')) {
    const u = mk('unionfs');
    targets.push(fuseTarget('unionfs-fuse', u,
      ['unionfs', ['-o', 'cow', `${join(u, 'b0')}=RW:${join(u, 'b1')}=RO`, join(u, 'mnt')]],
      ['fusermount3', ['-u', join(u, 'mnt')]]));
  }
  const o = mk('overlayfs');
  try {
    execFileSync('mount', ['-t', 'overlay', 'strata-bench', '-o', `lowerdir=${join(o, 'b1')},upperdir=${join(o, 'b0')},workdir=${join(o, 'work')}`, join(o, 'mnt')], quiet);
    targets.push({ name: 'kernel overlayfs', dir: join(o, 'mnt'), teardown: () => { if (mounted(join(o, 'mnt'))) execFileSync('umount', [join(o, 'mnt')], quiet); } });
  } catch {
    // overlayfs cannot be mounted here (no module, or nested in an overlay); the row is left out.
  }
}
