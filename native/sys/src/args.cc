#include "args.h"

#include <cmath>

#include "bytes.h"

namespace strata {
namespace {

[[noreturn]] void Invalid(Napi::Env env, const char* name, const char* expected) {
  Napi::TypeError error = Napi::TypeError::New(env, std::string("The \"") + name + "\" argument must be " + expected);
  error.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
  throw error;
}

double IntegralNumber(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) Invalid(info.Env(), name, "an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d) Invalid(info.Env(), name, "an integer");
  return d;
}

}  // namespace

// Union paths may carry bytes that are not UTF-8 (native/common/bytes.h).
std::string PathArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsString()) Invalid(info.Env(), name, "a string");
  std::string s = PathFromJs(info[i], name);
  if (s.empty() || s.find('\0') != std::string::npos)
    Invalid(info.Env(), name, "a non-empty string without null bytes");
  return s;
}

std::vector<std::string> PathListArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  std::vector<std::string> out;
  if (info[i].IsUndefined()) return out;
  if (!info[i].IsArray()) Invalid(info.Env(), name, "an array of strings");
  Napi::Array list = info[i].As<Napi::Array>();
  out.reserve(list.Length());
  for (uint32_t k = 0; k < list.Length(); k++) {
    Napi::Value v = list[k];
    if (!v.IsString()) Invalid(info.Env(), name, "an array of strings");
    std::string s = PathFromJs(v, name);
    if (s.empty() || s.find('\0') != std::string::npos)
      Invalid(info.Env(), name, "an array of non-empty strings without null bytes");
    out.push_back(std::move(s));
  }
  return out;
}

std::string TargetArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsString()) Invalid(info.Env(), name, "a string");
  std::string s = PathFromJs(info[i], name);
  if (s.find('\0') != std::string::npos) Invalid(info.Env(), name, "a string without null bytes");
  return s;
}

std::vector<int32_t> IntListArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  std::vector<int32_t> out;
  if (info[i].IsUndefined()) return out;
  if (!info[i].IsArray()) Invalid(info.Env(), name, "an array of integers");
  Napi::Array list = info[i].As<Napi::Array>();
  out.reserve(list.Length());
  for (uint32_t k = 0; k < list.Length(); k++) {
    Napi::Value v = list[k];
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : 0.5;
    if (d != static_cast<int32_t>(d)) Invalid(info.Env(), name, "an array of 32-bit integers");
    out.push_back(static_cast<int32_t>(d));
  }
  return out;
}

int32_t IntArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  double d = IntegralNumber(info, i, name);
  if (d < INT32_MIN || d > INT32_MAX) Invalid(info.Env(), name, "a 32-bit integer");
  return static_cast<int32_t>(d);
}

uint32_t UintArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  double d = IntegralNumber(info, i, name);
  if (d < 0 || d > UINT32_MAX) Invalid(info.Env(), name, "an unsigned 32-bit integer");
  return static_cast<uint32_t>(d);
}

mode_t UmaskArg(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsUndefined()) return 0;
  uint32_t mask = UintArg(info, i, "umask");
  if (mask > 0777) Invalid(info.Env(), "umask", "a umask (0 to 0o777)");
  return mask;
}

bool BoolArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsBoolean()) Invalid(info.Env(), name, "a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

int64_t Int64Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  if (v.IsBigInt()) {
    bool lossless = false;
    int64_t n = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) Invalid(info.Env(), name, "a 64-bit integer");
    return n;
  }
  double d = IntegralNumber(info, i, name);
  if (std::fabs(d) > 9007199254740991.0) Invalid(info.Env(), name, "a bigint or safe integer");
  return static_cast<int64_t>(d);
}

std::vector<char> BufferArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsBuffer()) Invalid(info.Env(), name, "a Buffer");
  auto buf = info[i].As<Napi::Buffer<char>>();
  return std::vector<char>(buf.Data(), buf.Data() + buf.Length());
}

struct timespec TimeArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = info[i];
  if (v.IsString()) {
    std::string s = v.As<Napi::String>().Utf8Value();
    if (s == "now") return {0, UTIME_NOW};
    if (s == "omit") return {0, UTIME_OMIT};
  } else if (v.IsBigInt()) {
    bool lossless = false;
    int64_t ns = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (lossless) {
      // Floor division so times before 1970 keep tv_nsec in [0, 1e9).
      int64_t sec = ns / 1000000000, rem = ns % 1000000000;
      if (rem < 0) rem += 1000000000, sec -= 1;
      return {static_cast<time_t>(sec), static_cast<long>(rem)};
    }
  }
  Invalid(info.Env(), name, "a bigint of nanoseconds, 'now' or 'omit'");
}

}  // namespace strata
