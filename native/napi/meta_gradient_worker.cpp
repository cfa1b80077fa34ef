// ProgramWrap::metaGradient: the native meta-batch engine, run off the event loop (phase 2).
#include "core/error.h"
#include "napi/js_errors.h"
#include "napi/program_wrap.h"

namespace ml::napi {

Napi::Value ProgramWrap::meta_gradient(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    fail(ErrorKind::Internal, "metaGradient: not implemented yet");
  });
}

}  // namespace ml::napi
