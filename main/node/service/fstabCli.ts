/**
 * Whether fstab and systemd mounts can find the `strata` command: mount(8) runs mount.fuse3 with PATH
 * unset, whose `sh -c 'strata ...'` then searches only the shell's default path. The UI says so next to
 * the fstab line and the unit, with the way to fix it for this installation.
 */
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { FstabCli } from '../../common/api.ts';
import { shellQuote } from '../../common/shellQuote.ts';

/** dash's and bash's built-in path, which is what a PATH-less `sh -c` searches. */
export const SHELL_DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export async function findFstabCli(dirs: readonly string[] = SHELL_DEFAULT_PATH): Promise<string | null> {
  for (const dir of dirs) {
    const path = join(dir, 'strata');
    if (
      await access(path, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  return null;
}

/** `cliScript`: this installation's dist/cli.js, which a checkout can link onto the path. */
export function fstabCliAdvice(env: { appImage?: string; packaged: boolean; cliScript: string }): string {
  if (env.appImage) {
    return 'This AppImage cannot put the strata command where mount(8) looks for it, so these lines do not mount yet: install the .deb package (it provides /usr/bin/strata), or install Strata from source and link its CLI (see docs/desktop.md).';
  }
  if (env.packaged) return 'The strata command is missing from /usr/bin: reinstall the package (sudo apt install --reinstall strata).';
  return `mount(8) does not find the strata command: link this checkout's CLI with sudo ln -s ${shellQuote(env.cliScript)} /usr/local/bin/strata.`;
}

export async function fstabCliStatus(env: Parameters<typeof fstabCliAdvice>[0]): Promise<FstabCli> {
  const path = await findFstabCli();
  return path ? { path } : { path: null, advice: fstabCliAdvice(env) };
}
