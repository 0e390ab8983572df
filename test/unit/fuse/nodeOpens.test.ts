/**
 * How the node table sends a node's opens (native/fuse/src/nodes.h): all through the page cache or all
 * passed through to one backing file, as the kernel requires; and an open of another file than the one
 * the node passes through to (a copy-up made since) retires the node, whose name then leads to a new
 * one, while the old node's handles keep their backing id until they are released.
 */
import { describeCppRunner } from '../../support/cppRunner.ts';

const cases: [name: string, steps: string, expected: string][] = [
  ['an eligible open passes through, and so does another open of its file', 'ref:f:5 open:1:100:1 open:1:100:0', 'n1 pt10 pt10'],
  ['the last passed-through release lets the backing id go', 'ref:f:5 open:1:100:1 open:1:100:1 release:1:1 release:1:1', 'n1 pt10 pt10 - close10'],
  ['a node open through the page cache is not passed through', 'ref:f:5 open:1:100:0 open:1:100:1', 'n1 cache cache'],
  ['once its opens are released, a node may pass through again', 'ref:f:5 open:1:100:0 release:1:0 open:1:100:1', 'n1 cache - pt10'],
  [
    'an open of another file retires the node: the name leads to a new node, which passes through to that file',
    'ref:f:5 open:1:100:1 open:1:200:1 find:f ref:f:5 open:2:200:1',
    'n1 pt10 retired none n2 pt11',
  ],
  ['an open the engine serves beside a passed-through one retires the node', 'ref:f:5 open:1:100:1 open:1:0:0', 'n1 pt10 retired'],
  ["a retired node's handles let its backing id go", 'ref:f:5 open:1:100:1 open:1:200:1 ref:f:5 release:1:1', 'n1 pt10 retired n2 close10'],
];
const line = ([name, steps, expected]: [string, string, string]) => `${name}\t${steps}\t${expected}`;

describeCppRunner('Nodes opens (native/fuse/src/nodes.h)', 'native/fuse/test/nodes_opens_test.cc', cases.map(line), {
  name: 'an open of another file retires the node: the name leads to a new node, which passes through to that file',
  line: line([cases[4][0], cases[4][1], 'n1 pt10 pt10 n1 n1 pt10']),
});
