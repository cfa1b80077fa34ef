#include "autodiff/dual.h"

#include "autodiff/op_table.h"
#include "core/error.h"

namespace ml {

Dual apply(Prim prim, const std::vector<Dual>& inputs, const Attrs& attrs) {
  std::vector<Tensor> values;
  values.reserve(inputs.size());
  bool any_tangent = false;
  for (const Dual& d : inputs) {
    values.push_back(d.value);
    any_tangent = any_tangent || d.tangent.defined();
  }
  Dual out{prim_forward(prim, values, attrs), Tensor()};
  if (any_tangent) {
    std::vector<Tensor> tangents;
    tangents.reserve(inputs.size());
    for (const Dual& d : inputs) tangents.push_back(d.tangent);
    out.tangent = prim_jvp(prim, values, tangents, out.value, attrs);
  }
  return out;
}

namespace dual {
namespace {

Dual unary(Prim prim, const Dual& x) { return apply(prim, {x}, Attrs{}); }
Dual binary(Prim prim, const Dual& a, const Dual& b) { return apply(prim, {a, b}, Attrs{}); }
Dual scalar(Prim prim, const Dual& x, double value) {
  Attrs attrs;
  attrs.value = value;
  return apply(prim, {x}, attrs);
}
Attrs conv_attrs(ops::Pair stride, ops::Pair padding, const Shape& shape) {
  Attrs attrs;
  attrs.stride = stride;
  attrs.padding = padding;
  attrs.shape = shape;
  return attrs;
}
Attrs pool_attrs(ops::Pair kernel, ops::Pair stride) {
  Attrs attrs;
  attrs.kernel = kernel;
  attrs.stride = stride;
  return attrs;
}

}  // namespace

Dual add(const Dual& a, const Dual& b) { return binary(Prim::Add, a, b); }
Dual sub(const Dual& a, const Dual& b) { return binary(Prim::Sub, a, b); }
Dual mul(const Dual& a, const Dual& b) { return binary(Prim::Mul, a, b); }
Dual div(const Dual& a, const Dual& b) { return binary(Prim::Div, a, b); }
Dual neg(const Dual& x) { return unary(Prim::Neg, x); }
Dual exp(const Dual& x) { return unary(Prim::Exp, x); }
Dual square(const Dual& x) { return unary(Prim::Square, x); }
Dual sigmoid(const Dual& x) { return unary(Prim::Sigmoid, x); }
Dual add_scalar(const Dual& x, double value) { return scalar(Prim::AddScalar, x, value); }
Dual mul_scalar(const Dual& x, double value) { return scalar(Prim::MulScalar, x, value); }
Dual pow_scalar(const Dual& x, double value) { return scalar(Prim::PowScalar, x, value); }
Dual relu_mask(const Dual& x, const Dual& g) { return binary(Prim::ReluMask, x, g); }

Dual matmul(const Dual& a, const Dual& b, bool transA, bool transB) {
  Attrs attrs;
  attrs.transA = transA;
  attrs.transB = transB;
  return apply(Prim::Matmul, {a, b}, attrs);
}

Dual sum(const Dual& x, const std::vector<int64_t>& axes, bool keep_dims) {
  Attrs attrs;
  attrs.axes = axes;
  attrs.keepDims = keep_dims;
  return apply(Prim::Sum, {x}, attrs);
}

Dual broadcast_to(const Dual& x, const Shape& shape) {
  if (x.value.shape() == shape) return x;
  Attrs attrs;
  attrs.shape = shape;
  return apply(Prim::BroadcastTo, {x}, attrs);
}

Dual sum_to(const Dual& x, const Shape& shape) {
  const Shape& from = x.value.shape();
  if (from == shape) return x;
  int64_t offset = static_cast<int64_t>(from.size()) - static_cast<int64_t>(shape.size());
  if (offset < 0) fail(ErrorKind::Internal, "sumTo: cannot sum " + shape_str(from) + " to " + shape_str(shape));
  std::vector<int64_t> axes;
  for (int64_t d = 0; d < static_cast<int64_t>(from.size()); ++d)
    if (d < offset || (shape[d - offset] == 1 && from[d] != 1)) axes.push_back(d);
  return reshape(sum(x, axes, true), shape);
}

Dual reshape(const Dual& x, const Shape& shape) {
  if (x.value.shape() == shape) return x;
  Attrs attrs;
  attrs.shape = shape;
  return apply(Prim::Reshape, {x}, attrs);
}

Dual concat(const std::vector<Dual>& inputs, int64_t axis) {
  if (inputs.size() == 1) return inputs[0];
  Attrs attrs;
  attrs.axis = axis;
  return apply(Prim::Concat, inputs, attrs);
}

Dual slice(const Dual& x, int64_t axis, int64_t start, int64_t end) {
  Attrs attrs;
  attrs.axis = axis;
  attrs.start = start;
  attrs.end = end;
  return apply(Prim::Slice, {x}, attrs);
}

Dual conv2d(const Dual& x, const Dual& w, ops::Pair stride, ops::Pair padding) {
  return apply(Prim::Conv2d, {x, w}, conv_attrs(stride, padding, {}));
}

Dual conv2d_backward_input(const Dual& g, const Dual& w, ops::Pair stride, ops::Pair padding, const Shape& input_shape) {
  return apply(Prim::Conv2dBackwardInput, {g, w}, conv_attrs(stride, padding, input_shape));
}

Dual conv2d_backward_weight(const Dual& x, const Dual& g, ops::Pair stride, ops::Pair padding,
                            const Shape& weight_shape) {
  return apply(Prim::Conv2dBackwardWeight, {x, g}, conv_attrs(stride, padding, weight_shape));
}

Dual max_pool2d_select(const Dual& x, const Dual& t, ops::Pair kernel, ops::Pair stride) {
  return apply(Prim::MaxPool2dSelect, {x, t}, pool_attrs(kernel, stride));
}

Dual max_pool2d_scatter(const Dual& x, const Dual& g, ops::Pair kernel, ops::Pair stride) {
  return apply(Prim::MaxPool2dScatter, {x, g}, pool_attrs(kernel, stride));
}

}  // namespace dual
}  // namespace ml
