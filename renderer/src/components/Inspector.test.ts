import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { unions } from '../lib/stores/unions.svelte.ts';
import { installFakeBridge } from '../test/fakeBridge.ts';
import { summary } from '../test/fixtures.ts';
import Inspector from './Inspector.svelte';

describe('Inspector', () => {
  it('explains itself while no union is mounted', async () => {
    installFakeBridge({ 'unions:list': () => [summary()] });
    await unions.refresh();
    render(Inspector, { props: { mountpoint: null } });
    expect(await screen.findByRole('heading', { name: 'No union is mounted' })).toBeTruthy();
  });

  it('shows the serving branch, every copy and the whiteouts of a path', async () => {
    const fake = installFakeBridge({
      'unions:list': () => [summary({ state: 'mounted', mountExists: true })],
      'unions:where': (a) => ({
        mountpoint: a.mountpoint,
        relPath: a.relPath,
        exists: true,
        servingBranch: 0,
        servingPath: '/srv/ssd/a.txt',
        copies: [
          { branch: 0, branchRoot: '/srv/ssd', realPath: '/srv/ssd/a.txt', type: 'file', visible: true },
          { branch: 2, branchRoot: '/srv/archive', realPath: '/srv/archive/a.txt', type: 'file', visible: false, hiddenBy: 'shadowed' },
        ],
        whiteouts: [{ branch: 1, realPath: '/srv/hdd/.wh.a.txt' }],
        opaque: [],
      }),
    });
    await unions.refresh();
    render(Inspector, { props: { mountpoint: null } });
    await fireEvent.input(await screen.findByRole('textbox', { name: 'Path inside the union' }), { target: { value: 'a.txt' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Inspect' }));
    expect(await screen.findByText('/srv/ssd/a.txt', { selector: '.verdict code' })).toBeTruthy();
    expect(screen.getByText('hidden by a higher copy')).toBeTruthy();
    expect(screen.getByText('/srv/hdd/.wh.a.txt')).toBeTruthy();
    // Numbered as people read them, the top branch said so, as the CLI's where says it too.
    expect(screen.getByTestId('where').querySelector('.verdict')!.textContent).toMatch(/is served by branch 1 \(top\): /);
    expect(screen.getByText(/Whiteout on branch 2:/)).toBeTruthy();
    expect(fake.callsTo('unions:where')).toEqual([{ mountpoint: '/mnt/media', relPath: '/a.txt' }]);
  });
});
