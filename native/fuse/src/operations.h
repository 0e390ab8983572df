#pragma once
#include <fuse.h>

namespace strata {

// The libfuse high-level operation table: each op either runs natively (reads/writes on handed-over
// descriptors) or becomes one Call to JS.
extern const struct fuse_operations kOperations;

}  // namespace strata
