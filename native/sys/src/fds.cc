// Descriptor-based calls.
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "args.h"
#include "inode_flags.h"
#include "methods.h"
#include "promise_work.h"
#include "write_behind.h"

namespace strata {
namespace {

int Ok(int rc) { return rc < 0 ? errno : 0; }

Napi::Value Seek(const Napi::CallbackInfo& info, int whence, const char* syscall) {
  int fd = IntArg(info, 0, "fd");
  off_t offset = Int64Arg(info, 1, "offset");
  auto pos = std::make_shared<off_t>(-1);
  return PromiseWork::Queue(
      info.Env(), {syscall, "", ""},
      [=] {
        *pos = lseek(fd, offset, whence);
        // ENXIO from SEEK_DATA means "only a hole from here on": an answer, not a failure.
        if (*pos < 0) return whence == SEEK_DATA && errno == ENXIO ? 0 : errno;
        return 0;
      },
      [=](Napi::Env env) -> Napi::Value {
        if (*pos < 0) return env.Null();
        return Napi::BigInt::New(env, static_cast<int64_t>(*pos));
      });
}

}  // namespace

Napi::Value FlagsIoctl(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  unsigned long cmd = static_cast<unsigned long>(Int64Arg(info, 1, "cmd"));
  auto arg = std::make_shared<std::vector<char>>(BufferArg(info, 2, "arg"));
  bool set;
  size_t size = FlagsArgSize(cmd, &set);
  if (size == 0 || arg->size() != size) {
    Napi::TypeError error = Napi::TypeError::New(info.Env(), "cmd must be an inode-flags ioctl, and arg its size");
    error.Set("code", "ERR_INVALID_ARG_VALUE");
    throw error;
  }
  return PromiseWork::Queue(
      info.Env(), {"ioctl", "", ""}, [=] { return Ok(ioctl(fd, cmd, arg->data())); },
      [=](Napi::Env env) { return Napi::Buffer<char>::Copy(env, arg->data(), arg->size()); });
}

Napi::Value CarryFlagsTo(const Napi::CallbackInfo& info) {
  unsigned flags = static_cast<unsigned>(Int64Arg(info, 0, "flags"));
  int fd = IntArg(info, 1, "fd");
  return PromiseWork::Queue(info.Env(), {"ioctl", "", ""}, [=] { return CarryFlags(flags, fd); });
}

Napi::Value Futimens(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  struct timespec times[2] = {TimeArg(info, 1, "atime"), TimeArg(info, 2, "mtime")};
  return PromiseWork::Queue(info.Env(), {"futimens", "", ""}, [=] { return Ok(futimens(fd, times)); });
}

Napi::Value SeekData(const Napi::CallbackInfo& info) { return Seek(info, SEEK_DATA, "lseek"); }
Napi::Value SeekHole(const Napi::CallbackInfo& info) { return Seek(info, SEEK_HOLE, "lseek"); }

Napi::Value Fallocate(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  int mode = IntArg(info, 1, "mode");
  off_t offset = Int64Arg(info, 2, "offset"), length = Int64Arg(info, 3, "length");
  return PromiseWork::Queue(
      info.Env(), {"fallocate", "", ""}, [=] { return Ok(fallocate(fd, mode, offset, length)); }, nullptr,
      PromiseWork::Cost::kData);
}

// A copy this short (a small file's copy-up) costs about what a metadata call does, and runs where
// those do (promise_work.h).
constexpr size_t kSmallCopy = 64 * 1024;

Napi::Value CopyFileRange(const Napi::CallbackInfo& info) {
  int fdIn = IntArg(info, 0, "fdIn");
  loff_t offIn = Int64Arg(info, 1, "offIn");
  int fdOut = IntArg(info, 2, "fdOut");
  loff_t offOut = Int64Arg(info, 3, "offOut");
  size_t length = UintArg(info, 4, "length");
  auto copied = std::make_shared<ssize_t>(0);
  return PromiseWork::Queue(
      info.Env(), {"copy_file_range", "", ""},
      [=]() mutable {
        *copied = copy_file_range(fdIn, &offIn, fdOut, &offOut, length, 0);
        return *copied < 0 ? errno : 0;
      },
      [=](Napi::Env env) { return Napi::Number::New(env, static_cast<double>(*copied)); },
      length <= kSmallCopy ? PromiseWork::Cost::kMetadata : PromiseWork::Cost::kData);
}

// True once [pos, pos + len) of `fd` is on its way to disk and [beforePos, beforePos + beforeLen) is
// there; false where the file cannot take it (write_behind.h).
Napi::Value WriteBehindRange(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  off_t pos = Int64Arg(info, 1, "pos"), len = Int64Arg(info, 2, "len");
  off_t before_pos = Int64Arg(info, 3, "beforePos"), before_len = Int64Arg(info, 4, "beforeLen");
  auto taken = std::make_shared<bool>(true);
  return PromiseWork::Queue(
      info.Env(), {"sync_file_range", "", ""},
      [=] {
        if (WriteBehind(fd, pos, len, before_pos, before_len) == 0) return 0;
        *taken = false;
        return errno == EOPNOTSUPP ? 0 : errno;
      },
      [=](Napi::Env env) { return Napi::Boolean::New(env, *taken); }, PromiseWork::Cost::kData);
}

// The file behind descriptor `to` becomes the one behind `from`, in one step: a pread or pwrite on
// `to` from another thread sees either file, never a closed or reused descriptor number.
Napi::Value Dup3(const Napi::CallbackInfo& info) {
  int from = IntArg(info, 0, "from");
  int to = IntArg(info, 1, "to");
  return PromiseWork::Queue(info.Env(), {"dup3", "", ""}, [=] { return Ok(dup3(from, to, O_CLOEXEC)); });
}

// True once this process holds `fd`'s file locked (flock, exclusive); false while another open of it
// holds the lock. Never waits: a lock's holder may be a worker stuck on its mount.
Napi::Value TryLock(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  auto taken = std::make_shared<bool>(true);
  return PromiseWork::Queue(
      info.Env(), {"flock", "", ""},
      [=] {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
        *taken = false;
        return errno == EWOULDBLOCK ? 0 : errno;
      },
      [=](Napi::Env env) { return Napi::Boolean::New(env, *taken); });
}

}  // namespace strata
