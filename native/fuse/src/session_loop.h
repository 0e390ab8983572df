// The threads that read /dev/fuse: threads are added while every one is busy (a request answered by
// JS holds its thread), up to a bound, and those a busy spell leaves idle beyond a few readers park
// until they are needed again. Where the kernel took FUSE over io_uring at INIT, the ring's
// threads (ring_loop.h) start once the INIT reply is written and stop with these.
#pragma once

namespace strata {

class Mount;

// Thread i records its requests in slot i of mount.in_flight(); the ring's threads take the slots
// after the first max_threads.
// Returns once the connection ends (unmount, abort): 0, or -errno if reading the device failed.
int RunSessionLoop(Mount& mount, unsigned max_threads);

}  // namespace strata
