// Per-environment state of the addon (one per Node main thread or worker thread).
#pragma once
#include <napi.h>

#include <atomic>
#include <memory>

namespace ml::napi {

struct AddonData {
  Napi::FunctionReference tensor_constructor;
  Napi::FunctionReference program_constructor;
  // Live native tensors of this environment; shared with each tensor so that a finalizer
  // running after the environment's data is gone still has a valid counter.
  std::shared_ptr<std::atomic<int64_t>> live_tensors = std::make_shared<std::atomic<int64_t>>(0);
};

inline AddonData& addon_data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

// The native object behind `value` when it is an object that `constructor` built; null for
// anything else, including objects that only inherit its prototype (Object.create, a Proxy):
// those pass InstanceOf but wrap nothing, and ObjectWrap::Unwrap would throw an uncoded error.
template <class Wrap>
Wrap* wrapped_instance(const Napi::Value& value, const Napi::FunctionReference& constructor) {
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(constructor.Value())) return nullptr;
  void* native = nullptr;
  if (napi_unwrap(value.Env(), value, &native) != napi_ok || native == nullptr) return nullptr;
  return static_cast<Wrap*>(static_cast<Napi::ObjectWrap<Wrap>*>(native));
}

}  // namespace ml::napi
