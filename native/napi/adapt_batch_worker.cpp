// ProgramWrap::adaptBatch(request, queryProgram?): batched adaptation (autodiff/adapt_batch.h) as
// a Promise (the query program: query sets of other shapes than the support sets). The request
// is read on the JS thread (tensors are shared, not copied), the tasks run on a thread pool off
// the event loop (program_task_worker.h), and the result is wrapped back on the JS thread.
#include <cmath>

#include "autodiff/adapt_batch.h"
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

const std::string kWhat = "adaptBatch";

bool absent(const Napi::Value& v) { return v.IsUndefined() || v.IsNull(); }

double number_from_js(const Napi::Value& value, const std::string& what) {
  if (!value.IsNumber() || !std::isfinite(value.As<Napi::Number>().DoubleValue()))
    fail(ErrorKind::Value, what + ": expected a finite number");
  return value.As<Napi::Number>().DoubleValue();
}

Napi::Object object_from_js(const Napi::Value& value, const std::string& what) {
  if (!value.IsObject()) fail(ErrorKind::Value, what + ": expected an object");
  return value.As<Napi::Object>();
}

std::vector<AdaptTask> tasks_from_js(Napi::Env env, const Napi::Value& value) {
  if (!value.IsArray()) fail(ErrorKind::Value, kWhat + ": tasks must be an array");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<AdaptTask> tasks;
  for (uint32_t t = 0; t < array.Length(); ++t) {
    std::string where = kWhat + ": tasks[" + std::to_string(t) + "]";
    Napi::Object task = object_from_js(array.Get(t), where);
    AdaptTask parsed{tensors_from_js(env, task.Get("support"), where + ".support", false), {}};
    if (!absent(task.Get("query"))) parsed.query = tensors_from_js(env, task.Get("query"), where + ".query", false);
    tasks.push_back(std::move(parsed));
  }
  return tasks;
}

AdaptBatchRequest request_from_js(Napi::Env env, const Napi::Value& value) {
  Napi::Object o = object_from_js(value, kWhat + ": request");
  AdaptBatchRequest r;
  r.num_params = static_cast<size_t>(int_from_js(o.Get("numParams"), kWhat + ": numParams", 1, 1 << 20));
  r.params = tensors_from_js(env, o.Get("params"), kWhat + ": params", false);
  r.tasks = tasks_from_js(env, o.Get("tasks"));
  r.steps = int_from_js(o.Get("steps"), kWhat + ": steps", 0, 10000);
  r.inner_lr = inner_lr_from_js(env, o.Get("innerLR"), kWhat);
  r.step_data = step_data_from_js(env, o.Get("stepData"), kWhat);
  if (!absent(o.Get("proximal"))) r.proximal = number_from_js(o.Get("proximal"), kWhat + ": proximal");
  if (!absent(o.Get("adam"))) {
    Napi::Object adam = object_from_js(o.Get("adam"), kWhat + ": adam");
    r.adam.enabled = true;
    r.adam.beta1 = number_from_js(adam.Get("beta1"), kWhat + ": adam.beta1");
    r.adam.beta2 = number_from_js(adam.Get("beta2"), kWhat + ": adam.beta2");
    r.adam.epsilon = number_from_js(adam.Get("epsilon"), kWhat + ": adam.epsilon");
  }
  if (!absent(o.Get("implicitGradient"))) {
    Napi::Object ig = object_from_js(o.Get("implicitGradient"), kWhat + ": implicitGradient");
    r.implicit.enabled = true;
    r.implicit.lambda = number_from_js(ig.Get("lambda"), kWhat + ": implicitGradient.lambda");
    r.implicit.max_steps = int_from_js(ig.Get("cgSteps"), kWhat + ": implicitGradient.cgSteps", 0, 10000);
    r.implicit.tolerance = number_from_js(ig.Get("tolerance"), kWhat + ": implicitGradient.tolerance");
  }
  r.num_threads = default_num_threads();
  return r;
}

// AdaptBatchResult (binding.d.ts): the query fields with query data, implicitGrads when asked.
Napi::Object result_to_js(Napi::Env env, const AdaptBatchRequest& request, const AdaptBatchResult& result) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("adapted", nested_to_js(env, result.adapted));
  out.Set("meanAdapted", tensors_to_js(env, result.mean_adapted));
  Napi::Array losses = Napi::Array::New(env, result.support_losses.size());
  for (size_t t = 0; t < result.support_losses.size(); ++t)
    losses.Set(static_cast<uint32_t>(t), numbers_to_js(env, result.support_losses[t]));
  out.Set("supportLosses", losses);
  if (!request.tasks[0].query.empty()) {
    out.Set("queryLosses", numbers_to_js(env, result.query_losses));
    out.Set("queryOutputs", nested_to_js(env, result.query_outputs));
  }
  if (request.implicit.enabled) out.Set("implicitGrads", tensors_to_js(env, result.implicit_grads));
  return out;
}

}  // namespace

Napi::Value ProgramWrap::adapt_batch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    AdaptBatchRequest request = request_from_js(env, info[0]);
    request.query_program = query_program_from_js(env, info[1], "adaptBatch");
    // Last, after every getter of the request has run (program_wrap.h, program_ref).
    std::shared_ptr<const Program> program = program_ref("adaptBatch");
    return ProgramTaskWorker<AdaptBatchRequest, AdaptBatchResult>::queue(env, kWhat, std::move(program),
                                                                         std::move(request), ml::adapt_batch,
                                                                         result_to_js);
  });
}

}  // namespace ml::napi
