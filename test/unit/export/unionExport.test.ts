import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UnionConfig } from '../../../main/common/contract.ts';
import { splitBranchSource } from '../../../main/common/export/branchSource.ts';
import { formatFstabLine, parseFstabLine } from '../../../main/common/export/fstabLine.ts';
import { parseMountOptions } from '../../../main/common/export/mountOptions.ts';
import { formatMountUnit, parseMountUnit } from '../../../main/common/export/mountUnit.ts';
import { shellQuote } from '../../../main/common/shellQuote.ts';
import { exportUnion } from '../../../main/common/export/unionExport.ts';
import { buildUnionConfig } from '../../../main/common/unionConfig.ts';

const plain = buildUnionConfig('/mnt/u', ['/srv/a=rw', '/srv/b=ro']);
const everything: UnionConfig = {
  ...buildUnionConfig('/mnt/my pool', ['/srv/disk one=rw,minfree=10G', '/srv/odd:name\\x=nc', '/srv/100%=ro'], {
    name: 'Pool, big',
    create: 'mfsrr:1073741824:30',
    copyup: 'bup',
    minfree: '4G',
    funcs: ['mkdir=epmfs', 'symlink=ff'],
    moveOnEnospc: 'true',
    passthrough: 'all',
  }),
};

/** What a shell makes of the command: its words, to compare with what was meant. */
function shellWords(command: string): string[] {
  return JSON.parse(
    execFileSync('sh', ['-c', `${command.replace(/^strata /, 'node -e "console.log(JSON.stringify(process.argv.slice(1)))" -- ')}`], { encoding: 'utf8' }),
  );
}

describe('fstab line', () => {
  it("reads the issue's example", () => {
    const { config, options } = parseFstabLine('/srv/a=rw:/srv/b=ro  /mnt/u  fuse.strata  create=mfs,minfree=4G,allow_other,nofail  0 0');
    expect(config).toEqual({ ...plain, create: 'mfs', minFreeSpace: 4 * 2 ** 30 });
    expect(options.allowOther).toBe(true);
    expect(options.ignored).toEqual(['nofail']);
  });

  it('prints a plain union with only the boot options', () => {
    expect(formatFstabLine(plain)).toBe('/srv/a=rw:/srv/b=ro /mnt/u fuse.strata allow_other,nofail 0 0');
  });

  it.each([
    ['plain', plain],
    ['every option, spaces, colons, % and commas', everything],
  ])('round-trips %s', (_, config) => {
    expect(parseFstabLine(formatFstabLine(config)).config).toEqual(config);
  });

  it('escapes spaces the way fstab(5) wants', () => {
    expect(formatFstabLine(everything)).toContain('/srv/disk\\040one=rw,minfree=10G:/srv/odd\\:name\\\\x=nc:/srv/100%=ro /mnt/my\\040pool ');
  });

  it('rejects another type and a non-entry', () => {
    expect(() => parseFstabLine('/a /mnt/u fuse.mergerfs defaults 0 0')).toThrow(/type 'fuse.mergerfs', not fuse.strata/);
    expect(() => parseFstabLine('# /a /b fuse.strata')).toThrow(/Not an fstab entry/);
  });
});

