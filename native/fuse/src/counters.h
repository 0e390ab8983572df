// Requests answered on the FUSE threads without JS, by kind: the engine's activity counts only see
// the ones that reach it, so the worker adds these in (MountSession.stats). From kFirstNote on, the
// counts are not requests but say how requests counted above were served, or what they carried
// (OpStats.served): `readdirplus`: names a listing handed over with their node and attributes, which
// the kernel then needs no lookup for; `forget`: nodes the kernel let go of; `passthrough`: opens whose reads and
// writes the kernel does itself (not counted in read, write or the byte counts); `io_uring`: requests of any kind that
// came through the FUSE ring (ring_loop.h) rather than /dev/fuse; `prefill`: opens that put the whole file in the
// kernel's page cache (prefill.h); `copyup`: copy-ups made on the FUSE thread (copy_up.h), which OpStats.copyups
// adds to the engine's own; `published`: directories resolved on the FUSE thread for a lookup (publish_dir.h); `spun`:
// requests taken by the spinning reader without a wake-up (spin_reader.h); `spin_reads`: its reads of the device, each
// one a request taken or none (so still while nobody spins).
#pragma once
#include <atomic>
#include <cstdint>

namespace strata {

class Counters {
 public:
  enum Op {
    kGetattr,
    kRead,
    kWrite,
    kFlush,
    kChmod,
    kChown,
    kTruncate,
    kUtimens,
    kGetxattr,
    kListxattr,
    kSetxattr,
    kRemovexattr,
    kReadlink,
    kCopyFileRange,
    kOpen,
    kCreate,
    kTmpFile,
    kMkdir,
    kMknod,
    kSymlink,
    kRelease,
    kFsync,
    kFsyncdir,
    kFallocate,
    kLseek,
    kIoctl,
    kUnlink,
    kRmdir,
    kRename,
    kLink,
    kOpendir,
    kReaddir,
    kStatfs,
    kReaddirplus,
    kForget,
    kPassthrough,
    kIoUring,
    kPrefill,
    kCopyup,
    kPublished,
    kSpun,
    kSpinReads,
    kCount,
    kFirstNote = kReaddirplus
  };
  static constexpr const char* kNames[] = {
      "getattr",     "read",     "write",     "flush",    "chmod",       "chown",       "truncate",
      "utimens",     "getxattr", "listxattr", "setxattr", "removexattr", "readlink",    "copy_file_range",
      "open",        "create",   "tmpfile",   "mkdir",    "mknod",       "symlink",     "release",
      "fsync",       "fsyncdir", "fallocate", "lseek",    "ioctl",       "unlink",      "rmdir",
      "rename",      "link",     "opendir",   "readdir",  "statfs",      "readdirplus", "forget",
      "passthrough", "io_uring", "prefill",   "copyup",   "published",   "spun",        "spin_reads"};
  static_assert(sizeof kNames / sizeof kNames[0] == kCount, "one name per Op, in order");

  void Count(Op op) { ops_[op].fetch_add(1, std::memory_order_relaxed); }
  void Read(int64_t bytes) {
    Count(kRead);
    if (bytes > 0) read_.fetch_add(bytes, std::memory_order_relaxed);
  }
  // A prefill's bytes were read from the branch for the union, as a READ's are.
  void Prefilled(int64_t bytes) {
    Count(kPrefill);
    read_.fetch_add(bytes, std::memory_order_relaxed);
  }
  void Wrote(int64_t bytes) {
    Count(kWrite);
    if (bytes > 0) written_.fetch_add(bytes, std::memory_order_relaxed);
  }

  uint64_t Ops(Op op) const { return ops_[op].load(std::memory_order_relaxed); }
  uint64_t BytesRead() const { return read_.load(std::memory_order_relaxed); }
  uint64_t BytesWritten() const { return written_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> ops_[kCount] = {};
  std::atomic<uint64_t> read_{0}, written_{0};
};

}  // namespace strata
