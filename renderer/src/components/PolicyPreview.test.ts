import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { PreviewResult } from '../../../main/common/contract.ts';
import { installFakeBridge } from '../test/fakeBridge.ts';
import { config } from '../test/fixtures.ts';
import PolicyPreview from './PolicyPreview.svelte';

function answer(relPath: string): PreviewResult {
  return {
    mountpoint: '/mnt/media',
    relPath,
    fn: 'create',
    policy: 'mfs',
    ok: true,
    branch: 1,
    branchPath: `/srv/hdd${relPath}`,
    createsParents: ['/new'],
    excluded: [
      { branch: 0, reason: 'not-chosen', detail: 'b0 has less free space than b1 (1 GiB vs 40 GiB)' },
      { branch: 2, reason: 'mode', detail: 'b2 is read-only (ro)' },
    ],
  };
}

describe('PolicyPreview', () => {
  it('names the branch a new file lands on and why the others were excluded', async () => {
    const fake = installFakeBridge({ 'unions:preview': (a) => answer(a.relPath) });
    render(PolicyPreview, { props: { config: config({ create: 'mfs' }) } });
    expect((await screen.findByTestId('preview-branch')).textContent).toBe('/srv/hdd');
    expect(screen.getByText('/srv/hdd/new-file.txt')).toBeTruthy();
    // Policies name branches from 0 in data; people read branch 1 (top), in the UI as in the CLI.
    expect(screen.getByText('branch 3 is read-only (ro)')).toBeTruthy();
    expect(screen.getByText('branch 1 (top) has less free space than branch 2 (1 GiB vs 40 GiB)')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Why not the other branches' })).toBeTruthy();
    expect(screen.getByText(/first create \/new/)).toBeTruthy();

    await fireEvent.input(screen.getByRole('textbox', { name: 'Path inside the union' }), { target: { value: '/new/clip.mp4' } });
    await waitFor(() => expect(fake.callsTo('unions:preview').at(-1)).toMatchObject({ relPath: '/new/clip.mp4', fn: 'create' }));
  });

  it('says what is missing instead of previewing an incomplete union', () => {
    installFakeBridge({});
    render(PolicyPreview, { props: { config: null, unavailableReason: 'Add at least one branch first.' } });
    expect(screen.getByText('Add at least one branch first.')).toBeTruthy();
  });

  it('when no branch can take the entry, does not ask "why not the other branches"', async () => {
    installFakeBridge({
      'unions:preview': (a) => ({
        ...answer(a.relPath),
        ok: false,
        branch: undefined,
        branchPath: undefined,
        errno: 'EROFS',
        createsParents: [],
        excluded: [{ branch: 0, reason: 'mode', detail: 'b0 is read-only (ro)' }],
      }),
    });
    render(PolicyPreview, { props: { config: config() } });
    expect(await screen.findByRole('heading', { name: 'Why each branch was excluded' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Why not the other branches' })).toBeNull();
    expect(screen.getByText('branch 1 (top) is read-only (ro)')).toBeTruthy();
  });

  it('shows the error sentence of a policy the server rejects', async () => {
    installFakeBridge({
      'unions:preview': () => {
        throw Object.assign(new Error("Unknown create policy 'zz': see strata policies."), { code: 'POLICY_INVALID' });
      },
    });
    render(PolicyPreview, { props: { config: config({ create: 'zz' }) } });
    expect(await screen.findByText(/Unknown create policy 'zz'/)).toBeTruthy();
  });
});
