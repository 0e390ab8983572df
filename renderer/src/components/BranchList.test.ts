import { createEvent, fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { BranchSpec } from '../../../main/common/branch.ts';
import BranchList from './BranchList.svelte';

const BRANCHES: BranchSpec[] = [
  { path: '/srv/a', mode: 'rw' },
  { path: '/srv/b', mode: 'rw' },
  { path: '/srv/c', mode: 'ro', minFreeSpace: 2 ** 30 },
];

function setup() {
  const props = { branches: BRANCHES, spaces: {}, onmove: vi.fn(), onmode: vi.fn(), onminfree: vi.fn(), onremove: vi.fn() };
  render(BranchList, { props });
  return props;
}

describe('BranchList', () => {
  it('moves with the buttons and announces the move', async () => {
    const props = setup();
    await fireEvent.click(screen.getByRole('button', { name: 'Move up /srv/c' }));
    expect(props.onmove).toHaveBeenCalledWith(2, 1);
    expect(screen.getByTestId('announcer').textContent).toBe('Moved /srv/c to position 2 of 3.');
  });

  it('gives every button an accessible name that contains its visible label (axe label-content-name-mismatch)', () => {
    setup();
    const buttons = screen.getAllByRole('button').filter((b) => b.getAttribute('aria-label') && b.textContent!.trim() !== '⠿');
    expect(buttons.length).toBeGreaterThanOrEqual(9);
    for (const b of buttons) expect(b.getAttribute('aria-label')!.toLowerCase()).toContain(b.textContent!.trim().toLowerCase());
  });

  it('marks where a dragged row will land', async () => {
    setup();
    const rows = [...document.querySelectorAll<HTMLElement>('li[data-branch]')];
    await fireEvent.dragStart(screen.getByRole('button', { name: /Reorder \/srv\/c/ }), { dataTransfer: { setData: vi.fn(), setDragImage: vi.fn() } });
    await fireEvent.dragOver(rows[0], { dataTransfer: {} });
    expect(rows[0].classList.contains('drop-before')).toBe(true);
    await fireEvent.dragEnd(screen.getByRole('button', { name: /Reorder \/srv\/c/ }));
    expect(rows[0].classList.contains('drop-before')).toBe(false);
  });

  it('disables the impossible moves and says why', () => {
    setup();
    expect((screen.getByRole('button', { name: 'Move up /srv/a' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('Already at the top.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Move down /srv/c' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('moves with the keyboard on the grip', async () => {
    const props = setup();
    const grip = screen.getByRole('button', { name: /Reorder \/srv\/a/ });
    await fireEvent.keyDown(grip, { key: 'ArrowDown' });
    expect(props.onmove).toHaveBeenCalledWith(0, 1);
    await fireEvent.keyDown(grip, { key: 'End' });
    expect(props.onmove).toHaveBeenCalledWith(0, 2);
    expect(screen.getByTestId('announcer').textContent).toBe('Moved /srv/a to position 3 of 3 (bottom).');
  });

  it('moves by drag and drop', async () => {
    const props = setup();
    const grip = screen.getByRole('button', { name: /Reorder \/srv\/c/ });
    const target = screen.getByText('/srv/a').closest('li')!;
    const dataTransfer = { setData: vi.fn(), setDragImage: vi.fn(), effectAllowed: '', dropEffect: '' };
    const start = createEvent.dragStart(grip);
    Object.defineProperty(start, 'dataTransfer', { value: dataTransfer });
    await fireEvent(grip, start);
    const over = createEvent.dragOver(target);
    Object.defineProperty(over, 'dataTransfer', { value: dataTransfer });
    await fireEvent(target, over);
    await fireEvent.drop(target);
    expect(props.onmove).toHaveBeenCalledWith(2, 0);
  });

  it('changes mode and minimum free space, and rejects a size it cannot read', async () => {
    const props = setup();
    const selects = screen.getAllByRole('combobox');
    await fireEvent.change(selects[1], { target: { value: 'nc' } });
    expect(props.onmode).toHaveBeenCalledWith(1, 'nc');
    const inputs = screen.getAllByPlaceholderText('union default') as HTMLInputElement[];
    expect(inputs[2].value).toBe('1G');
    await fireEvent.change(inputs[0], { target: { value: '10G' } });
    expect(props.onminfree).toHaveBeenCalledWith(0, 10 * 2 ** 30);
    await fireEvent.change(inputs[0], { target: { value: 'lots' } });
    expect(screen.getByText(/Invalid minimum free space/)).toBeTruthy();
    expect(props.onminfree).toHaveBeenCalledTimes(1);
  });

  it('refuses to remove the last branch, with the reason', () => {
    render(BranchList, { props: { branches: [BRANCHES[0]], spaces: {}, onmove: vi.fn(), onmode: vi.fn(), onminfree: vi.fn(), onremove: vi.fn() } });
    expect((screen.getByRole('button', { name: 'Remove /srv/a' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('A union needs at least one branch.')).toBeTruthy();
  });
});
