/**
 * Notices the server announced (notices.ts), newest first, until the user dismisses them. A busy
 * refusal is left out: the page that asked shows it already, with the processes and "Unmount anyway".
 */
import type { Notice } from '../../../../main/common/notices.ts';
import { listen } from '../api.ts';

const MAX_SHOWN = 5;

class NoticesStore {
  items = $state<Notice[]>([]);
  private stop?: () => void;

  start(): () => void {
    this.stop ??= listen('notice', (notice) => {
      if (notice.kind === 'busy-refused') return;
      this.items = [notice, ...this.items].slice(0, MAX_SHOWN);
    });
    return () => {
      this.stop?.();
      this.stop = undefined;
    };
  }

  dismiss(id: string): void {
    this.items = this.items.filter((n) => n.id !== id);
  }
}

export const notices = new NoticesStore();
