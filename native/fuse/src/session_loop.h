// libfuse's multi-threaded loop, with each request's header kept where the ops can read it
// (request.h): threads are added while every one is busy (a request answered by JS holds its thread),
// up to a bound.
#pragma once
#include <fuse_lowlevel.h>

namespace strata {

// Returns once the session ends (unmount): 0, or -errno if reading the device failed.
int RunSessionLoop(struct fuse_session* se, unsigned max_threads);

}  // namespace strata
