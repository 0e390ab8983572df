// One FUSE request served by JS. The FUSE thread blocks in Run() while the JS thread builds
// the arguments and invokes the dispatcher; the request ends when JS calls reply(id, errno, value).
// Requests are found by id, never by pointer, so a late or repeated reply cannot touch freed memory.
#pragma once
#include <napi.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace strata {

class Mount;

class Call {
 public:
  // JS thread: appends the op's arguments after (id, op, path).
  using Args = std::function<void(Napi::Env, std::vector<napi_value>&)>;
  // JS thread: consumes the resolved value; returns the FUSE result (>= 0) or -errno. May throw on a
  // malformed value: the kernel gets EIO and the caller of reply() gets the TypeError.
  using Result = std::function<int(Napi::Value)>;

  Call(const char* op, const char* path, Args args = nullptr, Result result = nullptr)
      : op_(op), path_(path), args_(std::move(args)), result_(std::move(result)) {}

  // FUSE thread: hands the request to JS and waits for its reply.
  int Run(Mount& mount);

  // FUSE thread: hands a request to JS without waiting for it, for one whose outcome nothing waits on
  // (the kernel does not wait for a RELEASE). The Call keeps its own copy of the path and frees itself
  // once JS replied; calls reach JS in the order they were made, so a later one sees this one done.
  static void Post(Mount& mount, const char* op, std::string path, Args args);
  // As Post, for a fact JS needs before anything asked of it later but not at once: held back with
  // others so that a burst of them wakes the JS thread once (held_posts.h).
  static void Hold(Mount& mount, const char* op, std::string path, Args args);

  // JS thread (thread-safe function callback): calls dispatch(id, op, path, ...args).
  void Dispatch(Napi::Env env, Napi::Function dispatcher);

  // JS thread, when the thread-safe function is torn down with this request still queued.
  void Abandon();

  // reply(id, errno, value): errno 0 means success.
  static Napi::Value Reply(const Napi::CallbackInfo& info);

 private:
  static Call* Posted(const char* op, std::string path, Args args);
  void Register();
  static Call* Take(uint64_t id);
  void Finish(int ret);

  const char* op_;
  const char* path_;
  std::string owned_path_;  // Post()ed calls only
  bool posted_ = false;
  Args args_;
  Result result_;
  uint64_t id_ = 0;
  std::mutex mutex_;
  std::condition_variable settled_;
  bool done_ = false;
  int ret_ = 0;
};

}  // namespace strata