describe('systemd mount unit', () => {
  it('is named after its mountpoint and orders after its branches', () => {
    const unit = formatMountUnit(everything);
    expect(unit.name).toBe('mnt-my\\x20pool.mount');
    expect(unit.text).toContain('RequiresMountsFor="/srv/disk one" "/srv/odd:name\\\\x" /srv/100%%\n');
    expect(unit.text).toContain('Type=fuse.strata\nOptions=allow_other,name=Pool\\, big,create=mfsrr:1073741824:30,');
  });

  it.each([
    ['plain', plain],
    ['every option', everything],
  ])('round-trips %s', (_, config) => {
    const unit = formatMountUnit(config);
    expect(parseMountUnit(unit.text, unit.name).config).toEqual(config);
  });

  // systemd itself is the judge of a unit file: its name must match Where=, and every key must parse.
  it.runIf(existsSync('/usr/bin/systemd-analyze'))('passes systemd-analyze verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-unit-'));
    try {
      for (const config of [plain, everything]) {
        const unit = formatMountUnit(config);
        writeFileSync(join(dir, unit.name), unit.text);
        expect(() => execFileSync('systemd-analyze', ['verify', '--man=no', join(dir, unit.name)], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a unit whose name systemd would not accept for its Where=', () => {
    expect(() => parseMountUnit(formatMountUnit(plain).text, 'u.mount')).toThrow(/must be named mnt-u.mount, not u.mount/);
  });
});

describe('strata mount command', () => {
  it('says the same union in flags, quoted for a shell', () => {
    expect(exportUnion(plain).cli).toBe('strata mount /mnt/u --branch /srv/a=rw --branch /srv/b=ro');
    expect(shellWords(exportUnion(everything).cli)).toEqual([
      'mount',
      '/mnt/my pool',
      '--branch',
      '/srv/disk one=rw,minfree=10G',
      '--branch',
      '/srv/odd:name\\x=nc',
      '--branch',
      '/srv/100%=ro',
      '--name',
      'Pool, big',
      '--create',
      'mfsrr:1073741824:30',
      '--func',
      'mkdir=epmfs',
      '--func',
      'symlink=ff',
      '--copyup',
      'bup',
      '--minfree',
      '4G',
      '--moveonenospc',
      'pfrd',
      '--passthrough',
      'all',
    ]);
  });

  it('quotes what a shell would read otherwise', () => {
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(shellQuote('/srv/a=rw,minfree=1G')).toBe('/srv/a=rw,minfree=1G');
  });
});

describe('mount options', () => {
  it('keeps kernel flags, ignores what belongs to mount(8) and systemd, maps mergerfs names', () => {
    const set = parseMountOptions(
      'rw,noexec,nosuid,nodev,category.create=epmfs,minfreespace=1G,func.mkdir=rand,x-systemd.requires=foo.mount,_netdev,defaults,X-mount.mkdir,comment=x,default_permissions',
    );
    expect(set.kernelFlags).toEqual(['rw', 'noexec', 'nosuid', 'nodev']);
    expect(set.union).toMatchObject({ create: 'epmfs', minfree: '1G', funcs: ['mkdir=rand'] });
    expect(set.ignored).toEqual(['x-systemd.requires=foo.mount', '_netdev', 'defaults', 'X-mount.mkdir', 'comment=x', 'default_permissions']);
  });

  it.each([
    ['creat=mfs', /Unknown mount option 'creat=mfs' for fuse.strata: use create=/],
    ['func.rename=ff', /Unknown mount option 'func.rename=ff'/],
    ['minfree', /Mount option 'minfree' needs a value: write minfree=VALUE, e.g. minfree=4G/],
    ['allow_root', /Unknown mount option 'allow_root'/],
  ])('rejects %s with the fix', (text, message) => {
    expect(() => parseMountOptions(text)).toThrow(message);
  });

  it('splits the source on unescaped colons only', () => {
    expect(splitBranchSource('/a=rw:/b\\:c=ro:/d\\\\')).toEqual(['/a=rw', '/b:c=ro', '/d\\']);
    expect(() => splitBranchSource('/a::/b')).toThrow(/Empty branch in '\/a::\/b'/);
  });
});

describe('systemd unit comment', () => {
  it('quotes the unit name for the shell, since escaped names hold backslashes', () => {
    expect(formatMountUnit(everything).text.split('\n')[0]).toBe(
      "# '/etc/systemd/system/mnt-my\\x20pool.mount': systemctl daemon-reload && systemctl enable --now 'mnt-my\\x20pool.mount'",
    );
  });
});
