// Converting C++ failures into JS errors with a `code` (binding.d.ts). Every exported function
// runs its body inside guarded(), so no C++ exception ever escapes into Node.
#pragma once
#include <napi.h>

#include <new>
#include <string>

#include "core/error.h"

namespace ml::napi {

inline Napi::Error js_error(Napi::Env env, ErrorKind kind, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Value().Set("code", Napi::String::New(env, error_code(kind)));
  return error;
}

template <class F>
Napi::Value guarded(Napi::Env env, F&& body) {
  try {
    return body();
  } catch (const Error& e) {
    throw js_error(env, e.kind(), e.what());
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw js_error(env, ErrorKind::OutOfMemory, "metalearn native: out of memory (an allocation failed)");
  } catch (const std::exception& e) {
    throw js_error(env, ErrorKind::Internal, std::string("metalearn native: ") + e.what());
  } catch (...) {
    throw js_error(env, ErrorKind::Internal, "metalearn native: unknown failure");
  }
}

}  // namespace ml::napi
