#include "call.h"

#include <errno.h>

#include <cmath>
#include <unordered_map>

#include "bytes.h"
#include "mount.h"

namespace strata {
namespace {

std::mutex registry_mutex;
std::unordered_map<uint64_t, Call*> registry;
uint64_t next_id = 1;

}  // namespace

void Call::Register() {
  std::lock_guard<std::mutex> lock(registry_mutex);
  id_ = next_id++;
  registry[id_] = this;
}

Call* Call::Posted(const char* op, std::string path, Args args) {
  auto* call = new Call(op, nullptr, std::move(args));
  call->owned_path_ = std::move(path);
  call->path_ = call->owned_path_.c_str();
  call->posted_ = true;
  call->Register();
  return call;
}

void Call::Post(Mount& mount, const char* op, std::string path, Args args) {
  Call* call = Posted(op, std::move(path), std::move(args));
  if (!mount.Dispatch(call)) call->Abandon();
}

void Call::Hold(Mount& mount, const char* op, std::string path, Args args) {
  mount.Hold(Posted(op, std::move(path), std::move(args)));
}

int Call::Run(Mount& mount) {
  Register();
  if (!mount.Dispatch(this)) {
    // The JS side is gone (teardown): nobody will reply.
    if (Take(id_) != nullptr) return -EIO;
  }
  InFlight::HandedToEngine handed;
  std::unique_lock<std::mutex> lock(mutex_);
  settled_.wait(lock, [this] { return done_; });
  return ret_;
}

void Call::Dispatch(Napi::Env env, Napi::Function dispatcher) {
  std::vector<napi_value> argv = {Napi::Number::New(env, static_cast<double>(id_)), Napi::String::New(env, op_),
                                  // libfuse passes NULL where it cannot name the node; the fh still can.
                                  PathToJs(env, path_ ? path_ : "")};
  uint64_t id = id_;
  try {
    if (args_) args_(env, argv);
    dispatcher.Call(argv);
  } catch (const Napi::Error& e) {
    if (Call* call = Take(id)) call->Finish(-EIO);
    e.ThrowAsJavaScriptException();
  }
}

void Call::Abandon() {
  if (Take(id_) != nullptr) Finish(-EIO);
}

Call* Call::Take(uint64_t id) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry.find(id);
  if (it == registry.end()) return nullptr;
  Call* call = it->second;
  registry.erase(it);
  return call;
}

// Notifies under the lock: once the FUSE thread sees done_ its stack frame (and this Call) is gone. A
// posted Call has nobody waiting: it goes now.
void Call::Finish(int ret) {
  if (posted_) {
    delete this;
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ret_ = ret;
  done_ = true;
  settled_.notify_one();
}

Napi::Value Call::Reply(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "reply(id: number, errno: number, value?)");
  }
  Call* call = Take(static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue()));
  if (call == nullptr) return env.Undefined();
  double err = info[1].As<Napi::Number>().DoubleValue();
  if (err != 0) {
    // Anything that is not a plausible errno still has to fail the request.
    int code = static_cast<int>(std::fabs(err));
    call->Finish(code > 0 && code < 4096 ? -code : -EIO);
    return env.Undefined();
  }
  if (!call->result_) {
    call->Finish(0);
    return env.Undefined();
  }
  int ret;
  try {
    ret = call->result_(info[2]);
  } catch (const Napi::Error&) {
    call->Finish(-EIO);
    throw;
  }
  call->Finish(ret);
  return env.Undefined();
}

}  // namespace strata
