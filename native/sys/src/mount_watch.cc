// Tells JS when the mount table changes, at no cost while nothing does: the kernel flags an open
// /proc/self/mountinfo with POLLPRI (and POLLERR) after every mount or unmount in the namespace, which
// Node's fs.watch cannot see. One thread per watcher sleeps in poll(2) on that file and on a pipe that
// stops it; each change reaches the JS callback through a thread-safe function that does not keep the
// event loop alive.
#include <napi.h>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <thread>

namespace {

class MountWatch : public Napi::ObjectWrap<MountWatch> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "MountWatch", {InstanceMethod("close", &MountWatch::Close)});
  }

  explicit MountWatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MountWatch>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction()) {
      throw Napi::TypeError::New(env, "MountWatch needs a callback");
    }
    fd_ = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw Napi::Error::New(env, std::string("open /proc/self/mountinfo: ") + strerror(errno));
    if (pipe2(stop_, O_CLOEXEC) != 0) {
      int err = errno;
      close(fd_);
      throw Napi::Error::New(env, std::string("pipe2: ") + strerror(err));
    }
    tsfn_ = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "strata mount watch", 0, 1);
    tsfn_.Unref(env);
    thread_ = std::thread([this] { Run(); });
  }

  ~MountWatch() override { Stop(); }

 private:
  void Run() {
    pollfd fds[2] = {{fd_, POLLPRI, 0}, {stop_[0], POLLIN, 0}};
    for (;;) {
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[1].revents != 0) return;
      // The first poll after open reports nothing; later ones report each change once.
      if ((fds[0].revents & (POLLPRI | POLLERR)) != 0) tsfn_.NonBlockingCall();
    }
  }

  void Stop() {
    if (!thread_.joinable()) return;
    char byte = 1;
    while (write(stop_[1], &byte, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
    close(fd_);
    close(stop_[0]);
    close(stop_[1]);
    tsfn_.Release();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Stop();
    return info.Env().Undefined();
  }

  int fd_ = -1;
  int stop_[2] = {-1, -1};
  std::thread thread_;
  Napi::ThreadSafeFunction tsfn_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("MountWatch", MountWatch::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(strata_mount_watch, Init)
