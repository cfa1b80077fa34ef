#include "napi/js_convert.h"

#include <cmath>

#include "autodiff/op_table.h"
#include "core/error.h"

namespace ml::napi {
namespace {

constexpr int64_t kMaxDim = int64_t(1) << 40;
constexpr int64_t kMaxSafe = (int64_t(1) << 53) - 1;

Napi::Value required(const Napi::Object& object, const char* key, const std::string& what) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) fail(ErrorKind::Value, what + ": attribute '" + key + "' is missing");
  return value;
}

bool bool_attr(const Napi::Object& object, const char* key, const std::string& what) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return false;
  if (!value.IsBoolean()) fail(ErrorKind::Value, what + ": attribute '" + key + "' must be a boolean");
  return value.As<Napi::Boolean>().Value();
}

double number_attr(const Napi::Object& object, const char* key, const std::string& what) {
  Napi::Value value = required(object, key, what);
  if (!value.IsNumber()) fail(ErrorKind::Value, what + ": attribute '" + key + "' must be a number");
  double v = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v)) fail(ErrorKind::Value, what + ": attribute '" + key + "' must be finite");
  return v;
}

ops::Pair pair_attr(const Napi::Object& object, const char* key, const std::string& what, int64_t min) {
  std::vector<int64_t> v = int_list_from_js(required(object, key, what), what + "." + key, min, kMaxDim);
  if (v.size() != 2) fail(ErrorKind::Value, what + ": attribute '" + key + "' must be a pair [h, w]");
  return {v[0], v[1]};
}

}  // namespace

Napi::Object object_from_js(const Napi::Value& value, const std::string& what) {
  if (!value.IsObject() || value.IsArray()) fail(ErrorKind::Value, what + ": expected an object");
  return value.As<Napi::Object>();
}

int64_t int_from_js(const Napi::Value& value, const std::string& what, int64_t min, int64_t max) {
  if (!value.IsNumber()) fail(ErrorKind::Value, what + ": expected an integer");
  double v = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v) || std::floor(v) != v || v < static_cast<double>(min) || v > static_cast<double>(max))
    fail(ErrorKind::Value, what + ": expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                               "], got " + std::to_string(v));
  return static_cast<int64_t>(v);
}

std::vector<int64_t> int_list_from_js(const Napi::Value& value, const std::string& what, int64_t min, int64_t max) {
  if (!value.IsArray()) fail(ErrorKind::Value, what + ": expected an array of integers");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<int64_t> out;
  for (uint32_t i = 0; i < array.Length(); ++i)
    out.push_back(int_from_js(array.Get(i), what + "[" + std::to_string(i) + "]", min, max));
  return out;
}

Shape shape_from_js(const Napi::Value& value, const std::string& what) {
  Shape shape = int_list_from_js(value, what, 0, kMaxDim);
  if (shape.size() > 16) fail(ErrorKind::Shape, what + ": rank " + std::to_string(shape.size()) + " is above 16");
  check_shape_valid(shape, what.c_str());
  return shape;
}

DType dtype_from_js(const Napi::Value& value, const std::string& what) {
  if (value.IsString()) {
    std::string s = value.As<Napi::String>().Utf8Value();
    if (s == "float32") return DType::F32;
    if (s == "float64") return DType::F64;
  }
  fail(ErrorKind::DType, what + ": dtype must be 'float32' or 'float64'");
}

Napi::Array shape_to_js(Napi::Env env, const Shape& shape) {
  Napi::Array array = Napi::Array::New(env, shape.size());
  for (size_t i = 0; i < shape.size(); ++i) array.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(shape[i])));
  return array;
}

Prim prim_from_js(const Napi::Value& value, const std::string& what) {
  Prim prim;
  if (!value.IsString() || !prim_from_name(value.As<Napi::String>().Utf8Value(), &prim))
    fail(ErrorKind::Value, what + ": unknown primitive " +
                               (value.IsString() ? "'" + value.As<Napi::String>().Utf8Value() + "'" : "(not a string)"));
  return prim;
}

