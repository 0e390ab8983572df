#include "call.h"
#include "mount.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Mount", strata::Mount::Define(env));
  exports.Set("reply", Napi::Function::New(env, strata::Call::Reply, "reply"));
  return exports;
}

NODE_API_MODULE(strata_fuse, Init)
