// Serves one FUSE request as the kernel sent it: decodes it, names its nodes as union paths
// (nodes.h), runs the op (ops.h: natively or through one Call to JS), keeps the node table in step
// with what the kernel now holds, and replies. The one list of opcodes this binding answers.
#pragma once
#include <cstddef>
#include <cstdint>

namespace strata {

class Mount;
class ReplyTo;

struct ServeConfig {
  double attr_timeout = 1, entry_timeout = 1, negative_timeout = 0;
  uint32_t max_write = 1 << 20;
  // Ask the kernel for passthrough at INIT (root only: registering a backing file takes CAP_SYS_ADMIN).
  bool passthrough = false;
  // Take requests through io_uring where the kernel offers it (ring_loop.h).
  bool io_uring = false;
  // Keep a reader spinning on the device for a while after each request (spin_reader.h).
  bool spin = false;
};

// What a thread needs to read one request: the kernel refuses smaller buffers.
size_t RequestBufferSize(const ServeConfig& config);

// `buf`: one whole request, `len` bytes, answered to `out`. Returns false after DESTROY.
bool Serve(Mount& mount, const ReplyTo& out, char* buf, size_t len);

}  // namespace strata
