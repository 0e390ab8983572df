/**
 * The node table's storage (native/fuse/src/node_slots.h): a node id is its slot and how often that slot
 * was reused, so an id kept past its node's FORGET misses, even once the slot holds another node, and
 * id 0 is never a node.
 */
import { describeCppRunner } from '../../support/cppRunner.ts';

const many = Array.from({ length: 1100 }, (_, i) => `${i + 1}/0`).join(' ');
const cases: [name: string, steps: string, expected: string][] = [
  ['ids start at 1', 'add add get:1 get:2', '1/0 2/0 hit hit'],
  ['id 0 is no node', 'add get:0', '1/0 miss'],
  ['a removed node misses', 'add add remove:1 get:1 get:2', '1/0 2/0 miss hit'],
  ['a freed slot comes back under a new id, empty', 'add add remove:1 add get:1 get:3', '1/0 2/0 1/1 miss hit'],
  ['the last freed slot goes first', 'add add add remove:1 remove:3 add add', '1/0 2/0 3/0 3/1 1/1'],
  ['removing twice frees once', 'add remove:1 remove:1 add add', '1/0 1/1 2/0'],
  ['a stale id does not remove the slot’s new node', 'add remove:1 add remove:1 get:2', '1/0 1/1 hit'],
  ['live nodes listed in slot order', 'add add add remove:2 list', '1/0 2/0 3/0 [1/0,3/0]'],
  ['past the first chunk of slots', `${'add '.repeat(1100)}remove:1050 get:1100 get:1050 add`, `${many} hit miss 1050/1`],
];
const line = ([name, steps, expected]: [string, string, string]) => `${name}\t${steps}\t${expected}`;

describeCppRunner('NodeSlots (native/fuse/src/node_slots.h)', 'native/fuse/test/node_slots_test.cc', cases.map(line), {
  name: 'a freed slot comes back under a new id, empty',
  line: line(['a freed slot comes back under a new id, empty', 'add add remove:1 add get:1 get:3', '1/0 2/0 3/0 miss hit']),
});
