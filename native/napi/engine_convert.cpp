#include "napi/engine_convert.h"

#include "core/error.h"
#include "napi/js_convert.h"
#include "napi/tensor_wrap.h"

namespace ml::napi {

std::vector<std::vector<Tensor>> inner_lr_from_js(Napi::Env env, const Napi::Value& value, const std::string& what) {
  if (!value.IsArray()) fail(ErrorKind::Value, what + ": innerLR must be an array of arrays of tensors");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<std::vector<Tensor>> inner_lr;
  for (uint32_t j = 0; j < array.Length(); ++j)
    inner_lr.push_back(tensors_from_js(env, array.Get(j), what + ": innerLR[" + std::to_string(j) + "]", false));
  return inner_lr;
}

StepData step_data_from_js(Napi::Env env, const Napi::Value& value, const std::string& what) {
  StepData step_data;
  if (value.IsUndefined() || value.IsNull()) return step_data;
  if (!value.IsObject()) fail(ErrorKind::Value, what + ": stepData must be an object { index, values }");
  Napi::Object o = value.As<Napi::Object>();
  step_data.index = int_from_js(o.Get("index"), what + ": stepData.index", 0, 1 << 20);
  step_data.values = tensors_from_js(env, o.Get("values"), what + ": stepData.values", false);
  return step_data;
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

}  // namespace ml::napi
