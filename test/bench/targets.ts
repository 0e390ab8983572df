/**
 * The filesystems a benchmark run compares, each over fresh branch directories: the raw directory,
 * Strata, and (when installed) mergerfs, unionfs-fuse and kernel overlayfs; plus a second mergerfs
 * binary with FUSE passthrough when the run is given one.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { sleepSync } from './fixtures.ts';

export interface Target {
  name: string;
  /** Directory the workloads run in. */
  dir: string;
  /**
   * The writable and the read-only branch, where fixtures are laid down directly rather than through the
   * union; both are `dir` for the raw directory. Fixtures go under names the union has never looked up,
   * which overlayfs allows for changes made underneath it.
   */
  upper: string;
  lower: string;
  teardown(): void;
  /** For a FUSE target: when its server has died, mounts it again over the same branches and says so. */
  revive?(): boolean;
  /** Strata's: `strata set` with these options on its union (the others take none live). */
  set?(options: string[]): void;
}

export interface TargetOptions {
  /** A second mergerfs binary, run with `passthrough.io=rw` (mergerfs 2.40+ on Linux 6.9+, as root). */
  mergerfs2?: string;
}

const has = (bin: string) => ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].some((d) => existsSync(join(d, bin)));
const mounted = (mnt: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === mnt);
const quiet = { stdio: 'ignore' as const };
/**
 * A FUSE mount whose server died is still in the mount table, and the kernel may still answer a stat from
 * its attribute cache; statfs always reaches the server, so it fails (ENOTCONN).
 */
const answers = (mnt: string) => {
  try {
    statfsSync(mnt);
    return true;
  } catch {
    return false;
  }
};

/** Fresh `b0` (upper), `b1` (lower), `mnt` and `work` under root/name. */
function branches(root: string, name: string) {
  const base = join(root, name);
  for (const d of ['b0', 'b1', 'mnt', 'work']) mkdirSync(join(base, d), { recursive: true });
  return { upper: join(base, 'b0'), lower: join(base, 'b1'), mnt: join(base, 'mnt'), work: join(base, 'work') };
}

type Branches = ReturnType<typeof branches>;

function fuseTarget(name: string, b: Branches, mount: () => void, unmount: () => void): Target {
  mount();
  return {
    name,
    dir: b.mnt,
    upper: b.upper,
    lower: b.lower,
    teardown: unmount,
    revive() {
      if (answers(b.mnt)) return false;
      unmount();
      mount();
      return true;
    },
  };
}

/** Gone, or a zombie: the bench's children are reaped only once its synchronous work is done. */
function exited(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return true;
  }
}

const DAEMON_EXIT_MS = 5000;
const POLL_MS = 50;

/** After its unmount, a reference server gets DAEMON_EXIT_MS to exit; then it is ended, by its pid. */
function stopDaemon(pid: number): void {
  for (let waited = 0; !exited(pid); waited += POLL_MS) {
    if (waited >= DAEMON_EXIT_MS) return void process.kill(pid, 'SIGKILL');
    sleepSync(POLL_MS);
  }
}

/**
 * A reference FUSE server (mergerfs, unionfs-fuse) run in the foreground (`-f`), so that the bench holds
 * its pid and sees it go: mergerfs 2.42 once stayed on after its mount was gone, holding /dev/fuse.
 */
function daemonTarget(name: string, b: Branches, [cmd, args]: [string, string[]]): Target {
  const log = join(b.work, 'stderr');
  let pid = 0;
  const start = () => {
    const err = openSync(log, 'w');
    const child = spawn(cmd, ['-f', ...args], { stdio: ['ignore', 'ignore', err], detached: true });
    closeSync(err);
    child.on('error', () => undefined);
    child.unref();
    pid = child.pid ?? 0;
    for (let waited = 0; !mounted(b.mnt); waited += POLL_MS) {
      if (pid === 0 || exited(pid) || waited >= 10_000) {
        if (pid !== 0) stopDaemon(pid);
        throw new Error(`${cmd} did not mount ${b.mnt}: ${readFileSync(log, 'utf8').trim()}`);
      }
      sleepSync(POLL_MS);
    }
  };
  const stop = () => {
    try {
      if (mounted(b.mnt)) execFileSync('fusermount3', ['-u', b.mnt], quiet);
    } catch {
      // Busy: detached now, so ending the server below cannot leave a dead mount behind.
      execFileSync('fusermount3', ['-u', '-z', b.mnt], quiet);
    } finally {
      stopDaemon(pid);
    }
  };
  return fuseTarget(name, b, start, stop);
}

/** `mergerfs v2.42.0` → `2.42`, so the column says which mergerfs it is. */
function mergerfsVersion(bin: string): string {
  const out = execFileSync(bin, ['--version'], { encoding: 'utf8' });
  return /v?(\d+\.\d+)/.exec(out)?.[1] ?? '?';
}

function mergerfs(name: string, bin: string, b: Branches, extra: string[]): Target {
  const opts = ['cache.files=partial', 'category.create=ff', 'dropcacheonclose=false', ...extra].join(',');
  return daemonTarget(name, b, [bin, ['-o', opts, `${b.upper}:${b.lower}=RO`, b.mnt]]);
}

/** Fills `targets` as it goes, so the caller can tear down what was mounted even if a later mount fails. */
export function makeTargets(root: string, cli: string, targets: Target[], options: TargetOptions = {}): void {
  const raw = branches(root, 'raw');
  targets.push({ name: 'raw dir', dir: raw.upper, upper: raw.upper, lower: raw.upper, teardown: () => undefined });

  const s = branches(root, 'strata');
  targets.push({
    ...fuseTarget(
      'strata',
      s,
      () => execFileSync(process.execPath, [cli, 'mount', s.mnt, '--branch', `${s.upper}=rw`, '--branch', `${s.lower}=ro`], quiet),
      () => {
        if (mounted(s.mnt)) execFileSync(process.execPath, [cli, 'unmount', s.mnt], quiet);
      },
    ),
    set: (options) => execFileSync(process.execPath, [cli, 'set', s.mnt, ...options], quiet),
  });

  if (has('mergerfs')) targets.push(mergerfs('mergerfs', 'mergerfs', branches(root, 'mergerfs'), []));
  if (options.mergerfs2) {
    const name = `mergerfs ${mergerfsVersion(options.mergerfs2)} passthrough`;
    targets.push(mergerfs(name, options.mergerfs2, branches(root, 'mergerfs2'), ['passthrough.io=rw']));
  }
  if (has('unionfs')) {
    const u = branches(root, 'unionfs');
    targets.push(daemonTarget('unionfs-fuse', u, ['unionfs', ['-o', 'cow', `${u.upper}=RW:${u.lower}=RO`, u.mnt]]));
  }
  const o = branches(root, 'overlayfs');
  try {
    execFileSync('mount', ['-t', 'overlay', 'strata-bench', '-o', `lowerdir=${o.lower},upperdir=${o.upper},workdir=${o.work}`, o.mnt], quiet);
    targets.push({
      name: 'kernel overlayfs',
      dir: o.mnt,
      upper: o.upper,
      lower: o.lower,
      teardown: () => {
        if (mounted(o.mnt)) execFileSync('umount', [o.mnt], quiet);
      },
    });
  } catch {
    // overlayfs cannot be mounted here (no module, or nested in an overlay); the row is left out.
  }
}
