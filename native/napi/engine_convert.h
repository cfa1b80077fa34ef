// JS <-> C++ pieces shared by the meta-batch engines' requests and results (metaGradient,
// adaptBatch in binding.d.ts). Malformed values throw ml::Error (Value) naming `what`.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "autodiff/meta_batch.h"
#include "core/tensor.h"

namespace ml::napi {

// request.innerLR: an array of arrays of NativeTensor; inner_lr[j][i] (messages: "<what>: innerLR...").
std::vector<std::vector<Tensor>> inner_lr_from_js(Napi::Env env, const Napi::Value& value, const std::string& what);

// request.stepData: absent -> disabled, else { index, values: NativeTensor[] } (messages: "<what>: stepData...").
StepData step_data_from_js(Napi::Env env, const Napi::Value& value, const std::string& what);

// [number, ...]
Napi::Array numbers_to_js(Napi::Env env, const std::vector<double>& values);
// [[NativeTensor, ...], ...]
Napi::Array nested_to_js(Napi::Env env, const std::vector<std::vector<Tensor>>& nested);

}  // namespace ml::napi
