// Module entry: the functions of NativeBinding (binding.d.ts). Conversions only; the math is in
// native/ops and native/autodiff.
#include <napi.h>

#include <cstring>

#include "autodiff/primitive.h"
#include "core/allocator.h"
#include "core/error.h"
#include "core/threads.h"
#include "napi/addon_data.h"
#include "napi/js_convert.h"
#include "napi/js_errors.h"
#include "napi/program_wrap.h"
#include "napi/tensor_wrap.h"
#include "ops/ops.h"

#ifndef METALEARN_VERSION
#define METALEARN_VERSION "0.0.0"
#endif

namespace ml::napi {
namespace {

Napi::Value from_array(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    if (!info[0].IsTypedArray()) fail(ErrorKind::DType, "fromArray: data must be a Float32Array or Float64Array");
    Napi::TypedArray data = info[0].As<Napi::TypedArray>();
    DType dtype;
    if (data.TypedArrayType() == napi_float32_array) dtype = DType::F32;
    else if (data.TypedArrayType() == napi_float64_array) dtype = DType::F64;
    else fail(ErrorKind::DType, "fromArray: data must be a Float32Array or Float64Array");
    Shape shape = shape_from_js(info[1], "fromArray: shape");
    if (static_cast<size_t>(shape_numel(shape)) != data.ElementLength())
      fail(ErrorKind::Shape, "fromArray: " + std::to_string(data.ElementLength()) + " elements do not fill shape " +
                                 shape_str(shape));
    Tensor t = Tensor::empty(dtype, shape);
    const uint8_t* bytes = static_cast<const uint8_t*>(data.ArrayBuffer().Data()) + data.ByteOffset();
    if (t.bytes() > 0) std::memcpy(t.raw(), bytes, t.bytes());
    return TensorWrap::create(env, t);
  });
}

Napi::Value to_array(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    Tensor t = TensorWrap::unwrap(env, info[0], "toArray");
    size_t n = static_cast<size_t>(t.numel());
    if (t.dtype() == DType::F32) {
      Napi::Float32Array out = Napi::Float32Array::New(env, n);
      if (n) std::memcpy(out.Data(), t.raw(), t.bytes());
      return out;
    }
    Napi::Float64Array out = Napi::Float64Array::New(env, n);
    if (n) std::memcpy(out.Data(), t.raw(), t.bytes());
    return out;
  });
}

Napi::Value shape_of(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value { return shape_to_js(env, TensorWrap::unwrap(env, info[0], "shapeOf").shape()); });
}

Napi::Value dtype_of(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    return Napi::String::New(env, dtype_name(TensorWrap::unwrap(env, info[0], "dtypeOf").dtype()));
  });
}

Napi::Value dispose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    // Idempotent: disposing a disposed tensor is fine; a non-tensor is an error.
    TensorWrap* wrap = wrapped_instance<TensorWrap>(info[0], addon_data(env).tensor_constructor);
    if (!wrap) fail(ErrorKind::Value, "dispose: expected a NativeTensor");
    wrap->release();
    return env.Undefined();
  });
}

Napi::Value exec(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    Prim prim = prim_from_js(info[0], "exec");
    std::string what = std::string("exec(") + prim_name(prim) + ")";
    std::vector<Tensor> inputs = tensors_from_js(env, info[1], what + ": inputs", false);
    Attrs attrs = attrs_from_js(prim, info[2], what);
    return TensorWrap::create(env, prim_forward(prim, inputs, attrs));
  });
}

Napi::Value compile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value { return ProgramWrap::create(env, program_from_js(info[0])); });
}

Napi::Value live_tensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(addon_data(info.Env()).live_tensors->load()));
}

// Bytes of live tensor storage now and at the peak since resetPeakTensorBytes(), as asked
// (live, peak) and as the allocator sized the blocks (liveHeld, peakHeld). For memory tests.
Napi::Value tensor_bytes(const Napi::CallbackInfo& info) {
  BlockBytes b = block_bytes();
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("live", static_cast<double>(b.live_requested));
  out.Set("peak", static_cast<double>(b.peak_requested));
  out.Set("liveHeld", static_cast<double>(b.live_held));
  out.Set("peakHeld", static_cast<double>(b.peak_held));
  return out;
}

Napi::Value reset_peak_tensor_bytes(const Napi::CallbackInfo& info) {
  reset_peak_block_bytes();
  return info.Env().Undefined();
}

Napi::Value num_threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), default_num_threads());
}

Napi::Value build_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("version", METALEARN_VERSION);
  out.Set("cuda", false);
  out.Set("simd", ops::gemm_kernel());
  out.Set("compiler", "g++ " __VERSION__);
  return out;
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  AddonData* data = new AddonData();
  env.SetInstanceData(data);
  data->tensor_constructor = Napi::Persistent(TensorWrap::define(env));
  data->program_constructor = Napi::Persistent(ProgramWrap::define(env));
  exports.Set("fromArray", Napi::Function::New(env, from_array, "fromArray"));
  exports.Set("toArray", Napi::Function::New(env, to_array, "toArray"));
  exports.Set("shapeOf", Napi::Function::New(env, shape_of, "shapeOf"));
  exports.Set("dtypeOf", Napi::Function::New(env, dtype_of, "dtypeOf"));
  exports.Set("dispose", Napi::Function::New(env, dispose, "dispose"));
  exports.Set("exec", Napi::Function::New(env, exec, "exec"));
  exports.Set("compile", Napi::Function::New(env, compile, "compile"));
  exports.Set("liveTensors", Napi::Function::New(env, live_tensors, "liveTensors"));
  exports.Set("tensorBytes", Napi::Function::New(env, tensor_bytes, "tensorBytes"));
  exports.Set("resetPeakTensorBytes", Napi::Function::New(env, reset_peak_tensor_bytes, "resetPeakTensorBytes"));
  exports.Set("numThreads", Napi::Function::New(env, num_threads, "numThreads"));
  exports.Set("buildInfo", Napi::Function::New(env, build_info, "buildInfo"));
  return exports;
}

}  // namespace
}  // namespace ml::napi

static Napi::Object InitMetalearn(Napi::Env env, Napi::Object exports) { return ml::napi::init(env, exports); }

NODE_API_MODULE(metalearn, InitMetalearn)
