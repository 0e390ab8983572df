#include "methods.h"
#include "promise_work.h"

namespace strata {
namespace {

template <Napi::Value (*Method)(const Napi::CallbackInfo&)>
void Export(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New<Rejecting<Method>>(env, name));
}

}  // namespace
}  // namespace strata

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace strata;
  Export<LGetXattr>(env, exports, "lgetxattr");
  Export<LSetXattr>(env, exports, "lsetxattr");
  Export<LListXattr>(env, exports, "llistxattr");
  Export<LRemoveXattr>(env, exports, "lremovexattr");
  Export<FGetXattr>(env, exports, "fgetxattr");
  Export<FSetXattr>(env, exports, "fsetxattr");
  Export<FListXattr>(env, exports, "flistxattr");
  Export<Mknod>(env, exports, "mknod");
  Export<Utimensat>(env, exports, "utimensat");
  Export<LstatBatch>(env, exports, "lstatBatch");
  Export<OpenStat>(env, exports, "openStat");
  Export<Futimens>(env, exports, "futimens");
  Export<Statvfs>(env, exports, "statvfs");
  Export<Renameat2>(env, exports, "renameat2");
  Export<SeekData>(env, exports, "seekData");
  Export<SeekHole>(env, exports, "seekHole");
  Export<Fallocate>(env, exports, "fallocate");
  Export<CopyFileRange>(env, exports, "copyFileRange");
  return exports;
}

NODE_API_MODULE(strata_sys, Init)
