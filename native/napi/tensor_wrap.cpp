#include "napi/tensor_wrap.h"

#include "core/error.h"
#include "napi/addon_data.h"

namespace ml::napi {

Napi::Function TensorWrap::define(Napi::Env env) { return DefineClass(env, "NativeTensor", {}); }

TensorWrap::TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {
  live_ = addon_data(info.Env()).live_tensors;
}

TensorWrap::~TensorWrap() {
  // GC finalizer: the tensor was not disposed explicitly.
  if (holding_) {
    --*live_;
    Napi::MemoryManagement::AdjustExternalMemory(Env(), -external_bytes_);
  }
}

void TensorWrap::hold(const Tensor& t) {
  tensor_ = t;
  holding_ = true;
  external_bytes_ = static_cast<int64_t>(t.bytes());
  ++*live_;
  Napi::MemoryManagement::AdjustExternalMemory(Env(), external_bytes_);
}

void TensorWrap::release() {
  if (!holding_) return;
  holding_ = false;
  tensor_ = Tensor();
  --*live_;
  Napi::MemoryManagement::AdjustExternalMemory(Env(), -external_bytes_);
}

Napi::Object TensorWrap::create(Napi::Env env, const Tensor& t) {
  Napi::Object object = addon_data(env).tensor_constructor.New({});
  Unwrap(object)->hold(t);
  return object;
}

Tensor TensorWrap::unwrap(Napi::Env env, const Napi::Value& value, const std::string& what) {
  TensorWrap* wrap = wrapped_instance<TensorWrap>(value, addon_data(env).tensor_constructor);
  if (!wrap) fail(ErrorKind::Value, what + ": expected a NativeTensor");
  if (!wrap->holding_) fail(ErrorKind::Disposed, what + ": tensor was disposed");
  return wrap->tensor_;
}

std::vector<Tensor> tensors_from_js(Napi::Env env, const Napi::Value& value, const std::string& what,
                                    bool allow_null) {
  if (!value.IsArray()) fail(ErrorKind::Value, what + ": expected an array of tensors");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<Tensor> tensors;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    if (allow_null && (item.IsNull() || item.IsUndefined())) {
      tensors.emplace_back();
      continue;
    }
    tensors.push_back(TensorWrap::unwrap(env, item, what + "[" + std::to_string(i) + "]"));
  }
  return tensors;
}

Napi::Array tensors_to_js(Napi::Env env, const std::vector<Tensor>& tensors) {
  Napi::Array array = Napi::Array::New(env, tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) array.Set(static_cast<uint32_t>(i), TensorWrap::create(env, tensors[i]));
  return array;
}

}  // namespace ml::napi
