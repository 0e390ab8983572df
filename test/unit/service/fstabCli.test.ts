import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFstabCli, fstabCliAdvice } from '../../../main/node/service/fstabCli.ts';

describe('where mount(8) finds strata', () => {
  it("takes the first executable strata on the shell's default path", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-cli-'));
    try {
      const [a, b] = [join(dir, 'a'), join(dir, 'b')];
      expect(await findFstabCli([a, b])).toBeNull();
      await writeFile(join(dir, 'strata'), '#!/bin/sh\n');
      expect(await findFstabCli([dir])).toBeNull();
      await chmod(join(dir, 'strata'), 0o755);
      expect(await findFstabCli([a, dir])).toBe(join(dir, 'strata'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('advises what fits the installation', () => {
    expect(fstabCliAdvice({ appImage: '/home/u/Strata.AppImage', packaged: true, cliScript: '/x' })).toMatch(
      /^This AppImage cannot put the strata command where mount\(8\) looks for it.*install the \.deb package/,
    );
    expect(fstabCliAdvice({ packaged: false, cliScript: '/src/strata/dist/cli.js' })).toBe(
      "mount(8) does not find the strata command: link this checkout's CLI with sudo ln -s /src/strata/dist/cli.js /usr/local/bin/strata.",
    );
  });
});
