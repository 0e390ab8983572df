/**
 * The one bridge the renderer uses: Electron's preload exposes `window.strata`; in a browser the page
 * talks HTTP to `strata serve`. Tests install a fake with setBridge().
 */
import type { StrataBridge } from '../../../../main/common/api.ts';
import { withDeadlines } from './deadline.ts';
import { createHttpBridge } from './httpBridge.ts';

declare global {
  interface Window {
    strata?: StrataBridge;
  }
}

let current: StrataBridge | null = null;

export function bridge(): StrataBridge {
  current ??= window.strata ? withDeadlines(window.strata) : createHttpBridge();
  return current;
}

export function setBridge(b: StrataBridge | null): void {
  current = b;
}
