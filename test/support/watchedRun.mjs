// A test run watched from outside, for test/run.mjs: a deadline, and the mounts it leaves behind.
//
// A test blocked in a system call on a FUSE mount whose server never answers (a synchronous read through
// a union whose engine a test holds, say) stops its whole vitest run, past every vitest timeout, and CI
// would end at its own limit with nothing named. Past the deadline the FUSE mounts that appeared under
// the tests' temp roots while the run went on are cut off, so the blocked call fails, its test fails by
// name, and the run ends with a report; a run that still has not ended a minute after that is killed (by
// its pid).
//
// Tests unmount what they mount, even when they fail; a mount still there after the run under their temp
// roots (a union, a branch's tmpfs, a loop-mounted image) is one a clean-up missed. It is cut off and
// named.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cutOffMount, mountTable } from './mountCutOff.mjs';

// Every test mounts below a temp root of its own named so (test/support/unionFixture.ts, withTempRoot);
// any other mount that appears meanwhile is someone else's, and stays.
const TEST_ROOTS = join(tmpdir(), 'strata-');

const GRACE_MS = 60_000;

/**
 * Runs `argv`, the test run called `name`, in `cwd` with `env` added. Resolves to its exit status (1 when killed); `overdue`: the
 * FUSE mounts it was holding at `deadlineMs` (undefined when it ended in time); `leftBehind`: the
 * mountpoints it left.
 */
export function runWatched(name, argv, { cwd, env, deadlineMs }) {
  const key = (m) => `${m.connection}:${m.mountpoint}`;
  const before = new Set(mountTable().map(key));
  const made = () => mountTable().filter((m) => m.mountpoint.startsWith(TEST_ROOTS) && !before.has(key(m)));
  const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', cwd, env: { ...process.env, ...env } });
  return new Promise((resolve) => {
    let overdue;
    let kill;
    const deadline = setTimeout(() => {
      overdue = made().filter((m) => m.fuse);
      const minutes = Math.round(deadlineMs / 60_000);
      console.log(
        `\n${name}: still running after ${minutes} min; cutting off the FUSE mounts it made: ${overdue.map((m) => m.mountpoint).join(', ') || 'none'}`,
      );
      for (const m of overdue) cutOffMount(m);
      kill = setTimeout(() => child.kill('SIGKILL'), GRACE_MS);
    }, deadlineMs);
    child.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(deadline);
      clearTimeout(kill);
      // The last made first: a union before the tmpfs its branch is on.
      const left = made().reverse();
      for (const m of left) cutOffMount(m);
      resolve({ status: code ?? 1, overdue, leftBehind: left.map((m) => m.mountpoint) });
    });
  });
}
