// Ambient types for the renderer: *.svelte modules and runes for tsc, asset imports for Vite.
/// <reference types="svelte" />
/// <reference types="vite/client" />
