/**
 * Posts to JS that nothing waits on (a copy-up made on a FUSE thread), held back so a burst wakes the
 * JS thread once (native/fuse/src/held_posts.h): each goes, in the order held, before the next call
 * that enters JS or once the hold has passed, and nothing held is lost when the mount stops.
 */
import { describeCppRunner } from '../../support/cppRunner.ts';

const cases: [name: string, steps: string, expected: string][] = [
  ['held until the hold passes', 'hold:a hold:b now wait now', '|ab|'],
  ['a call entering JS goes after what is held', 'hold:a hold:b call:c now', 'abc|'],
  ['held by other threads, sent in order', 'other:a hold:b other:c call:d now', 'abcd|'],
  ['flushed', 'hold:a flush now', 'a|'],
  ['each burst is held anew', 'hold:a wait hold:b now wait now', 'a|b|'],
  ['what is held when the mount stops is sent', 'hold:a stop now', 'a|'],
  ['after the stop, sent at once', 'stop hold:a now', 'a|'],
  ['nothing held, nothing sent', 'flush wait now', '|'],
];
const line = ([name, steps, expected]: [string, string, string]) => `${name}\t${steps}\t${expected}`;

describeCppRunner('HeldPosts (native/fuse/src/held_posts.h)', 'native/fuse/test/held_posts_test.cc', cases.map(line), {
  name: 'held until the hold passes',
  line: line(['held until the hold passes', 'hold:a hold:b now wait now', 'ab||']),
});
