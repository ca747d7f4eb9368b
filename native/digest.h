// Shared by the addon's SHA-256 users (strata_native.cc's Sha256, inflate.cc's Inflater).
#pragma once
#include <napi.h>
#include <openssl/evp.h>
#include <string>

// Ends the digest in `ctx` and returns it in hex; throws a JS error when OpenSSL fails.
inline Napi::Value FinishHex(Napi::Env env, EVP_MD_CTX* ctx) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, md, &len) != 1) {
    Napi::Error::New(env, "SHA-256 final failed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; i++) {
    hex += digits[md[i] >> 4];
    hex += digits[md[i] & 15];
  }
  return Napi::String::New(env, hex);
}
