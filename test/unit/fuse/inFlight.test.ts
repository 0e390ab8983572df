/**
 * The native loop threads' clock of the requests they serve (native/fuse/src/in_flight.h): a request
 * that makes headway (a copy-up copying chunk after chunk) starts its clock again, so only one that
 * stands still reports the union hung; headway said where no request is served moves nothing. A request
 * that waits on a disk names it until it is answered, and the next request on that thread names none.
 */
import { describeCppRunner } from '../../support/cppRunner.ts';

const cases: [name: string, steps: string, expected: string][] = [
  ['a request taken', 'start wait', 'taken'],
  ['a request answered', 'start wait end', 'none'],
  ['headway restarts its clock', 'start wait progress', 'later'],
  ['headway said by a thread serving nothing', 'start wait elsewhere', 'taken'],
  ['headway after the answer', 'start end wait progress', 'none'],
  ['an fsync waiting on its disk', 'start disk wait', 'taken on 8:1'],
  ['the next request on that thread', 'start disk end wait start', 'later'],
  ['headway while waiting on a disk', 'start disk wait progress', 'later on 8:1'],
];
const line = ([name, steps, expected]: [string, string, string]) => `${name}\t${steps}\t${expected}`;

describeCppRunner('InFlight (native/fuse/src/in_flight.h)', 'native/fuse/test/in_flight_test.cc', cases.map(line), {
  name: 'headway restarts its clock',
  line: line(['headway restarts its clock', 'start wait progress', 'taken']),
});
