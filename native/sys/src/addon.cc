#include "inode_flags.h"
#include "methods.h"
#include "promise_work.h"
#include "write_behind.h"

namespace strata {
namespace {

template <Napi::Value (*Method)(const Napi::CallbackInfo&)>
void Export(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New<Rejecting<Method>>(env, name));
}

Napi::Value SetInline(const Napi::CallbackInfo& info) {
  PromiseWork::SetInline(info[0].ToBoolean());
  return info.Env().Undefined();
}

}  // namespace
}  // namespace strata

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace strata;
  Export<Mkdir>(env, exports, "mkdir");
  Export<Unlink>(env, exports, "unlink");
  Export<Rmdir>(env, exports, "rmdir");
  Export<Rename>(env, exports, "rename");
  Export<Link>(env, exports, "link");
  Export<Symlink>(env, exports, "symlink");
  Export<Readlink>(env, exports, "readlink");
  Export<Mknod>(env, exports, "mknod");
  Export<Lchown>(env, exports, "lchown");
  Export<Utimens>(env, exports, "utimens");
  Export<Chmod>(env, exports, "chmod");
  Export<Truncate>(env, exports, "truncate");
  Export<Access>(env, exports, "access");
  Export<Readdir>(env, exports, "readdir");
  Export<GetXattr>(env, exports, "getxattr");
  Export<SetXattr>(env, exports, "setxattr");
  Export<ListXattr>(env, exports, "listxattr");
  Export<RemoveXattr>(env, exports, "removexattr");
  Export<Statvfs>(env, exports, "statvfs");
  Export<LstatBatch>(env, exports, "lstatBatch");
  Export<OpenStat>(env, exports, "openStat");
  Export<OpenTmpfile>(env, exports, "openTmpfile");
  Export<LinkFd>(env, exports, "linkFd");
  Export<InodeFlagsOf>(env, exports, "inodeFlags");
  Export<RefusesNameChangeIn>(env, exports, "refusesNameChange");
  Export<FGetXattr>(env, exports, "fgetxattr");
  Export<FSetXattr>(env, exports, "fsetxattr");
  Export<FListXattr>(env, exports, "flistxattr");
  Export<FRemoveXattr>(env, exports, "fremovexattr");
  Export<FlagsIoctl>(env, exports, "flagsIoctl");
  Export<CarryFlagsTo>(env, exports, "carryFlags");
  Export<Futimens>(env, exports, "futimens");
  Export<SeekData>(env, exports, "seekData");
  Export<SeekHole>(env, exports, "seekHole");
  Export<Fallocate>(env, exports, "fallocate");
  Export<CopyFileRange>(env, exports, "copyFileRange");
  Export<WriteBehindRange>(env, exports, "writeBehind");
  Export<Dup3>(env, exports, "dup3");
  Export<TryLock>(env, exports, "tryLock");
  exports.Set("setInline", Napi::Function::New<SetInline>(env, "setInline"));
  exports.Set("writeBehindDepth", Napi::Number::New(env, static_cast<double>(kWritingBack)));
  exports.Set("unchangeableFlags", Napi::Number::New(env, kUnchangeableFlags));
  exports.Set("copiedFlags", Napi::Number::New(env, kCopiedFlags));
  return exports;
}

NODE_API_MODULE(strata_sys, Init)
