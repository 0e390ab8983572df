/**
 * Starts `strata serve` on a free port with its own config, runtime and state directories under
 * /tmp/strata-e2e-*, and three branch folders plus a mountpoint there. Tests read the URL and paths
 * from the environment. The returned teardown stops every process and mount the run created.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** Mounts under `dir`, deepest first, from the kernel's table (never by touching the mounts). */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mp): mp is string => !!mp && mp.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
}

function waitForUrl(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`strata serve did not print its URL within 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /Strata is serving on (\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`strata serve exited with ${code}:\n${out}`)));
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = mkdtempSync('/tmp/strata-e2e-');
  // run/ and state/ are left for Strata to create: it insists they are private (0700).
  for (const sub of ['config', 'b0', 'b1', 'b2', 'mnt']) mkdirSync(join(dir, sub));
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(dir, 'config'),
    STRATA_RUNTIME_DIR: join(dir, 'run'),
    STRATA_STATE_DIR: join(dir, 'state'),
  };
  const serve = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await waitForUrl(serve);
  process.env.STRATA_E2E_URL = url;
  process.env.STRATA_E2E_DIR = dir;
  Object.assign(process.env, { STRATA_RUNTIME_DIR: env.STRATA_RUNTIME_DIR, STRATA_STATE_DIR: env.STRATA_STATE_DIR });

  return async () => {
    serve.kill('SIGTERM');
    for (const mp of mountsUnder(dir)) {
      try {
        execFileSync(process.execPath, [join(root, 'dist', 'cli.js'), 'unmount', '--force', mp], { env, stdio: 'ignore', timeout: 15_000 });
      } catch {
        execFileSync('umount', ['-l', mp], { stdio: 'ignore' });
      }
    }
    const left = mountsUnder(dir);
    // Deleting through a mount that refused to go would delete branch files through the union, or hang.
    if (left.length === 0) rmSync(dir, { recursive: true, force: true });
    else console.error(`E2E teardown could not unmount ${left.join(', ')}; left ${dir} in place.`);
  };
}
