// NativeProgram (binding.d.ts): a compiled ml::Program with run / vjp / jvp / hvp / innerLoop.
#pragma once
#include <napi.h>

#include <memory>

#include "autodiff/program.h"

namespace ml::napi {

class ProgramWrap : public Napi::ObjectWrap<ProgramWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  static Napi::Object create(Napi::Env env, std::shared_ptr<const Program> program);

  explicit ProgramWrap(const Napi::CallbackInfo& info);

 private:
  // A strong reference to the program, or ErrorKind::Disposed after dispose(). Taken only after
  // every argument was read: reading arguments runs user JavaScript (getters, proxies) that may
  // call dispose(); the reference keeps the program alive for the call (and its worker) whatever
  // dispose() does afterwards.
  std::shared_ptr<const Program> program_ref(const char* method) const;
  // The optional query program argument of innerLoop (binding.d.ts): null when
  // absent, else a live NativeProgram (Value error otherwise; Disposed after its dispose()).
  static std::shared_ptr<const Program> query_program_from_js(Napi::Env env, const Napi::Value& value,
                                                              const char* method);
  Napi::Value run(const Napi::CallbackInfo& info);
  Napi::Value vjp(const Napi::CallbackInfo& info);
  Napi::Value jvp(const Napi::CallbackInfo& info);
  Napi::Value hvp(const Napi::CallbackInfo& info);
  Napi::Value inner_loop(const Napi::CallbackInfo& info);  // inner_loop_worker.cpp
  Napi::Value dispose(const Napi::CallbackInfo& info);

  std::shared_ptr<const Program> program_;
};

}  // namespace ml::napi
