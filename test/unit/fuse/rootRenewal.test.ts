/**
 * The FUSE threads publish the union root again from the branches' roots (native/fuse/src/publish_dir.h)
 * only after the engine published it, only once its publication lapsed, and never across a drop of the
 * root (a reconfiguration, or a change to what it merges), which the engine must see first.
 */
import { describeCppRunner } from '../../support/cppRunner.ts';

const cases: [name: string, steps: string, expected: string][] = [
  ['never published by the engine', 'ask wait renew', 'refused'],
  ['the engine’s publication lapsed', 'engine ask wait renew', 'put'],
  ['the engine’s publication stands', 'engine ask renew', 'refused'],
  ['a renewal stands like the engine’s, then lapses', 'engine ask wait renew renew wait renew', 'put refused put'],
  ['the root dropped after the ask', 'engine ask drop wait renew', 'refused'],
  ['the root dropped before the ask', 'engine drop ask wait renew', 'refused'],
  ['published by the engine again after a drop', 'engine drop engine ask wait renew', 'put'],
  ['a directory below dropped', 'engine ask dropx wait renew', 'put'],
];
const line = ([name, steps, expected]: [string, string, string]) => `${name}\t${steps}\t${expected}`;

describeCppRunner('the root’s renewal (native/fuse/src/dir_attrs.h)', 'native/fuse/test/root_renewal_test.cc', cases.map(line), {
  name: 'the root dropped after the ask',
  line: line(['the root dropped after the ask', 'engine ask drop wait renew', 'put']),
});
