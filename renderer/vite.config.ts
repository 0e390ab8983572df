// Builds the renderer into dist/renderer for both hosts: Electron loads index.html over file:// (hence
// relative asset URLs) and `strata serve` serves the same files over HTTP.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [svelte()],
  build: {
    outDir: here('../dist/renderer'),
    emptyOutDir: true,
    // Electron 45 and Debian's Chromium are both recent Chromium; no legacy syntax needed.
    target: 'chrome120',
    sourcemap: true,
  },
});
