// One mounted filesystem: its FUSE connection (mounted through libfuse, then served by Strata's own
// loop: session_loop.cc, requests.cc), the native thread running the loop, and the thread-safe
// functions that carry requests and lifecycle events to the JS thread.
//
// JS: new Mount(mountpoint, optionString, { attrTimeout, entryTimeout, negativeTimeout, kernelCache, passthrough },
//               dispatch(id, op, path, ...args), onEvent(kind: 'ready' | 'failed' | 'exited', code),
//               onChange(rel))   a branch changed what directory rel merges (invalidator.h)
//     .unmount(): Promise   umount2(mountpoint, 0): EBUSY while in use, EPERM when not root
//     .destroy(): Promise   once the kernel has let go: join the loop thread, free libfuse
//     .invalidate(path): Promise
//     .stats() -> { ops: { getattr, read, ... }, bytesRead, bytesWritten }   counters.h
//     .requests() -> [{since, device}] for every request being served: when it came or last made headway
//         (ms since the epoch), and the dev_t of the disk it waits on (0 for none)
//     .invalidateAll(): Promise   every path the kernel may still hold attributes for (reconfiguration)
//     .putDir(rel, layerRoots, ttlMs) / .dropDirs(rel) / .numberIno(dev, branchIno, ino)   dir_attrs.h
//         layerRoots: the branch root descriptor of each merged copy of rel, top-down
//     .branchModes(BranchModes)   branch_modes.h (fuse/ops.ts)
//     .numberFor(dev, branchIno) -> bigint   the union inode number of a branch object (dir_attrs.h)
//     .publishedFor(rel, gen) -> ms left to publication number gen of rel, 0 if gone (publish_dir.h)
//     .handles() / .repointHandle(fh, fd, root)   the handles the FUSE threads keep (open_files.h)
//     .passedThrough(fh) -> boolean   whether the kernel reads and writes a handle's file itself
#pragma once
#include <fuse_lowlevel.h>
#include <napi.h>

#include <future>
#include <memory>
#include <shared_mutex>
#include <string>
#include <thread>

#include "branch_modes.h"
#include "call.h"
#include "counters.h"
#include "dir_attrs.h"
#include "held_posts.h"
#include "in_flight.h"
#include "invalidator.h"
#include "known_paths.h"
#include "open_files.h"
#include "request.h"
#include "requests.h"
#include "ring_loop.h"
#include "session.h"

namespace strata {

struct Event {
  const char* kind;
  int code;
};

class Mount : public Napi::ObjectWrap<Mount> {
 public:
  // Each loop thread waits for its request's answer (JS holds it), so this bounds how many requests
  // JS can have in flight.
  static constexpr unsigned kMaxThreads = 64;

  static Napi::Function Define(Napi::Env env);
  explicit Mount(const Napi::CallbackInfo& info);

  // The Mount serving the current FUSE request.
  static Mount& Current() { return *Request::current.mount; }

