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

}  // namespace ml::napi
