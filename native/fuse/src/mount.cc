#include "mount.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>

#include <algorithm>

#include "bytes.h"
#include "convert.h"
#include "kernel_abi.h"
#include "prefill.h"
#include "promise_work.h"
#include "session_loop.h"

namespace strata {

namespace {

// Requests carry up to 1 MiB of data (the kernel's limit with FUSE_MAX_PAGES): 32x fewer round trips
// than 4 KiB writes.
constexpr unsigned kMaxWrite = 1 << 20;
// A path answered this long after the longest cache timeout is surely expired in the kernel.
constexpr double kHorizonMargin = 0.5;
// How long the invalidator waits for JS to drop its caches before going on without it.
constexpr auto kChangeAckTimeout = std::chrono::seconds(1);

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* name) { return PathFromJs(info[i], name); }

Napi::Function FunctionArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsFunction()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a function");
  return info[i].As<Napi::Function>();
}

double NumberField(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("config.") + key + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

}  // namespace

Napi::Function Mount::Define(Napi::Env env) {
  return DefineClass(
      env, "Mount",
      {InstanceMethod<&Mount::Unmount>("unmount"), InstanceMethod<&Mount::Destroy>("destroy"),
       InstanceMethod<&Mount::Invalidate>("invalidate"), InstanceMethod<&Mount::InvalidateAll>("invalidateAll"),
       InstanceMethod<&Mount::Stats>("stats"), InstanceMethod<&Mount::Requests>("requests"),
       InstanceMethod<&Mount::PutDir>("putDir"), InstanceMethod<&Mount::DropDirs>("dropDirs"),
       InstanceMethod<&Mount::NumberIno>("numberIno"), InstanceMethod<&Mount::SetBranchModes>("branchModes"),
       InstanceMethod<&Mount::NumberFor>("numberFor"), InstanceMethod<&Mount::PublishedFor>("publishedFor"),
       InstanceMethod<&Mount::Handles>("handles"), InstanceMethod<&Mount::RepointHandle>("repointHandle"),
       InstanceMethod<&Mount::PassedThrough>("passedThrough")});
}