  // FUSE thread: false when the JS side is being torn down. Posts held before go first.
  bool Dispatch(Call* call);
  // FUSE thread: a posted call JS need not see at once (Call::Hold).
  void Hold(Call* call) { held_.Hold(call); }
  const ServeConfig& config() const { return config_; }
  const Device& device() const { return *session_->device; }
  Nodes& nodes() { return session_->nodes; }
  // FUSE thread, at INIT: whether the kernel took passthrough, io_uring and the longer SETXATTR
  // argument (which says when an ACL change drops the set-group-ID bit).
  void Initialized(bool passthrough, bool io_uring, bool setxattr_ext);
  // Requests come by io_uring once the INIT reply is in (ring_loop.h).
  bool UsesRing() const { return io_uring_; }
  bool SetxattrExt() const { return setxattr_ext_; }
  // Passthrough (requests.cc decides per node): a handle whose reads and writes the kernel may do on
  // its branch file, and registering that file. Only handles on a branch the union writes in place
  // qualify (and in a union that writes none, those on any branch): a copy-up or moveonenospc
  // re-points a handle, which the kernel cannot follow.
  bool MayPassThrough(uint64_t fh) const;
  int32_t OpenBacking(uint64_t fh);
  void CloseBacking(int32_t backing);
  OpenFiles& files() { return files_; }
  DirAttrs& dirs() { return dirs_; }
  const BranchModes& branch_modes() const { return branch_modes_; }
  KnownPaths& known() { return known_; }
  // The kernel may keep a file's pages across opens (file_ops.cc decides per open).
  bool KeepsPageCache() const { return kernel_cache_; }
  Counters& counters() { return counters_; }
  InFlight& in_flight() { return in_flight_; }
  // FUSE thread: only for a path whose pages the current request cannot hold locked.
  void InvalidateNow(const char* path) { session_->InvalidatePath(path); }
  // FUSE thread, any request.
  void InvalidateAttrs(const char* path) { session_->InvalidatePath(path, false); }
  Invalidator& invalidator() { return invalidator_; }

 private:
  static void CallJs(Napi::Env env, Napi::Function dispatcher, Mount* mount, Call* call);
  static void EventJs(Napi::Env env, Napi::Function onEvent, Mount* mount, Event* event);
  struct Change;
  static void ChangeJs(Napi::Env env, Napi::Function onChange, Mount* mount, Change* change);
  using Dispatcher = Napi::TypedThreadSafeFunction<Mount, Call, CallJs>;
  using Events = Napi::TypedThreadSafeFunction<Mount, Event, EventJs>;
  using Changes = Napi::TypedThreadSafeFunction<Mount, Change, ChangeJs>;

  Napi::Value Unmount(const Napi::CallbackInfo& info);
  Napi::Value Destroy(const Napi::CallbackInfo& info);
  Napi::Value Invalidate(const Napi::CallbackInfo& info);
  Napi::Value InvalidateAll(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Requests(const Napi::CallbackInfo& info);
  Napi::Value PutDir(const Napi::CallbackInfo& info);
  Napi::Value DropDirs(const Napi::CallbackInfo& info);
  Napi::Value NumberIno(const Napi::CallbackInfo& info);
  Napi::Value SetBranchModes(const Napi::CallbackInfo& info);
  Napi::Value NumberFor(const Napi::CallbackInfo& info);
  Napi::Value PublishedFor(const Napi::CallbackInfo& info);
  Napi::Value Handles(const Napi::CallbackInfo& info);
  Napi::Value RepointHandle(const Napi::CallbackInfo& info);
  Napi::Value PassedThrough(const Napi::CallbackInfo& info);
  void Loop();
  void Unmounted();
  void Post(const char* kind, int code);
  void ReportChange(const std::string& rel);

  std::string mountpoint_;
  ServeConfig config_;
  bool kernel_cache_ = false;
  bool passthrough_ = false;   // taken by the kernel at INIT
  bool io_uring_ = false;      // likewise
  bool setxattr_ext_ = false;  // likewise
  struct fuse_session* se_ = nullptr;
  std::shared_ptr<Session> session_ = std::make_shared<Session>();
  std::thread thread_;
  bool mounted_ = false;  // written by the loop thread before it ends; read after join
  bool destroying_ = false;
  Dispatcher dispatcher_;
  // Declared after dispatcher_, so gone before it.
  HeldPosts<Call*> held_{[this](Call* call) {
    if (dispatcher_.BlockingCall(call) != napi_ok) call->Abandon();
  }};
  Events events_;
  Changes changes_;
  OpenFiles files_;
  DirAttrs dirs_;
  BranchModes branch_modes_;
  KnownPaths known_{session_->nodes};
  Counters counters_;
  InFlight in_flight_{kMaxThreads + RingLoop::Slots()};
  Invalidator invalidator_{session_, known_, dirs_};
};

}  // namespace strata
