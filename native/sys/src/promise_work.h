// One syscall as a Promise, failures rejecting with the same shape Node's fs uses ({ code, errno < 0,
// syscall, path }). By default the call runs on the libuv pool. A mount worker, whose JS thread only
// decides FUSE requests, turns on inline calls (setInline): then a metadata call runs at once on the JS
// thread and returns a settled Promise, sparing each request the pool's two thread hand-offs; calls that
// move file data (Cost::kData; a copy of a few pages is not one: fds.cc) stay on the pool, so a long
// copy-up does not hold every other request.
#pragma once
#include <napi.h>

#include <functional>
#include <string>
#include <utility>

namespace strata {

struct Where {
  const char* syscall;
  std::string path;
  std::string dest;
};

Napi::Error ErrnoError(Napi::Env env, int err, const Where& where);

class PromiseWork : public Napi::AsyncWorker {
 public:
  // Returns 0 or a positive errno. Runs off the JS thread: must not touch napi values.
  using Run = std::function<int()>;
  // Builds the resolved value on the JS thread; absent means undefined.
  using Result = std::function<Napi::Value(Napi::Env)>;

  enum class Cost { kMetadata, kData };

  // JS thread only.
  static void SetInline(bool on) { inline_ = on; }

  static Napi::Value Queue(Napi::Env env, Where where, Run run, Result result = nullptr, Cost cost = Cost::kMetadata) {
    auto* work = new PromiseWork(env, std::move(where), std::move(run), std::move(result));
    Napi::Promise promise = work->deferred_.Promise();
    if (inline_ && cost == Cost::kMetadata) {
      work->Execute();
      work->OnOK();
      delete work;
    } else {
      work->Napi::AsyncWorker::Queue();
    }
    return promise;
  }

 private:
  PromiseWork(Napi::Env env, Where where, Run run, Result result)
      : Napi::AsyncWorker(env, "strata_sys"),
        deferred_(Napi::Promise::Deferred::New(env)),
        where_(std::move(where)),
        run_(std::move(run)),
        result_(std::move(result)) {}

  void Execute() override { err_ = run_(); }

  void OnOK() override {
    Napi::Env env = Env();
    if (err_ != 0) {
      deferred_.Reject(ErrnoError(env, err_, where_).Value());
      return;
    }
    try {
      deferred_.Resolve(result_ ? result_(env) : env.Undefined());
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

  static inline bool inline_ = false;
  Napi::Promise::Deferred deferred_;
  Where where_;
  Run run_;
  Result result_;
  int err_ = 0;
};

// Argument errors reject the returned Promise instead of throwing, so every method is uniformly async.
template <Napi::Value (*Method)(const Napi::CallbackInfo&)>
Napi::Value Rejecting(const Napi::CallbackInfo& info) {
  try {
    return Method(info);
  } catch (const Napi::Error& e) {
    auto deferred = Napi::Promise::Deferred::New(info.Env());
    deferred.Reject(e.Value());
    return deferred.Promise();
  }
}

}  // namespace strata
