// The threads that read /dev/fuse: threads are added while every one is busy (a request answered by
// JS holds its thread), up to a bound.
#pragma once

namespace strata {

class Mount;

// Thread i records its requests in slot i of mount.in_flight(), which has max_threads slots.
// Returns once the connection ends (unmount, abort): 0, or -errno if reading the device failed.
int RunSessionLoop(Mount& mount, unsigned max_threads);

}  // namespace strata
