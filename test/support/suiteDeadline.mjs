// A test run with a deadline, for test/run.mjs. A test blocked in a system call on a FUSE mount whose
// server never answers (a synchronous read through a union whose engine a test holds, say) stops its
// whole vitest run, past every vitest timeout, and CI would end at its own limit with nothing named.
// Past the deadline the FUSE mounts that appeared while the run went on are cut off, so the blocked
// call fails, its test fails by name, and the run ends with a report; a run that still has not ended a
// minute after that is killed (by its pid). Plain JavaScript, as test/run.mjs is.
import { spawn } from 'node:child_process';
import { cutOffMount, fuseMounts } from './fuseMounts.mjs';

const GRACE_MS = 60_000;

/**
 * Runs `argv` in `cwd` with `env` added. Resolves to its exit status (1 when killed) and `overdue`: the
 * mounts it was still holding at `deadlineMs` (empty when it ended in time, or left none).
 */
export function runWithDeadline(argv, { cwd, env, deadlineMs }) {
  const key = (m) => `${m.connection}:${m.mountpoint}`;
  const before = new Set(fuseMounts().map(key));
  const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', cwd, env: { ...process.env, ...env } });
  return new Promise((resolve) => {
    let overdue;
    let kill;
    const deadline = setTimeout(() => {
      overdue = fuseMounts().filter((m) => !before.has(key(m)));
      const minutes = Math.round(deadlineMs / 60_000);
      console.log(
        `\n${argv.slice(0, 3).join(' ')}: still running after ${minutes} min; cutting off the FUSE mounts it made: ${overdue.map((m) => m.mountpoint).join(', ') || 'none'}`,
      );
      for (const m of overdue) cutOffMount(m);
      kill = setTimeout(() => child.kill('SIGKILL'), GRACE_MS);
    }, deadlineMs);
    child.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(deadline);
      clearTimeout(kill);
      resolve({ status: code ?? 1, overdue });
    });
  });
}
