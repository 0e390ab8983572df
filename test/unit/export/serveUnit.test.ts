import { describe, expect, it } from 'vitest';
import { formatServeUnit } from '../../../main/common/export/serveUnit.ts';

describe('strata serve user unit', () => {
  it('quotes what systemd would expand or split', () => {
    const text = formatServeUnit(['/opt/My Apps/strata', '/opt/x/cli.js', 'serve', '--token', 'a$b%c'], { ELECTRON_RUN_AS_NODE: '1' });
    expect(text).toContain('\nEnvironment=ELECTRON_RUN_AS_NODE=1\nExecStart="/opt/My Apps/strata" /opt/x/cli.js serve --token a$$b%%c\nKillMode=process\n');
    expect(text).toContain('\nWantedBy=default.target\n');
  });
});
