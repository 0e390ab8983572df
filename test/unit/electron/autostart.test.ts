import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { autostartEntry, desktopExecArg } from '../../../main/common/autostartEntry.ts';
import { Autostart, autostartPath, launchCommand } from '../../../main/electron/autostart.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('start at login', () => {
  it('writes the XDG autostart entry under XDG_CONFIG_HOME and removes it again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-autostart-'));
    const path = autostartPath({ XDG_CONFIG_HOME: dir });
    expect(path).toBe(join(dir, 'autostart', 'strata.desktop'));
    const autostart = new Autostart(['/opt/Strata/strata-desktop', '--hidden'], path);
    expect(await autostart.get()).toBe(false);
    await autostart.set(true);
    expect(await autostart.get()).toBe(true);
    const text = await readFile(path, 'utf8');
    expect(text).toContain('[Desktop Entry]\nType=Application\nName=Strata\n');
    expect(text).toContain('\nExec=/opt/Strata/strata-desktop --hidden\n');
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    await autostart.set(true);
    await autostart.set(false);
    expect(await autostart.get()).toBe(false);
    await autostart.set(false);
  });

  it('falls back to ~/.config when XDG_CONFIG_HOME is unset or relative', () => {
    expect(autostartPath({ XDG_CONFIG_HOME: 'rel' })).toMatch(/\/\.config\/autostart\/strata\.desktop$/);
    expect(autostartPath({})).toMatch(/\/\.config\/autostart\/strata\.desktop$/);
  });

  it('starts an AppImage by its file, a package by its binary, a checkout by Electron and the app dir', () => {
    const base = { execPath: '/tmp/.mount_x/strata-desktop', appPath: '/src/strata', packaged: true };
    expect(launchCommand({ ...base, appImage: '/home/u/Strata.AppImage' })).toEqual(['/home/u/Strata.AppImage', '--hidden']);
    expect(launchCommand(base)).toEqual(['/tmp/.mount_x/strata-desktop', '--hidden']);
    expect(launchCommand({ ...base, packaged: false, execPath: '/src/strata/node_modules/electron/dist/electron' })).toEqual([
      '/src/strata/node_modules/electron/dist/electron',
      '/src/strata',
      '--hidden',
    ]);
  });

  it('quotes Exec arguments as the Desktop Entry Specification wants', () => {
    expect(desktopExecArg('/home/me/My Apps/Strata.AppImage')).toBe('"/home/me/My Apps/Strata.AppImage"');
    expect(desktopExecArg('/opt/100%/a$b')).toBe('"/opt/100%%/a\\$b"');
    expect(autostartEntry(['/x', '--hidden'])).toContain('Exec=/x --hidden\n');
  });
});
