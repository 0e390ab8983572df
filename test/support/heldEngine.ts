/**
 * For tests that hold every request the engine gets on some names (STRATA_TEST_HANG), so a change to
 * them can only finish if the native backend's FUSE threads made it themselves.
 */
import { spawn } from 'node:child_process';
import { type UnionFixture, forceUnmount } from './unionFixture.ts';

/**
 * Every access through the union to a held name goes through here, never through a synchronous call of
 * this process: one that reached the engine would block the test process itself, past every timeout.
 *
 * Runs `call` (lines of Python) on `p` = `path` in python3 (as `user`, if given) and says 'ok', the errno's name, or 'held' if it has not finished
 * within 5 s of Python being ready (a loaded machine can take seconds to start it; a request the engine
 * holds cannot be interrupted once taken: the caller stays until the clean-up aborts the mount's
 * requests). The engine publishes a directory to the FUSE threads for a second after it looks up a name
 * in it, so the same process first looks up a name never seen in the path's directory.
 */
export function bounded(call: string, path: string, user?: string): Promise<string> {
  const script = [
    'import errno, os, sys',
    'print("ready", flush=True)',
    'p = sys.argv[1]',
    'os.path.lexists(os.path.join(os.path.dirname(p), ".never-%s" % os.urandom(8).hex()))',
    'try:',
    ...call.split('\n').map((line) => `    ${line}`),
    '    print("ok")',
    'except OSError as e:',
    '    print(errno.errorcode[e.errno])',
  ].join('\n');
  const argv = ['python3', '-c', script, path];
  const [cmd, ...args] = user ? ['runuser', '-u', user, '--', ...argv] : argv;
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let timer: NodeJS.Timeout | undefined;
  return new Promise((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!timer && out.startsWith('ready\n')) timer = setTimeout(() => resolve('held'), 5000);
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out.replace(/^ready\n/, '').trim());
    });
  });
}

/**
 * A held request is never answered, and a worker not yet reported hung (5 s) is only detached by
 * `strata unmount --force`, which would leave it and the held caller waiting for good: the mount's
 * requests are aborted first.
 */
export async function cutOff(u: UnionFixture | undefined): Promise<void> {
  if (!u) return;
  await forceUnmount(u.mnt);
  await u.cleanup();
}
