#include "napi/program_wrap.h"

#include "core/error.h"
#include "napi/addon_data.h"
#include "napi/js_convert.h"
#include "napi/js_errors.h"
#include "napi/tensor_wrap.h"

namespace ml::napi {
namespace {

std::vector<int64_t> wrt_from_js(const Napi::Value& value, const char* method) {
  return int_list_from_js(value, std::string(method) + ": wrt", 0, int64_t(1) << 40);
}

}  // namespace

Napi::Function ProgramWrap::define(Napi::Env env) {
  return DefineClass(env, "NativeProgram",
                     {
                         InstanceMethod<&ProgramWrap::run>("run"),
                         InstanceMethod<&ProgramWrap::vjp>("vjp"),
                         InstanceMethod<&ProgramWrap::jvp>("jvp"),
                         InstanceMethod<&ProgramWrap::hvp>("hvp"),
                         InstanceMethod<&ProgramWrap::inner_loop>("innerLoop"),
                         InstanceMethod<&ProgramWrap::dispose>("dispose"),
                     });
}

Napi::Object ProgramWrap::create(Napi::Env env, std::shared_ptr<const Program> program) {
  Napi::Object object = addon_data(env).program_constructor.New({});
  Unwrap(object)->program_ = std::move(program);
  return object;
}

ProgramWrap::ProgramWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProgramWrap>(info) {}

std::shared_ptr<const Program> ProgramWrap::program_ref(const char* method) const {
  if (!program_) fail(ErrorKind::Disposed, std::string(method) + ": program was disposed");
  return program_;
}

std::shared_ptr<const Program> ProgramWrap::query_program_from_js(Napi::Env env, const Napi::Value& value,
                                                                  const char* method) {
  if (value.IsUndefined() || value.IsNull()) return nullptr;
  const ProgramWrap* query = wrapped_instance<ProgramWrap>(value, addon_data(env).program_constructor);
  if (!query) fail(ErrorKind::Value, std::string(method) + ": the query program must be a NativeProgram");
  if (!query->program_) fail(ErrorKind::Disposed, std::string(method) + ": the query program was disposed");
  return query->program_;
}

Napi::Value ProgramWrap::run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    std::vector<Tensor> inputs = tensors_from_js(env, info[0], "run: inputs", false);
    return tensors_to_js(env, program_ref("run")->run(inputs));
  });
}

Napi::Value ProgramWrap::vjp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    std::vector<Tensor> inputs = tensors_from_js(env, info[0], "vjp: inputs", false);
    std::vector<Tensor> cotangents = tensors_from_js(env, info[1], "vjp: cotangents", true);
    std::vector<int64_t> wrt = wrt_from_js(info[2], "vjp");
    VjpResult r = program_ref("vjp")->vjp(inputs, cotangents, wrt);
    Napi::Object out = Napi::Object::New(env);
    out.Set("outputs", tensors_to_js(env, r.outputs));
    out.Set("grads", tensors_to_js(env, r.grads));
    return out;
  });
}

Napi::Value ProgramWrap::jvp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    std::vector<Tensor> inputs = tensors_from_js(env, info[0], "jvp: inputs", false);
    std::vector<Tensor> tangents = tensors_from_js(env, info[1], "jvp: tangents", true);
    JvpResult r = program_ref("jvp")->jvp(inputs, tangents);
    Napi::Object out = Napi::Object::New(env);
    out.Set("outputs", tensors_to_js(env, r.outputs));
    out.Set("tangents", tensors_to_js(env, r.tangents));
    return out;
  });
}

Napi::Value ProgramWrap::hvp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    std::vector<Tensor> inputs = tensors_from_js(env, info[0], "hvp: inputs", false);
    std::vector<Tensor> tangents = tensors_from_js(env, info[1], "hvp: tangents", true);
    std::vector<Tensor> cotangents = tensors_from_js(env, info[2], "hvp: cotangents", true);
    std::vector<int64_t> wrt = wrt_from_js(info[3], "hvp");
    HvpResult r = program_ref("hvp")->hvp(inputs, tangents, cotangents, wrt);
    Napi::Object out = Napi::Object::New(env);
    out.Set("outputs", tensors_to_js(env, r.outputs));
    out.Set("grads", tensors_to_js(env, r.grads));
    out.Set("gradTangents", tensors_to_js(env, r.grad_tangents));
    return out;
  });
}

Napi::Value ProgramWrap::dispose(const Napi::CallbackInfo& info) {
  program_.reset();
  return info.Env().Undefined();
}

}  // namespace ml::napi
