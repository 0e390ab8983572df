/**
 * "Start Strata at login": an entry in `$XDG_CONFIG_HOME/autostart` (default ~/.config/autostart) that
 * starts the app with `--hidden`, so it comes up in the tray and mounts the unions marked "Mount when
 * Strata starts" without opening a window. The file's presence is the setting.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { autostartEntry } from '../common/autostartEntry.ts';

export const HIDDEN_FLAG = '--hidden';

export function autostartPath(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(configHome, 'autostart', 'strata.desktop');
}

/**
 * How this installation starts: an AppImage by its own file (process.execPath points inside its
 * temporary mount), a packaged app by its binary, a development checkout by Electron plus the app dir.
 */
export function launchCommand(p: { execPath: string; appPath: string; packaged: boolean; appImage?: string }): string[] {
  if (p.appImage) return [p.appImage, HIDDEN_FLAG];
  return p.packaged ? [p.execPath, HIDDEN_FLAG] : [p.execPath, p.appPath, HIDDEN_FLAG];
}

export class Autostart {
  constructor(
    private readonly command: readonly string[],
    readonly path = autostartPath(),
  ) {}

  async get(): Promise<boolean> {
    return stat(this.path).then(
      (st) => st.isFile(),
      () => false,
    );
  }

  async set(on: boolean): Promise<void> {
    if (!on) {
      await rm(this.path, { force: true });
      return;
    }
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(this.path, autostartEntry(this.command), { mode: 0o644 });
  }
}