Mount::Mount(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Mount>(info) {
  Napi::Env env = info.Env();
  mountpoint_ = StringArg(info, 0, "mountpoint");
  std::string options = StringArg(info, 1, "options");
  if (!info[2].IsObject()) throw Napi::TypeError::New(env, "config must be an object");
  Napi::Object config = info[2].As<Napi::Object>();
  config_.attr_timeout = NumberField(config, "attrTimeout");
  config_.entry_timeout = NumberField(config, "entryTimeout");
  config_.negative_timeout = NumberField(config, "negativeTimeout");
  config_.max_write = kMaxWrite;
  // Registering a backing file takes CAP_SYS_ADMIN; without it the kernel would refuse every open.
  config_.passthrough = config.Get("passthrough").ToBoolean() && geteuid() == 0;
  kernel_cache_ = config.Get("kernelCache").ToBoolean();
  config_.io_uring = config.Get("ioUring").ToBoolean();
  config_.spin = config.Get("spin").ToBoolean();
  Napi::Function dispatch = FunctionArg(info, 3, "dispatch");
  Napi::Function on_event = FunctionArg(info, 4, "onEvent");
  Napi::Function on_change = FunctionArg(info, 5, "onChange");
  // With nothing cached there is nothing to track.
  double longest = std::max({config_.attr_timeout, config_.entry_timeout, config_.negative_timeout});
  known_.SetHorizon(longest > 0 ? longest + kHorizonMargin : 0);

  // libfuse mounts (through fusermount3 when not root) and checks the options; requests are read from
  // its descriptor by Strata's loop, never by libfuse's, so its own ops table stays empty.
  char program[] = "strata", dash_o[] = "-o";
  char* argv[] = {program, dash_o, options.data(), nullptr};
  struct fuse_args args = FUSE_ARGS_INIT(3, argv);
  static const struct fuse_lowlevel_ops kNoOps = {};
  se_ = fuse_session_new(&args, &kNoOps, sizeof kNoOps, nullptr);
  fuse_opt_free_args(&args);
  if (se_ == nullptr) throw Napi::Error::New(env, "libfuse rejected the mount options: " + options);

  dispatcher_ = Dispatcher::New(env, dispatch, "strata_fuse", 0, 1, this);
  events_ = Events::New(env, on_event, "strata_fuse_events", 0, 1, this);
  changes_ = Changes::New(env, on_change, "strata_fuse_changes", 0, 1, this);
  invalidator_.Start(config_.attr_timeout, [this](const std::string& rel) { ReportChange(rel); });
  // Kept alive until destroy(): libfuse threads hold a pointer to this object.
  Ref();
  // Signals belong to Node's main thread: the loop thread and libfuse's workers (which inherit its
  // mask) must never receive one.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  thread_ = std::thread(&Mount::Loop, this);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

void Mount::Loop() {
  if (fuse_session_mount(se_, mountpoint_.c_str()) != 0) {
    Post("failed", errno);
  } else {
    mounted_ = true;
    session_->device = std::make_unique<Device>(fuse_session_fd(se_));
    Post("exited", RunSessionLoop(*this, kMaxThreads));
  }
  events_.Release();
}

void Mount::Initialized(bool passthrough, bool io_uring, bool setxattr_ext) {
  passthrough_ = passthrough;
  io_uring_ = io_uring;
  setxattr_ext_ = setxattr_ext;
  Post("ready", 0);
}

bool Mount::MayPassThrough(uint64_t fh) const {
  if (!passthrough_) return false;
  OpenFile file = files_.Get(fh);
  if (file.fd < 0) return false;
  // A file on a branch the union copies up from passes through where it never gets a new copy, in a
  // union that writes no branch (a reconfiguration that makes one writable is met by Nodes::Opened), or
  // where the union says so (`all`), unless prefill puts it in the page cache whole with the open's
  // reply (prefill.h).
  bool unfilled = file.size > kPrefillMax;
  switch (branch_modes_.PassesThrough()) {
    case BranchModes::Passthrough::kOff:
      return false;
    case BranchModes::Passthrough::kAll:
      return file.attrs || unfilled;
    case BranchModes::Passthrough::kAuto:
      return file.attrs || (branch_modes_.WritesNone() && unfilled);
  }
  return false;
}

int32_t Mount::OpenBacking(uint64_t fh) {
  abi::BackingMap map = {files_.Get(fh).fd, 0, 0};
  int id = ioctl(session_->device->fd(), abi::kIocBackingOpen, &map);
  if (id > 0) return id;
  // A branch on a stacked filesystem (overlayfs, another FUSE mount) cannot back one: page cache then.
  static std::atomic<bool> warned{false};
  if (!warned.exchange(true))
    fprintf(stderr, "strata: FUSE passthrough refused (%s); serving reads and writes itself\n", strerror(errno));
  return 0;
}

void Mount::CloseBacking(int32_t backing) {
  uint32_t id = static_cast<uint32_t>(backing);
  if (ioctl(session_->device->fd(), abi::kIocBackingClose, &id) < 0) perror("strata: FUSE_DEV_IOC_BACKING_CLOSE");
}

void Mount::Post(const char* kind, int code) { events_.BlockingCall(new Event{kind, code}); }

bool Mount::Dispatch(Call* call) {
  held_.Flush();
  return dispatcher_.BlockingCall(call) == napi_ok;
}

void Mount::CallJs(Napi::Env env, Napi::Function dispatcher, Mount*, Call* call) {
  if (env == nullptr) {
    call->Abandon();
    return;
  }
  call->Dispatch(env, dispatcher);
}

struct Mount::Change {
  std::string rel;
  std::promise<void> done;
};

void Mount::ReportChange(const std::string& rel) {
  auto* change = new Change{rel, {}};
  std::future<void> done = change->done.get_future();
  if (changes_.BlockingCall(change) != napi_ok) {
    delete change;
    return;
  }
  done.wait_for(kChangeAckTimeout);
}

void Mount::ChangeJs(Napi::Env env, Napi::Function on_change, Mount*, Change* change) {
  if (env != nullptr) {
    try {
      on_change.Call({PathToJs(env, change->rel)});
    } catch (const Napi::Error& e) {
      fprintf(stderr, "strata: onChange(%s) threw: %s\n", change->rel.c_str(), e.Message().c_str());
    }
  }
  change->done.set_value();
  delete change;
}

void Mount::EventJs(Napi::Env env, Napi::Function on_event, Mount*, Event* event) {
  if (env != nullptr) on_event.Call({Napi::String::New(env, event->kind), Napi::Number::New(env, event->code)});
  delete event;
}

Napi::Value Mount::Unmount(const Napi::CallbackInfo& info) {
  std::string mountpoint = mountpoint_;
  // Not lazy: a busy mount must say EBUSY instead of lingering detached.
  return PromiseWork::Queue(info.Env(), {"umount2", mountpoint, ""},
                            [mountpoint] { return umount2(mountpoint.c_str(), 0) < 0 ? errno : 0; });
}

Napi::Value Mount::Destroy(const Napi::CallbackInfo& info) {
  if (destroying_) throw Napi::Error::New(info.Env(), "Mount.destroy() called twice");
  destroying_ = true;
  // Joining waits for requests JS is still answering, so it must not run on the JS thread.
  return PromiseWork::Queue(
      info.Env(), {"fuse_session_destroy", mountpoint_, ""},
      [this] {
        thread_.join();
        invalidator_.Stop();
        held_.Stop();
        std::unique_lock<std::shared_mutex> lock(session_->mutex);
        session_->device.reset();
        // After a kernel-side unmount this only closes /dev/fuse.
        if (mounted_) fuse_session_unmount(se_);
        fuse_session_destroy(se_);
        se_ = nullptr;
        // The opened branch directories go with the mount, so a branch's filesystem can be unmounted
        // as soon as the union is.
        dirs_.Drop("/");
        return 0;
      },
      [this](Napi::Env env) {
        dispatcher_.Release();
        changes_.Release();
        Unref();
        return env.Undefined();
      });
}

Napi::Value Mount::Invalidate(const Napi::CallbackInfo& info) {
  std::string path = StringArg(info, 0, "path");
  std::shared_ptr<Session> session = session_;
  // The kernel may wait on pages locked by requests JS is serving: never call this on the JS thread.
  return PromiseWork::Queue(info.Env(), {"FUSE_NOTIFY_INVAL_INODE", path, ""},
                            [session, path] { return session->InvalidatePath(path); });
}

Napi::Value Mount::InvalidateAll(const Napi::CallbackInfo& info) {
  std::shared_ptr<Session> session = session_;
  std::vector<KnownPath> paths = known_.Under("/");
  return PromiseWork::Queue(info.Env(), {"FUSE_NOTIFY_INVAL_INODE", "/", ""}, [session, paths] {
    for (const KnownPath& path : paths) session->InvalidateAll(path);
    return 0;
  });
}

Napi::Value Mount::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object ops = Napi::Object::New(env), served = Napi::Object::New(env);
  for (int op = 0; op < Counters::kCount; op++) {
    (op < Counters::kFirstNote ? ops : served)
        .Set(Counters::kNames[op],
             Napi::Number::New(env, static_cast<double>(counters_.Ops(static_cast<Counters::Op>(op)))));
  }
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("ops", ops);
  stats.Set("served", served);
  stats.Set("bytesRead", Napi::Number::New(env, static_cast<double>(counters_.BytesRead())));
  stats.Set("bytesWritten", Napi::Number::New(env, static_cast<double>(counters_.BytesWritten())));
  return stats;
}

Napi::Value Mount::Requests(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<InFlight::Standing> standing = in_flight_.Requests();
  Napi::Array out = Napi::Array::New(env, standing.size());
  for (size_t i = 0; i < standing.size(); i++) {
    Napi::Object one = Napi::Object::New(env);
    one.Set("since", Napi::Number::New(env, static_cast<double>(standing[i].since)));
    one.Set("device", Napi::Number::New(env, static_cast<double>(standing[i].device)));
    out.Set(static_cast<uint32_t>(i), one);
  }
  return out;
}

Napi::Value Mount::PutDir(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[1].IsArray() || !info[2].IsNumber()) throw Napi::TypeError::New(env, "putDir(rel, layerRoots, ttlMs)");
  Napi::Array given = info[1].As<Napi::Array>();
  std::string rel = StringArg(info, 0, "rel");
  DirLayers layers;
  for (uint32_t i = 0; i < given.Length(); i++) {
    Napi::Value root = given.Get(i);
    if (!root.IsNumber() || root.As<Napi::Number>().Int32Value() < 0)
      throw Napi::TypeError::New(env, "putDir: each layer root must be a descriptor");
    layers.push_back(std::make_shared<DirLayer>(root.As<Napi::Number>().Int32Value(), rel));
  }
  invalidator_.Watch(rel, layers);
  dirs_.Put(rel, std::move(layers), info[2].As<Napi::Number>().DoubleValue());
  return env.Undefined();
}

