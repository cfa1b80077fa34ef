// NativeTensor (binding.d.ts): a JS object owning an ml::Tensor. Freed by dispose() or by the
// GC finalizer; V8 is told about the native memory so that it collects in time.
#pragma once
#include <napi.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ml::napi {

class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  // A new JS NativeTensor owning t.
  static Napi::Object create(Napi::Env env, const Tensor& t);
  // The tensor behind a JS value; throws ml::Error (Value: not a tensor, Disposed: freed).
  static Tensor unwrap(Napi::Env env, const Napi::Value& value, const std::string& what);

  explicit TensorWrap(const Napi::CallbackInfo& info);
  ~TensorWrap() override;
  void release();

 private:
  void hold(const Tensor& t);

  Tensor tensor_;
  bool holding_ = false;
  int64_t external_bytes_ = 0;
  std::shared_ptr<std::atomic<int64_t>> live_;
};

// JS array of NativeTensor -> tensors. With allow_null, null/undefined entries become undefined tensors.
std::vector<Tensor> tensors_from_js(Napi::Env env, const Napi::Value& value, const std::string& what,
                                    bool allow_null);
Napi::Array tensors_to_js(Napi::Env env, const std::vector<Tensor>& tensors);

}  // namespace ml::napi
