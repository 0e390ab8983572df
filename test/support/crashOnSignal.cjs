// Preloaded into a worker (NODE_OPTIONS=--require) by tests of what it does when a bug throws: SIGUSR2
// makes it throw an exception nothing catches, as a bug in any request would.
process.on('SIGUSR2', () =>
  setImmediate(() => {
    throw new Error('a bug, made by the test');
  }),
);
