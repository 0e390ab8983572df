// A small file opened for reading on a branch the union does not write in place is read whole at open
// and handed to the kernel's page cache with the open's reply (FUSE_NOTIFY_STORE), so that reading it
// takes no READ request: a program that opens, reads and closes many small files (find + cat, a
// compiler, git) waits for two requests per file instead of three. A reader's first read of a file this
// small usually asks for all of it anyway (readahead).
//
// Only where the open keeps the page cache (otherwise the kernel drops it as the open completes), and
// once per node until a READ from the file's start shows the kernel has let the pages go (Nodes::Fill).
// What is stored is what the open's own descriptor reads, so it is as current as a READ's reply; only a
// copy-up can change the file through the union meanwhile, and it repoints this handle first: then the
// pages are dropped again.
#pragma once
#include <cstdint>

#include "mount.h"

namespace strata {

inline constexpr int64_t kPrefillMax = 64 * 1024;

// `file`: the open's handle, as the open reply found it.
void Prefill(Mount& mount, uint64_t nodeid, const struct fuse_file_info& fi, const OpenFile& file);

}  // namespace strata
