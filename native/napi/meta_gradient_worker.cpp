// ProgramWrap::metaGradient: the native meta-batch engine as a Promise. The request is read on
// the JS thread (tensors are shared, not copied), the tasks run on a thread pool off the event
// loop (Napi::AsyncWorker), and the result is wrapped back on the JS thread.
#include <cmath>
#include <memory>

#include "autodiff/meta_gradient.h"
#include "core/error.h"
#include "core/threads.h"
#include "napi/js_convert.h"
#include "napi/js_errors.h"
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
  Napi::Value lr = o.Get("innerLR");
  if (!lr.IsArray()) fail(ErrorKind::Value, what + ": innerLR must be an array of arrays of tensors");
  Napi::Array lr_array = lr.As<Napi::Array>();
  for (uint32_t j = 0; j < lr_array.Length(); ++j)
    r.inner_lr.push_back(tensors_from_js(env, lr_array.Get(j), what + ": innerLR[" + std::to_string(j) + "]", false));
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
  r.num_threads = default_num_threads();
  return r;
}

class MetaGradientWorker : public Napi::AsyncWorker {
 public:
  MetaGradientWorker(Napi::Env env, std::shared_ptr<const Program> program, MetaGradientRequest request)
      : Napi::AsyncWorker(env, "metalearn.metaGradient"),
        deferred_(Napi::Promise::Deferred::New(env)),
        program_(std::move(program)),
        request_(std::move(request)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      result_ = meta_gradient(*program_, request_);
    } catch (const Error& e) {
      fail_with(e.kind(), e.what());
    } catch (const std::bad_alloc&) {
      fail_with(ErrorKind::Internal, "metaGradient: out of memory");
    } catch (const std::exception& e) {
      fail_with(ErrorKind::Internal, std::string("metaGradient: ") + e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    try {
      Napi::Object out = Napi::Object::New(env);
      out.Set("loss", result_.loss);
      Napi::Array losses = Napi::Array::New(env, result_.query_losses.size());
      for (size_t t = 0; t < result_.query_losses.size(); ++t) losses.Set(static_cast<uint32_t>(t), result_.query_losses[t]);
      out.Set("queryLosses", losses);
      out.Set("grads", tensors_to_js(env, result_.grads));
      if (request_.lr_grads) out.Set("lrGrads", nested_to_js(env, result_.lr_grads));
      out.Set("queryOutputs", nested_to_js(env, result_.query_outputs));
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

  static Napi::Array nested_to_js(Napi::Env env, const std::vector<std::vector<Tensor>>& nested) {
    Napi::Array array = Napi::Array::New(env, nested.size());
    for (size_t i = 0; i < nested.size(); ++i) array.Set(static_cast<uint32_t>(i), tensors_to_js(env, nested[i]));
    return array;
  }

  Napi::Promise::Deferred deferred_;
  std::shared_ptr<const Program> program_;
  MetaGradientRequest request_;
  MetaGradientResult result_;
  ErrorKind kind_ = ErrorKind::Internal;
  std::string message_;
};

}  // namespace

Napi::Value ProgramWrap::meta_gradient(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    program("metaGradient");  // throws when disposed
    auto* worker = new MetaGradientWorker(env, program_, request_from_js(env, info[0]));
    Napi::Promise promise = worker->promise();
    worker->Queue();  // the worker deletes itself when done
    return promise;
  });
}

}  // namespace ml::napi
