#include "convert.h"

#include <cmath>
#include <string>

namespace strata {
namespace {

[[noreturn]] void Invalid(Napi::Env env, const char* what, const char* expected) {
  throw Napi::TypeError::New(env, std::string("FUSE reply: ") + what + " must be " + expected);
}

constexpr double kMaxSafe = 9007199254740991.0;

double Integral(Napi::Value v, const char* what) {
  if (!v.IsNumber()) Invalid(v.Env(), what, "a bigint or an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (std::trunc(d) != d || std::fabs(d) > kMaxSafe) Invalid(v.Env(), what, "a bigint or a safe integer");
  return d;
}

uint32_t ToU32(Napi::Value v, const char* what) {
  double d = Integral(v, what);
  if (d < 0 || d > UINT32_MAX) Invalid(v.Env(), what, "an unsigned 32-bit integer");
  return static_cast<uint32_t>(d);
}

int64_t NsField(Napi::Object o, const char* key) { return ToI64(o.Get(key), key); }

struct timespec FromNs(int64_t ns) {
  int64_t sec = ns / 1000000000, rem = ns % 1000000000;
  if (rem < 0) rem += 1000000000, sec -= 1;
  return {static_cast<time_t>(sec), static_cast<long>(rem)};
}

Napi::Object AsObject(Napi::Value v, const char* what) {
  if (!v.IsObject()) Invalid(v.Env(), what, "an object");
  return v.As<Napi::Object>();
}

}  // namespace

uint64_t ToU64(Napi::Value v, const char* what) {
  if (v.IsBigInt()) {
    bool lossless = false;
    uint64_t n = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) Invalid(v.Env(), what, "an unsigned 64-bit bigint");
    return n;
  }
  double d = Integral(v, what);
  if (d < 0) Invalid(v.Env(), what, "non-negative");
  return static_cast<uint64_t>(d);
}

int64_t ToI64(Napi::Value v, const char* what) {
  if (v.IsBigInt()) {
    bool lossless = false;
    int64_t n = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) Invalid(v.Env(), what, "a signed 64-bit bigint");
    return n;
  }
  return static_cast<int64_t>(Integral(v, what));
}

void ToStat(Napi::Value v, struct stat* st) {
  Napi::Object o = AsObject(v, "stat");
  *st = {};
  st->st_dev = ToU64(o.Get("dev"), "dev");
  st->st_ino = ToU64(o.Get("ino"), "ino");
  st->st_mode = ToU32(o.Get("mode"), "mode");
  st->st_nlink = ToU32(o.Get("nlink"), "nlink");
  st->st_uid = ToU32(o.Get("uid"), "uid");
  st->st_gid = ToU32(o.Get("gid"), "gid");
  st->st_rdev = ToU64(o.Get("rdev"), "rdev");
  st->st_size = ToI64(o.Get("size"), "size");
  st->st_blksize = ToU32(o.Get("blksize"), "blksize");
  st->st_blocks = ToI64(o.Get("blocks"), "blocks");
  st->st_atim = FromNs(NsField(o, "atimeNs"));
  st->st_mtim = FromNs(NsField(o, "mtimeNs"));
  st->st_ctim = FromNs(NsField(o, "ctimeNs"));
}

void ToStatvfs(Napi::Value v, struct statvfs* st) {
  Napi::Object o = AsObject(v, "statfs");
  *st = {};
  st->f_bsize = ToU32(o.Get("bsize"), "bsize");
  st->f_frsize = ToU32(o.Get("frsize"), "frsize");
  st->f_blocks = ToU64(o.Get("blocks"), "blocks");
  st->f_bfree = ToU64(o.Get("bfree"), "bfree");
  st->f_bavail = ToU64(o.Get("bavail"), "bavail");
  st->f_files = ToU64(o.Get("files"), "files");
  st->f_ffree = ToU64(o.Get("ffree"), "ffree");
  st->f_favail = ToU64(o.Get("favail"), "favail");
  st->f_namemax = ToU32(o.Get("namemax"), "namemax");
}

Napi::Value FromU64(Napi::Env env, uint64_t v) { return Napi::BigInt::New(env, v); }
Napi::Value FromI64(Napi::Env env, int64_t v) { return Napi::BigInt::New(env, v); }

Napi::Value FromTime(Napi::Env env, const struct timespec& ts) {
  if (ts.tv_nsec == UTIME_NOW) return Napi::String::New(env, "now");
  if (ts.tv_nsec == UTIME_OMIT) return Napi::String::New(env, "omit");
  return Napi::BigInt::New(env, static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec);
}

Napi::Value FromId(Napi::Env env, uint32_t id) {
  return Napi::Number::New(env, id == UINT32_MAX ? -1.0 : static_cast<double>(id));
}

}  // namespace strata
