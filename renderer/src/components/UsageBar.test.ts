import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import UsageBar from './UsageBar.svelte';

const GiB = 2 ** 30;

describe('UsageBar', () => {
  it('is a progressbar with its value as text', () => {
    render(UsageBar, { props: { label: 'Space on /srv/a', used: 25 * GiB, total: 100 * GiB, avail: 75 * GiB } });
    const bar = screen.getByRole('progressbar', { name: 'Space on /srv/a' });
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(bar.getAttribute('aria-valuetext')).toBe('25% used, 75 GiB free of 100 GiB');
    expect(bar.classList.contains('danger')).toBe(false);
  });

  it('turns to danger below the branch minimum, and says so', () => {
    render(UsageBar, { props: { label: 'b', used: 50 * GiB, total: 100 * GiB, avail: 50 * GiB, minFree: 60 * GiB } });
    const bar = screen.getByRole('progressbar');
    expect(bar.classList.contains('danger')).toBe(true);
    expect(screen.getByText(/below its minimum of 60 GiB/)).toBeTruthy();
  });

  it('shows why figures are missing', () => {
    render(UsageBar, { props: { label: 'b', error: '/srv/x does not exist' } });
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBeNull();
    expect(screen.getByText('/srv/x does not exist')).toBeTruthy();
  });
});
