// The one conversion of the inner-loop engine's request and result (binding.d.ts innerLoop,
// lib/engine/request.ts): each field of the JS object is read once, on the JS thread; tensors are
// shared (reference counted), not copied. A malformed field throws ml::Error (Value unless said)
// prefixed with the request's label.
#pragma once
#include <napi.h>

#include "engine/inner_loop.h"

namespace ml::napi {

// InnerLoopRequest from its JS object; num_threads and query_program are left to the caller.
InnerLoopRequest inner_loop_request_from_js(Napi::Env env, const Napi::Value& value);

// InnerLoopResult as its JS object: the optional fields only where the request asked for them.
Napi::Object inner_loop_result_to_js(Napi::Env env, const InnerLoopRequest& request, const InnerLoopResult& result);

}  // namespace ml::napi
