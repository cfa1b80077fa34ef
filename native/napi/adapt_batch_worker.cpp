// ProgramWrap::adaptBatch: batched adaptation (autodiff/adapt_batch.h) as a Promise. The request
// is read on the JS thread (tensors are shared, not copied), the tasks run on a thread pool off
// the event loop (Napi::AsyncWorker), and the result is wrapped back on the JS thread.
#include <cmath>
#include <memory>

#include "autodiff/adapt_batch.h"
#include "core/error.h"
#include "core/threads.h"
#include "napi/js_convert.h"
#include "napi/js_errors.h"
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
  Napi::Value lr = o.Get("innerLR");
  if (!lr.IsArray()) fail(ErrorKind::Value, kWhat + ": innerLR must be an array of arrays of tensors");
  Napi::Array lr_array = lr.As<Napi::Array>();
  for (uint32_t j = 0; j < lr_array.Length(); ++j)
    r.inner_lr.push_back(tensors_from_js(env, lr_array.Get(j), kWhat + ": innerLR[" + std::to_string(j) + "]", false));
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

Napi::Array numbers_to_js(Napi::Env env, const std::vector<double>& values) {
  Napi::Array array = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) array.Set(static_cast<uint32_t>(i), values[i]);
  return array;
}

Napi::Array nested_to_js(Napi::Env env, const std::vector<std::vector<Tensor>>& nested) {
  Napi::Array array = Napi::Array::New(env, nested.size());
  for (size_t i = 0; i < nested.size(); ++i) array.Set(static_cast<uint32_t>(i), tensors_to_js(env, nested[i]));
  return array;
}

class AdaptBatchWorker : public Napi::AsyncWorker {
 public:
  AdaptBatchWorker(Napi::Env env, std::shared_ptr<const Program> program, AdaptBatchRequest request)
      : Napi::AsyncWorker(env, "metalearn.adaptBatch"),
        deferred_(Napi::Promise::Deferred::New(env)),
        program_(std::move(program)),
        request_(std::move(request)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      result_ = adapt_batch(*program_, request_);
    } catch (const Error& e) {
      fail_with(e.kind(), e.what());
    } catch (const std::bad_alloc&) {
      fail_with(ErrorKind::Internal, "adaptBatch: out of memory");
    } catch (const std::exception& e) {
      fail_with(ErrorKind::Internal, std::string("adaptBatch: ") + e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    try {
      Napi::Object out = Napi::Object::New(env);
      out.Set("adapted", nested_to_js(env, result_.adapted));
      out.Set("meanAdapted", tensors_to_js(env, result_.mean_adapted));
      Napi::Array losses = Napi::Array::New(env, result_.support_losses.size());
      for (size_t t = 0; t < result_.support_losses.size(); ++t)
        losses.Set(static_cast<uint32_t>(t), numbers_to_js(env, result_.support_losses[t]));
      out.Set("supportLosses", losses);
      if (!request_.tasks[0].query.empty()) {
        out.Set("queryLosses", numbers_to_js(env, result_.query_losses));
        out.Set("queryOutputs", nested_to_js(env, result_.query_outputs));
      }
      if (request_.implicit.enabled) out.Set("implicitGrads", tensors_to_js(env, result_.implicit_grads));
      deferred_.Resolve(out);
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

  void OnError(const Napi::Error&) override { deferred_.Reject(js_error(Env(), kind_, message_).Value()); }

 private:
  void fail_with(ErrorKind kind, const std::string& message) {
    kind_ = kind;
    message_ = message;
    SetError(message);
  }

  Napi::Promise::Deferred deferred_;
  std::shared_ptr<const Program> program_;
  AdaptBatchRequest request_;
  AdaptBatchResult result_;
  ErrorKind kind_ = ErrorKind::Internal;
  std::string message_;
};

}  // namespace

Napi::Value ProgramWrap::adapt_batch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    program("adaptBatch");  // throws when disposed
    auto* worker = new AdaptBatchWorker(env, program_, request_from_js(env, info[0]));
    Napi::Promise promise = worker->promise();
    worker->Queue();  // the worker deletes itself when done
    return promise;
  });
}

}  // namespace ml::napi
