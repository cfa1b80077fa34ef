#include "napi/inner_loop_convert.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "napi/js_convert.h"
#include "napi/tensor_wrap.h"

namespace ml::napi {
namespace {

bool absent(const Napi::Value& v) { return v.IsUndefined() || v.IsNull(); }

double number_from_js(const Napi::Value& value, const std::string& what) {
  if (!value.IsNumber() || !std::isfinite(value.As<Napi::Number>().DoubleValue()))
    fail(ErrorKind::Value, what + ": expected a finite number");
  return value.As<Napi::Number>().DoubleValue();
}

bool flag_from_js(const Napi::Value& value, const std::string& what) {
  if (absent(value)) return false;
  if (!value.IsBoolean()) fail(ErrorKind::Value, what + ": expected a boolean");
  return value.As<Napi::Boolean>().Value();
}

std::string string_from_js(const Napi::Value& value, const std::string& what) {
  if (!value.IsString()) fail(ErrorKind::Value, what + ": expected a string");
  return value.As<Napi::String>().Utf8Value();
}

std::vector<InnerLoopTask> tasks_from_js(Napi::Env env, const Napi::Value& value, const std::string& what) {
  if (!value.IsArray()) fail(ErrorKind::Value, what + ": tasks must be an array");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<InnerLoopTask> tasks;
  for (uint32_t t = 0; t < array.Length(); ++t) {
    std::string where = what + ": tasks[" + std::to_string(t) + "]";
    Napi::Object task = object_from_js(array.Get(t), where);
    InnerLoopTask parsed{tensors_from_js(env, task.Get("support"), where + ".support", false), std::nullopt};
    Napi::Value query = task.Get("query");
    if (!absent(query)) parsed.query = tensors_from_js(env, query, where + ".query", false);
    tasks.push_back(std::move(parsed));
  }
  return tasks;
}

UpdateRule update_from_js(Napi::Env env, const Napi::Value& value, const std::string& what) {
  Napi::Object o = object_from_js(value, what + ": update");
  UpdateRule rule;
  std::string kind = string_from_js(o.Get("kind"), what + ": update.kind");
  if (kind != "sgd" && kind != "adam") fail(ErrorKind::Value, what + ": update.kind must be 'sgd' or 'adam', got '" + kind + "'");
  Napi::Value rates = o.Get("rates");
  if (!rates.IsArray()) fail(ErrorKind::Value, what + ": update.rates must be an array of arrays of tensors");
  Napi::Array array = rates.As<Napi::Array>();
  for (uint32_t j = 0; j < array.Length(); ++j)
    rule.rates.push_back(tensors_from_js(env, array.Get(j), what + ": update.rates[" + std::to_string(j) + "]", false));
  if (kind == "adam") {
    rule.kind = UpdateKind::Adam;
    rule.beta1 = number_from_js(o.Get("beta1"), what + ": update.beta1");
    rule.beta2 = number_from_js(o.Get("beta2"), what + ": update.beta2");
    rule.epsilon = number_from_js(o.Get("epsilon"), what + ": update.epsilon");
  }
  return rule;
}

OuterGradient outer_gradient_from_js(const Napi::Value& value, const std::string& what) {
  std::string name = string_from_js(value, what + ": outerGradient");
  for (OuterGradient g : {OuterGradient::None, OuterGradient::FirstOrder, OuterGradient::Exact, OuterGradient::Implicit})
    if (name == outer_gradient_name(g)) return g;
  fail(ErrorKind::Value, what + ": outerGradient must be 'none', 'first-order', 'exact' or 'implicit', got '" + name + "'");
}

ImplicitSettings implicit_from_js(const Napi::Value& value, const std::string& what) {
  Napi::Object o = object_from_js(value, what + ": implicit");
  ImplicitSettings s;
  s.lambda = number_from_js(o.Get("lambda"), what + ": implicit.lambda");
  s.cg_steps = int_from_js(o.Get("cgSteps"), what + ": implicit.cgSteps", 0, 10000);
  s.tolerance = number_from_js(o.Get("tolerance"), what + ": implicit.tolerance");
  return s;
}

std::vector<double> numbers_from_js(const Napi::Value& value, const std::string& what) {
  if (!value.IsArray()) fail(ErrorKind::Value, what + " must be an array of numbers");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<double> out;
  for (uint32_t j = 0; j < array.Length(); ++j) out.push_back(number_from_js(array.Get(j), what + "[" + std::to_string(j) + "]"));
  return out;
}

StepData step_data_from_js(Napi::Env env, const Napi::Value& value, const std::string& what) {
  StepData step_data;
  if (absent(value)) return step_data;
  Napi::Object o = object_from_js(value, what + ": stepData");
  step_data.index = int_from_js(o.Get("index"), what + ": stepData.index", 0, 1 << 20);
  step_data.values = tensors_from_js(env, o.Get("values"), what + ": stepData.values", false);
  return step_data;
}

// [number, ...]
Napi::Array numbers_to_js(Napi::Env env, const std::vector<double>& values) {
  Napi::Array array = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) array.Set(static_cast<uint32_t>(i), values[i]);
  return array;
}

// [[NativeTensor, ...], ...]
Napi::Array nested_to_js(Napi::Env env, const std::vector<std::vector<Tensor>>& nested) {
  Napi::Array array = Napi::Array::New(env, nested.size());
  for (size_t i = 0; i < nested.size(); ++i) array.Set(static_cast<uint32_t>(i), tensors_to_js(env, nested[i]));
  return array;
}

}  // namespace

