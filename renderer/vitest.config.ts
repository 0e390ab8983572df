// Component tests: Svelte components rendered in happy-dom with a fake bridge (renderer/src/test/).
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  plugins: [svelte()],
  // Without the browser condition, Svelte resolves to its server build and mount() is unavailable.
  resolve: { conditions: ['browser'] },
  test: {
    include: ['renderer/src/**/*.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['renderer/src/test/setup.ts'],
  },
});
