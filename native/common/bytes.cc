#include "bytes.h"

#include <cstdint>

namespace strata {
namespace {

// Length of the valid UTF-8 sequence at s[i] (s has n bytes), or 0 if it is not one. Overlong forms,
// surrogates and code points above U+10FFFF are not valid.
size_t ValidSequence(const unsigned char* s, size_t i, size_t n, uint32_t* cp) {
  unsigned char c = s[i];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  uint32_t min;
  if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > n) return 0;
  for (size_t k = 1; k < len; k++) {
    if ((s[i + k] & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (s[i + k] & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

bool IsValidUtf8(const unsigned char* s, size_t n) {
  uint32_t cp;
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    size_t len = ValidSequence(s, i, n, &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void PutUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

Napi::String PathToJs(Napi::Env env, const char* bytes, size_t length) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes);
  if (IsValidUtf8(s, length)) return Napi::String::New(env, bytes, length);
  std::u16string out;
  out.reserve(length);
  uint32_t cp;
  for (size_t i = 0; i < length;) {
    size_t len = ValidSequence(s, i, length, &cp);
    if (len == 0) {
      out += static_cast<char16_t>(0xDC00 + s[i]);
      i++;
      continue;
    }
    if (cp >= 0x10000) {
      out += static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10));
      out += static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
    i += len;
  }
  return Napi::String::New(env, out);
}

std::string PathFromJs(Napi::Value value, const char* what) {
  if (!value.IsString()) throw Napi::TypeError::New(value.Env(), std::string(what) + " must be a string");
  std::u16string units = value.As<Napi::String>().Utf16Value();
  std::string out;
  out.reserve(units.size());
  for (size_t i = 0; i < units.size(); i++) {
    char16_t u = units[i];
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units.size() && units[i + 1] >= 0xDC00 && units[i + 1] <= 0xDFFF) {
      PutUtf8(out, 0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00));
      i++;
    } else if (u >= 0xDC80 && u <= 0xDCFF) {
      out += static_cast<char>(u - 0xDC00);
    } else {
      // Includes a lone surrogate nothing here produces: kept as its generalized UTF-8 form.
      PutUtf8(out, u);
    }
  }
  return out;
}

}  // namespace strata
