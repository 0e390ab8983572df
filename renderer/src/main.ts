// Renderer entry: theme first (no flash of the wrong scheme), then the app.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { applyTheme } from './lib/stores/theme.svelte.ts';

applyTheme();
mount(App, { target: document.getElementById('app')! });