Napi::Value Mount::DropDirs(const Napi::CallbackInfo& info) {
  dirs_.Drop(StringArg(info, 0, "rel"));
  return info.Env().Undefined();
}

Napi::Value Mount::NumberIno(const Napi::CallbackInfo& info) {
  dirs_.Number(ToU64(info[0], "dev"), ToU64(info[1], "branchIno"), ToU64(info[2], "ino"));
  return info.Env().Undefined();
}

Napi::Value Mount::NumberFor(const Napi::CallbackInfo& info) {
  return Napi::BigInt::New(info.Env(), dirs_.NumberFor(ToU64(info[0], "dev"), ToU64(info[1], "branchIno")));
}

Napi::Value Mount::PublishedFor(const Napi::CallbackInfo& info) {
  if (!info[1].IsNumber()) throw Napi::TypeError::New(info.Env(), "publishedFor(rel, gen)");
  uint64_t gen = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
  return Napi::Number::New(info.Env(), dirs_.Left(StringArg(info, 0, "rel"), gen));
}

// handles() -> NativeHandle[] (fuse/ops.ts): the handles the FUSE threads keep (open_files.h).
Napi::Value Mount::Handles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<OwnedFile> owned = files_.Owned();
  Napi::Array out = Napi::Array::New(env, owned.size());
  for (size_t i = 0; i < owned.size(); i++) {
    Napi::Object h = Napi::Object::New(env);
    h.Set("fh", Napi::Number::New(env, static_cast<double>(owned[i].fh)));
    h.Set("fd", Napi::Number::New(env, owned[i].file.fd));
    h.Set("root", Napi::Number::New(env, owned[i].file.root));
    h.Set("path", PathToJs(env, owned[i].path));
    h.Set("flags", Napi::Number::New(env, owned[i].file.flags));
    h.Set("openedAt", Napi::Number::New(env, owned[i].file.opened_at));
    h.Set("ino", FromU64(env, owned[i].file.ino));
    out.Set(static_cast<uint32_t>(i), h);
  }
  return out;
}

