import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { installFakeBridge } from '../test/fakeBridge.ts';
import PathField from './PathField.svelte';

describe('PathField', () => {
  it('completes directories from the server and takes one with the keyboard', async () => {
    const fake = installFakeBridge({ 'fs:complete': (a) => ({ dir: '/srv', dirs: ['/srv/alpha', '/srv/beta'].filter((d) => d.startsWith(a.prefix)) }) });
    const onvalue = vi.fn();
    render(PathField, { props: { value: '', label: 'Folder', onvalue } });
    const input = screen.getByRole('combobox', { name: 'Folder' }) as HTMLInputElement;
    await fireEvent.input(input, { target: { value: '/srv/' } });
    await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(2));
    expect(input.getAttribute('aria-expanded')).toBe('true');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input.getAttribute('aria-activedescendant')).toMatch(/opt-1$/);
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('/srv/beta');
    expect(onvalue).toHaveBeenLastCalledWith('/srv/beta');
    expect(fake.callsTo('fs:complete')).toContainEqual({ prefix: '/srv/' });
  });

  it('offers the folder dialog only in Electron', async () => {
    installFakeBridge({ 'fs:pickFolder': () => '/home/ann/Music' }, 'electron');
    render(PathField, { props: { value: '', label: 'Folder' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Browse…' }));
    await waitFor(() => expect((screen.getByRole('combobox') as HTMLInputElement).value).toBe('/home/ann/Music'));
  });

  it('marks the field invalid with the reason', () => {
    installFakeBridge({});
    render(PathField, { props: { value: 'x', label: 'Folder', error: 'Give an absolute path.' } });
    expect(screen.getByRole('combobox').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Give an absolute path.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Browse…' })).toBeNull();
  });
});