InnerLoopRequest inner_loop_request_from_js(Napi::Env env, const Napi::Value& value) {
  Napi::Object o = object_from_js(value, "innerLoop: request");
  InnerLoopRequest r;
  Napi::Value label = o.Get("label");
  if (!absent(label)) r.label = string_from_js(label, "innerLoop: label");
  const std::string& what = r.label;
  r.num_params = static_cast<size_t>(int_from_js(o.Get("numParams"), what + ": numParams", 1, 1 << 20));
  r.params = tensors_from_js(env, o.Get("params"), what + ": params", false);
  r.tasks = tasks_from_js(env, o.Get("tasks"), what);
  r.steps = int_from_js(o.Get("steps"), what + ": steps", 0, 10000);
  r.update = update_from_js(env, o.Get("update"), what);
  Napi::Value adapts = o.Get("adapts");
  if (!absent(adapts)) {
    r.adapts.emplace();
    for (int64_t i : int_list_from_js(adapts, what + ": adapts", 0, 1 << 20)) r.adapts->push_back(static_cast<size_t>(i));
  }
  Napi::Value proximal = o.Get("proximal");
  if (!absent(proximal)) r.proximal = number_from_js(proximal, what + ": proximal");
  r.outer_gradient = outer_gradient_from_js(o.Get("outerGradient"), what);
  Napi::Value implicit = o.Get("implicit");
  if (!absent(implicit)) r.implicit = implicit_from_js(implicit, what);
  Napi::Value weights = o.Get("stepWeights");
  if (!absent(weights)) r.step_weights = numbers_from_js(weights, what + ": stepWeights");
  r.lr_grads = flag_from_js(o.Get("lrGrads"), what + ": lrGrads");
  r.step_data = step_data_from_js(env, o.Get("stepData"), what);
  r.return_adapted = flag_from_js(o.Get("returnAdapted"), what + ": returnAdapted");
  r.support_outputs = flag_from_js(o.Get("supportOutputs"), what + ": supportOutputs");
  return r;
}

Napi::Object inner_loop_result_to_js(Napi::Env env, const InnerLoopRequest& request, const InnerLoopResult& result) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("loss", result.loss);
  Napi::Array support_losses = Napi::Array::New(env, result.support_losses.size());
  for (size_t t = 0; t < result.support_losses.size(); ++t)
    support_losses.Set(static_cast<uint32_t>(t), numbers_to_js(env, result.support_losses[t]));
  out.Set("supportLosses", support_losses);
  if (request.tasks[0].query) {
    out.Set("queryLosses", numbers_to_js(env, result.query_losses));
    out.Set("queryOutputs", nested_to_js(env, result.query_outputs));
  }
  if (request.support_outputs) {
    Napi::Array per_task = Napi::Array::New(env, result.support_outputs.size());
    for (size_t t = 0; t < result.support_outputs.size(); ++t)
      per_task.Set(static_cast<uint32_t>(t), nested_to_js(env, result.support_outputs[t]));
    out.Set("supportOutputs", per_task);
  }
  OuterGradient mode = request.outer_gradient;
  if (mode == OuterGradient::FirstOrder || mode == OuterGradient::Exact) out.Set("grads", tensors_to_js(env, result.grads));
  if (request.lr_grads) out.Set("lrGrads", nested_to_js(env, result.lr_grads));
  if (request.return_adapted) {
    out.Set("adapted", nested_to_js(env, result.adapted));
    out.Set("meanAdapted", tensors_to_js(env, result.mean_adapted));
  }
  if (mode == OuterGradient::Implicit) out.Set("implicitGrads", tensors_to_js(env, result.implicit_grads));
  return out;
}

}  // namespace ml::napi