// repointHandle(fh, fd, root) -> boolean
Napi::Value Mount::RepointHandle(const Napi::CallbackInfo& info) {
  uint64_t fh = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
  bool done = files_.Repoint(fh, info[1].As<Napi::Number>().Int32Value(), info[2].As<Napi::Number>().Int32Value());
  return Napi::Boolean::New(info.Env(), done);
}

// passedThrough(fh) -> boolean
Napi::Value Mount::PassedThrough(const Napi::CallbackInfo& info) {
  uint64_t fh = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
  return Napi::Boolean::New(info.Env(), files_.Get(fh).passed_through);
}

// branchModes(BranchModes): fuse/ops.ts.
Napi::Value Mount::SetBranchModes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage =
      "branchModes({ inPlace: number[], creatable: number[], opens: boolean, order: { root: number, "
      "minFreeSpace: number }[], create: { [fn: string]: string }, copyupTdp: boolean, work: { dir: string, "
      "tempPrefix: string, "
      "swept: number[] }, passthrough: 'auto' | 'all' | 'off' })";
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, usage);
  Napi::Object modes = info[0].As<Napi::Object>();
  auto list = [&](const char* key) {
    Napi::Value given = modes.Get(key);
    if (!given.IsArray()) throw Napi::TypeError::New(env, usage);
    return given.As<Napi::Array>();
  };
  auto roots = [&](Napi::Array given) {
    std::vector<int> out;
    for (uint32_t i = 0; i < given.Length(); i++) out.push_back(given.Get(i).As<Napi::Number>().Int32Value());
    return out;
  };
  std::vector<BranchModes::Ordered> order;
  Napi::Array branches = list("order");
  for (uint32_t i = 0; i < branches.Length(); i++) {
    if (!branches.Get(i).IsObject()) throw Napi::TypeError::New(env, usage);
    Napi::Object b = branches.Get(i).As<Napi::Object>();
    double min_free = b.Get("minFreeSpace").As<Napi::Number>().DoubleValue();
    order.push_back({b.Get("root").As<Napi::Number>().Int32Value(), static_cast<uint64_t>(std::max(0.0, min_free))});
  }
  Napi::Value given = modes.Get("create");
  if (!given.IsObject()) throw Napi::TypeError::New(env, usage);
  std::map<std::string, std::string> create;
  Napi::Object policies = given.As<Napi::Object>();
  Napi::Array fns = policies.GetPropertyNames();
  for (uint32_t i = 0; i < fns.Length(); i++) {
    std::string fn = fns.Get(i).ToString().Utf8Value();
    create[fn] = policies.Get(fn).ToString().Utf8Value();
  }
  Napi::Value work = modes.Get("work");
  if (!work.IsObject() || !work.As<Napi::Object>().Get("swept").IsArray()) throw Napi::TypeError::New(env, usage);
  Napi::Object w = work.As<Napi::Object>();
  BranchModes::Work work_dirs{w.Get("dir").ToString().Utf8Value(), w.Get("tempPrefix").ToString().Utf8Value(),
                              roots(w.Get("swept").As<Napi::Array>())};
  branch_modes_.Set(roots(list("inPlace")), roots(list("creatable")), modes.Get("opens").ToBoolean(), std::move(order),
                    std::move(create), modes.Get("copyupTdp").ToBoolean(), std::move(work_dirs),
                    BranchModes::PassthroughNamed(modes.Get("passthrough").ToString().Utf8Value()));
  return env.Undefined();
}

}  // namespace strata
