// The threads that read /dev/fuse: threads are added while every one is busy (a request answered by
// JS holds its thread), up to a bound.
#pragma once

namespace strata {

class Mount;

// Returns once the connection ends (unmount, abort): 0, or -errno if reading the device failed.
int RunSessionLoop(Mount& mount, unsigned max_threads);

}  // namespace strata
