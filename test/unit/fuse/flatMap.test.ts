/**
 * The hash map of the tables every LOOKUP probes (native/fuse/src/flat_map.h): open addressing, where a
 * removal shifts the entries after it back, and a sweep that leaves it sparse shrinks it. It must find
 * what it holds after any mix of puts, removals and sweeps, also when most keys collide and probe runs
 * wrap past the end of the table.
 */
import { describeCppRunner } from '../../support/cppRunner.ts';

const cases: [name: string, hash: string, steps: string, expected: string][] = [
  ['put, then found', 'good', 'put:5 put:6 get:5 get:6 get:7 size', 'new new 50 60 none 2'],
  ['a second put keeps the first value', 'good', 'put:5 put:5 get:5 size', 'new had 50 1'],
  ['removed, then missing', 'good', 'put:5 del:5 get:5 del:5 size', 'new gone none none 0'],
  ['key 0', 'good', 'put:0 get:0 del:0 get:0', 'new 0 gone none'],
  ['a removal in a run of collisions keeps the rest found', 'weak', 'put:8 put:16 put:24 del:16 get:8 get:24 size', 'new new new gone 80 240 2'],
  ['the first of a run removed', 'weak', 'put:8 put:16 put:24 del:8 get:16 get:24 put:8 get:8', 'new new new gone 160 240 new 80'],
  ['growing past the first size', 'good', `${Array.from({ length: 40 }, (_, i) => `put:${i}`).join(' ')} get:0 get:39 size`, `${'new '.repeat(40)}0 390 40`],
  ['a sweep removes what it is told to', 'good', 'put:1 put:2 put:3 put:4 below:3 keys get:2 get:3 size', 'new new new new [1,2] 20 none 2'],
  [
    'a sweep that leaves few shrinks the table, which still finds them',
    'good',
    `${Array.from({ length: 100 }, (_, i) => `put:${i}`).join(' ')} below:5 keys get:4 put:7 keys`,
    `${'new '.repeat(100)}[0,1,2,3,4] 40 new [0,1,2,3,4,7]`,
  ],
  ['a sweep of colliding keys', 'weak', 'put:8 put:16 put:24 put:32 below:20 keys get:8 get:16 get:24', 'new new new new [8,16] 80 160 none'],
  ['random operations agree with std::unordered_map', 'good', 'random:1:200000:5000', 'agree'],
  ['random operations over a small key space', 'good', 'random:2:100000:40', 'agree'],
  ['random operations with colliding keys', 'weak', 'random:3:20000:300', 'agree'],
  ['random operations with colliding keys, a full table', 'weak', 'random:4:20000:24', 'agree'],
];
const line = ([name, hash, steps, expected]: [string, string, string, string]) => `${name}\t${hash}\t${steps}\t${expected}`;

describeCppRunner('FlatMap (native/fuse/src/flat_map.h)', 'native/fuse/test/flat_map_test.cc', cases.map(line), {
  name: 'removed, then missing',
  line: line(['removed, then missing', 'good', 'put:5 del:5 get:5 del:5 size', 'new gone 50 none 0']),
});