Attrs attrs_from_js(Prim prim, const Napi::Value& value, const std::string& context) {
  const OpDef& op = op_def(prim);
  std::string what = context + " (" + op.name + ")";
  Attrs a;
  // Primitives without attributes may omit the object; the others report each missing key.
  Napi::Object o = value.IsObject() ? value.As<Napi::Object>() : Napi::Object::New(value.Env());
  for (const AttrSpec& spec : op.attrs) {
    if (spec.key == nullptr) break;
    const char* key = spec.key;
    std::string where = what + "." + key;
    switch (spec.field) {
      case AttrField::TransA: a.transA = bool_attr(o, key, what); break;
      case AttrField::TransB: a.transB = bool_attr(o, key, what); break;
      case AttrField::KeepDims: a.keepDims = bool_attr(o, key, what); break;
      case AttrField::Value: a.value = number_attr(o, key, what); break;
      case AttrField::Axes: a.axes = int_list_from_js(required(o, key, what), where, 0, 15); break;
      case AttrField::Axis: a.axis = int_from_js(required(o, key, what), where, 0, 15); break;
      case AttrField::Start: a.start = int_from_js(required(o, key, what), where, 0, kMaxSafe); break;
      case AttrField::End: a.end = int_from_js(required(o, key, what), where, 0, kMaxSafe); break;
      case AttrField::Shape: a.shape = shape_from_js(required(o, key, what), where); break;
      case AttrField::Stride: a.stride = pair_attr(o, key, what, 1); break;
      case AttrField::Padding: a.padding = pair_attr(o, key, what, 0); break;
      case AttrField::Kernel: a.kernel = pair_attr(o, key, what, 1); break;
      case AttrField::NumClasses: a.numClasses = int_from_js(required(o, key, what), where, 1, kMaxDim); break;
    }
  }
  return a;
}

std::shared_ptr<const Program> program_from_js(const Napi::Value& value) {
  Napi::Object spec = object_from_js(value, "compile: spec");
  Napi::Value inputs_js = spec.Get("inputs"), nodes_js = spec.Get("nodes");
  if (!inputs_js.IsArray() || !nodes_js.IsArray())
    fail(ErrorKind::Value, "compile: spec.inputs and spec.nodes must be arrays");

  std::vector<ProgramInput> inputs;
  Napi::Array inputs_array = inputs_js.As<Napi::Array>();
  for (uint32_t i = 0; i < inputs_array.Length(); ++i) {
    std::string where = "compile: spec.inputs[" + std::to_string(i) + "]";
    Napi::Object in = object_from_js(inputs_array.Get(i), where);
    inputs.push_back({shape_from_js(in.Get("shape"), where + ".shape"), dtype_from_js(in.Get("dtype"), where)});
  }

  std::vector<ProgramNode> nodes;
  Napi::Array nodes_array = nodes_js.As<Napi::Array>();
  for (uint32_t j = 0; j < nodes_array.Length(); ++j) {
    std::string where = "compile: spec.nodes[" + std::to_string(j) + "]";
    Napi::Object node = object_from_js(nodes_array.Get(j), where);
    ProgramNode n;
    n.op = prim_from_js(node.Get("op"), where + ".op");
    n.inputs = int_list_from_js(node.Get("inputs"), where + ".inputs", 0, kMaxSafe);
    n.attrs = attrs_from_js(n.op, node.Get("attrs"), where + ".attrs");
    n.shape = shape_from_js(node.Get("shape"), where + ".shape");
    n.dtype = dtype_from_js(node.Get("dtype"), where);
    nodes.push_back(std::move(n));
  }
  std::vector<int64_t> outputs = int_list_from_js(spec.Get("outputs"), "compile: spec.outputs", 0, kMaxSafe);
  return std::make_shared<const Program>(std::move(inputs), std::move(nodes), std::move(outputs));
}

}  // namespace ml::napi
