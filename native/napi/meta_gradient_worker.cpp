// ProgramWrap::metaGradient(request, queryProgram?): the native meta-batch engine as a Promise
// (the query program: support and query sets of other shapes). The request is read on
// the JS thread (tensors are shared, not copied), the tasks run on a thread pool off the event
// loop (program_task_worker.h), and the result is wrapped back on the JS thread.
#include <cmath>

#include "autodiff/meta_gradient.h"
#include "core/error.h"
#include "core/threads.h"
#include "napi/engine_convert.h"
#include "napi/js_convert.h"
#include "napi/js_errors.h"
#include "napi/program_task_worker.h"
#include "napi/program_wrap.h"
#include "napi/tensor_wrap.h"

namespace ml::napi {
namespace {

MetaGradientRequest request_from_js(Napi::Env env, const Napi::Value& value) {
  const std::string what = "metaGradient";
  if (!value.IsObject()) fail(ErrorKind::Value, what + ": expected a request object");
  Napi::Object o = value.As<Napi::Object>();
  MetaGradientRequest r;
  r.num_params = static_cast<size_t>(int_from_js(o.Get("numParams"), what + ": numParams", 1, 1 << 20));
  r.params = tensors_from_js(env, o.Get("params"), what + ": params", false);
  Napi::Value tasks = o.Get("tasks");
  if (!tasks.IsArray()) fail(ErrorKind::Value, what + ": tasks must be an array");
  Napi::Array task_array = tasks.As<Napi::Array>();
  for (uint32_t t = 0; t < task_array.Length(); ++t) {
    std::string where = what + ": tasks[" + std::to_string(t) + "]";
    Napi::Value task = task_array.Get(t);
    if (!task.IsObject()) fail(ErrorKind::Value, where + " must be an object");
    Napi::Object task_object = task.As<Napi::Object>();
    r.tasks.push_back({tensors_from_js(env, task_object.Get("support"), where + ".support", false),
                       tensors_from_js(env, task_object.Get("query"), where + ".query", false)});
  }
  r.steps = int_from_js(o.Get("steps"), what + ": steps", 0, 10000);
  r.inner_lr = inner_lr_from_js(env, o.Get("innerLR"), what);
  r.order = static_cast<int>(int_from_js(o.Get("order"), what + ": order", 1, 2));
  Napi::Value weights = o.Get("stepWeights");
  if (!weights.IsUndefined() && !weights.IsNull()) {
    if (!weights.IsArray()) fail(ErrorKind::Value, what + ": stepWeights must be an array of numbers");
    Napi::Array w = weights.As<Napi::Array>();
    for (uint32_t j = 0; j < w.Length(); ++j) {
      Napi::Value v = w.Get(j);
      if (!v.IsNumber() || !std::isfinite(v.As<Napi::Number>().DoubleValue()))
        fail(ErrorKind::Value, what + ": stepWeights[" + std::to_string(j) + "] must be a finite number");
      r.step_weights.push_back(v.As<Napi::Number>().DoubleValue());
    }
  }
  Napi::Value lr_grads = o.Get("lrGrads");
  r.lr_grads = lr_grads.IsBoolean() && lr_grads.As<Napi::Boolean>().Value();
  r.step_data = step_data_from_js(env, o.Get("stepData"), what);
  Napi::Value support_outputs = o.Get("supportOutputs");
  r.support_outputs = support_outputs.IsBoolean() && support_outputs.As<Napi::Boolean>().Value();
  r.num_threads = default_num_threads();
  return r;
}

// MetaGradientResult (binding.d.ts): lrGrads and supportOutputs when asked.
Napi::Object result_to_js(Napi::Env env, const MetaGradientRequest& request, const MetaGradientResult& result) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("loss", result.loss);
  out.Set("queryLosses", numbers_to_js(env, result.query_losses));
  out.Set("grads", tensors_to_js(env, result.grads));
  if (request.lr_grads) out.Set("lrGrads", nested_to_js(env, result.lr_grads));
  out.Set("queryOutputs", nested_to_js(env, result.query_outputs));
  if (request.support_outputs) {
    Napi::Array per_task = Napi::Array::New(env, result.support_outputs.size());
    for (size_t t = 0; t < result.support_outputs.size(); ++t)
      per_task.Set(static_cast<uint32_t>(t), nested_to_js(env, result.support_outputs[t]));
    out.Set("supportOutputs", per_task);
  }
  return out;
}

}  // namespace

Napi::Value ProgramWrap::meta_gradient(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    MetaGradientRequest request = request_from_js(env, info[0]);
    request.query_program = query_program_from_js(env, info[1], "metaGradient");
    // Last, after every getter of the request has run (program_wrap.h, program_ref).
    std::shared_ptr<const Program> program = program_ref("metaGradient");
    return ProgramTaskWorker<MetaGradientRequest, MetaGradientResult>::queue(
        env, "metaGradient", std::move(program), std::move(request), ml::meta_gradient, result_to_js);
  });
}

}  // namespace ml::napi
