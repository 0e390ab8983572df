import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { CATALOG } from '../test/fixtures.ts';
import PolicyPicker from './PolicyPicker.svelte';

const radio = (group: RegExp, name: RegExp) => within(screen.getByRole('group', { name: group })).getByRole('radio', { name }) as HTMLInputElement;

describe('PolicyPicker', () => {
  it('groups policies by family, each with its explanation', () => {
    render(PolicyPicker, { props: { legend: 'Create policy', policies: CATALOG.create, value: 'tdp', onchange: vi.fn() } });
    const aufs = screen.getByRole('group', { name: /aufs-style/ });
    expect(
      within(aufs)
        .getAllByRole('radio')
        .map((r) => (r as HTMLInputElement).value),
    ).toEqual(['aufs:tdp', 'aufs:mfs', 'aufs:mfsrr']);
    expect(within(screen.getByRole('group', { name: /mergerfs-style/ })).getByText('The branch with the most free space.')).toBeTruthy();
    expect(radio(/aufs-style/, /tdp/).checked).toBe(true);
  });

  it('tells aufs mfs from mergerfs mfs', () => {
    const { unmount } = render(PolicyPicker, { props: { legend: 'Create policy', policies: CATALOG.create, value: 'mfs', onchange: vi.fn() } });
    expect(radio(/mergerfs-style/, /^mfs/).checked).toBe(true);
    expect(radio(/aufs-style/, /^mfs /).checked).toBe(false);
    unmount();
    render(PolicyPicker, { props: { legend: 'Create policy', policies: CATALOG.create, value: 'mfs:30', onchange: vi.fn() } });
    expect(radio(/aufs-style/, /^mfs /).checked).toBe(true);
  });

  it('reports the chosen setting, with arguments for the policies that take them', async () => {
    const onchange = vi.fn();
    render(PolicyPicker, { props: { legend: 'Create policy', policies: CATALOG.create, value: 'mfsrr:1G', onchange } });
    await fireEvent.click(radio(/mergerfs-style/, /epmfs/));
    expect(onchange).toHaveBeenCalledWith('epmfs');
    const args = screen.getByRole('textbox', { name: /Arguments for mfsrr/ }) as HTMLInputElement;
    expect(args.value).toBe('1G');
    // Right under its own radio, not at the end of the list.
    expect(args.closest('.policy')!.querySelector('input[type="radio"]')).toBe(radio(/aufs-style/, /mfsrr/));
    await fireEvent.input(args, { target: { value: '10G:30' } });
    expect(onchange).toHaveBeenLastCalledWith('mfsrr:10G:30');
  });

  it('says at the arguments field what is wrong with them', () => {
    render(PolicyPicker, {
      props: {
        legend: 'Create policy',
        policies: CATALOG.create,
        value: 'aufs:mfsrr',
        onchange: vi.fn(),
        problem: 'mfsrr needs a free-space watermark, e.g. mfsrr:1G.',
      },
    });
    const args = screen.getByRole('textbox', { name: /Arguments for mfsrr/ });
    expect(args.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(args.getAttribute('aria-describedby')!)!.textContent).toBe('mfsrr needs a free-space watermark, e.g. mfsrr:1G.');
    expect(radio(/aufs-style/, /mfsrr/).checked).toBe(true);
  });
});
