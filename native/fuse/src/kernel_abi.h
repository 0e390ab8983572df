// The FUSE wire protocol as this binding speaks it: Debian 12's <linux/fuse.h> (7.38) plus what later
// kernels added that Strata uses (passthrough, 7.40; FUSE over io_uring, 7.42). Values are the kernel's;
// nothing here is libfuse.
#pragma once
#include <linux/fuse.h>
#include <sys/ioctl.h>

#include <cstddef>
#include <cstdint>

namespace strata::abi {

// Passthrough (Linux 6.9): the daemon registers a backing file and names it in the open reply; the
// kernel then reads, writes and maps through it without asking the daemon.
constexpr uint64_t kInitPassthrough = 1ULL << 37;
constexpr uint32_t kOpenPassthrough = 1U << 7;
// fuse_init_out's first unused word since 7.40.
inline uint32_t& MaxStackDepth(struct fuse_init_out& out) { return out.unused[0]; }
// fuse_open_out's padding since 7.40.
inline int32_t& BackingId(struct fuse_open_out& out) { return reinterpret_cast<int32_t&>(out.padding); }

struct BackingMap {
  int32_t fd;
  uint32_t flags;
  uint64_t padding;
};
constexpr unsigned long kIocBackingOpen = _IOW(229, 1, struct BackingMap);
constexpr unsigned long kIocBackingClose = _IOW(229, 2, uint32_t);

// FUSE over io_uring (Linux 6.14, with fuse.enable_uring=Y): the daemon registers ring entries per CPU
// with IORING_OP_URING_CMD on /dev/fuse, and each request arrives in, and is answered from, an entry.
constexpr uint64_t kInitOverIoUring = 1ULL << 41;
constexpr uint32_t kUringCmdRegister = 1;
constexpr uint32_t kUringCmdCommitAndFetch = 2;
constexpr size_t kUringInOutSize = 128;  // fuse_in_header in, fuse_out_header out
constexpr size_t kUringOpInSize = 128;   // the request's first argument

struct UringEntInOut {
  uint64_t flags;
  uint64_t commit_id;
  uint32_t payload_sz;  // in: the arguments after the first; out: the reply after its header
  uint32_t padding;
  uint64_t reserved;
};
struct UringReqHeader {
  char in_out[kUringInOutSize];
  char op_in[kUringOpInSize];
  UringEntInOut ent;
};
// The command's 80 bytes in an SQE128.
struct UringCmdReq {
  uint64_t flags;
  uint64_t commit_id;
  uint16_t qid;
  uint8_t padding[6];
};

// FUSE_ROOT_ID, and the inode number readdir gives when it does not know one.
constexpr uint64_t kRootId = FUSE_ROOT_ID;
constexpr uint64_t kUnknownIno = 0xffffffff;

}  // namespace strata::abi
