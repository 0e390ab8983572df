// Ends the process at once with _exit(2). Node joins every worker thread at exit, and a thread that
// read /proc of a process stuck on a FUSE mount may never return from the kernel: a CLI that had to
// leave such a thread behind would otherwise never exit. stdout and stderr are synchronous on Linux
// for files, pipes and terminals, so nothing written before is lost.
#include <napi.h>

#include <unistd.h>

namespace {

Napi::Value ExitNow(const Napi::CallbackInfo& info) {
  int code = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  _exit(code);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("exitNow", Napi::Function::New(env, ExitNow, "exitNow"));
  return exports;
}

}  // namespace

NODE_API_MODULE(strata_exit, Init)
