// Unmounts rendered components after each test and replaces the test's fake bridge with one that answers
// nothing, so a debounced call still pending from one test neither leaks into the next nor reaches the network.
import '@testing-library/svelte/vitest';
import { afterEach } from 'vitest';
import { installFakeBridge } from './fakeBridge.ts';

afterEach(() => {
  installFakeBridge({});
});
