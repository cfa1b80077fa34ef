#include "autodiff/vjp_rules.h"

#include "core/error.h"
#include "ops/ops.h"

namespace ml {
namespace {

using namespace dual;

void matmul_vjp(const std::vector<Dual>& x, const Dual& g, const Attrs& a, const std::vector<bool>& need,
                std::vector<Dual>& grads) {
  // y = op(A) op(B):  dA = G op(B)^T (transposed back when transA), dB = op(A)^T G (likewise).
  const Dual &A = x[0], &B = x[1];
  if (need[0]) grads[0] = a.transA ? matmul(B, g, a.transB, true) : matmul(g, B, false, !a.transB);
  if (need[1]) grads[1] = a.transB ? matmul(g, A, true, a.transA) : matmul(A, g, !a.transA, false);
}

void squared_euclidean_vjp(const std::vector<Dual>& x, const Dual& g, const std::vector<bool>& need,
                           std::vector<Dual>& grads) {
  // y_ij = |a_i|^2 + |b_j|^2 - 2 a_i.b_j;  da = 2 (a * rowsum(g) - g b),  db = 2 (b * colsum(g)^T - g^T a)
  const Dual &a = x[0], &b = x[1];
  if (need[0]) grads[0] = mul_scalar(sub(mul(a, sum(g, {1}, true)), matmul(g, b, false, false)), 2.0);
  if (need[1]) {
    Dual column_sums = reshape(sum(g, {0}, false), {b.value.dim(0), 1});
    grads[1] = mul_scalar(sub(mul(b, column_sums), matmul(g, a, true, false)), 2.0);
  }
}

void slice_vjp(const Dual& x, const Dual& g, const Attrs& a, Dual& grad) {
  // Zeros around g along the axis: concat(zeros before, g, zeros after).
  Shape before = x.value.shape(), after = x.value.shape();
  before[a.axis] = a.start;
  after[a.axis] = x.value.dim(a.axis) - a.end;
  std::vector<Dual> parts;
  if (a.start > 0) parts.push_back(constant(Tensor::zeros(x.value.dtype(), before)));
  parts.push_back(g);
  if (after[a.axis] > 0) parts.push_back(constant(Tensor::zeros(x.value.dtype(), after)));
  grad = concat(parts, a.axis);
}

void concat_vjp(const std::vector<Dual>& x, const Dual& g, const Attrs& a, const std::vector<bool>& need,
                std::vector<Dual>& grads) {
  int64_t offset = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    int64_t size = x[i].value.dim(a.axis);
    if (need[i]) grads[i] = slice(g, a.axis, offset, offset + size);
    offset += size;
  }
}

}  // namespace

void prim_vjp(Prim prim, const std::vector<Dual>& x, const Dual& y, const Dual& g, const Attrs& a,
              const std::vector<bool>& need, std::vector<Dual>& grads) {
  grads.assign(x.size(), Dual{});
  auto shape_of = [&](size_t i) { return x[i].value.shape(); };
  int64_t last_axis = x[0].value.rank() - 1;
  switch (prim) {
    case Prim::Matmul: return matmul_vjp(x, g, a, need, grads);
    case Prim::Add:
      if (need[0]) grads[0] = sum_to(g, shape_of(0));
      if (need[1]) grads[1] = sum_to(g, shape_of(1));
      return;
    case Prim::Sub:
      if (need[0]) grads[0] = sum_to(g, shape_of(0));
      if (need[1]) grads[1] = neg(sum_to(g, shape_of(1)));
      return;
    case Prim::Mul:
      if (need[0]) grads[0] = sum_to(mul(g, x[1]), shape_of(0));
      if (need[1]) grads[1] = sum_to(mul(g, x[0]), shape_of(1));
      return;
    case Prim::Div:
      // d(a/b)/da = 1/b;  d(a/b)/db = -y/b
      if (need[0]) grads[0] = sum_to(div(g, x[1]), shape_of(0));
      if (need[1]) grads[1] = sum_to(neg(mul(g, div(y, x[1]))), shape_of(1));
      return;
    case Prim::Neg: grads[0] = neg(g); return;
    case Prim::Exp: grads[0] = mul(g, y); return;
    case Prim::Log: grads[0] = div(g, x[0]); return;
    case Prim::Sqrt: grads[0] = div(g, mul_scalar(y, 2.0)); return;
    case Prim::Square: grads[0] = mul(g, mul_scalar(x[0], 2.0)); return;
    case Prim::Relu: grads[0] = relu_mask(x[0], g); return;
    case Prim::Tanh: grads[0] = mul(g, add_scalar(neg(square(y)), 1.0)); return;
    case Prim::Sigmoid: grads[0] = mul(g, mul(y, add_scalar(neg(y), 1.0))); return;
    case Prim::Softplus: grads[0] = mul(g, sigmoid(x[0])); return;
    case Prim::Abs: grads[0] = mul(g, constant(ops::sign(x[0].value))); return;
    case Prim::AddScalar: grads[0] = g; return;
    case Prim::MulScalar: grads[0] = mul_scalar(g, a.value); return;
    case Prim::PowScalar:
      if (a.value != 0.0) grads[0] = mul(g, mul_scalar(pow_scalar(x[0], a.value - 1.0), a.value));
      return;
    case Prim::ReluMask:
      if (need[1]) grads[1] = relu_mask(x[0], g);
      return;
    case Prim::Sum: {
      Shape kept = shape_of(0);
      for (int64_t axis : a.axes) kept[axis] = 1;
      grads[0] = broadcast_to(reshape(g, kept), shape_of(0));
      return;
    }
    case Prim::BroadcastTo: grads[0] = sum_to(g, shape_of(0)); return;
    case Prim::Reshape: grads[0] = reshape(g, shape_of(0)); return;
    case Prim::Concat: return concat_vjp(x, g, a, need, grads);
    case Prim::Slice: return slice_vjp(x[0], g, a, grads[0]);
    case Prim::Softmax:
      // dx = y * (g - sum(g * y))
      grads[0] = mul(y, sub(g, sum(mul(g, y), {last_axis}, true)));
      return;
    case Prim::LogSoftmax:
      // dx = g - softmax(x) * sum(g)
      grads[0] = sub(g, mul(exp(y), sum(g, {last_axis}, true)));
      return;
    case Prim::Conv2d:
      if (need[0]) grads[0] = conv2d_backward_input(g, x[1], a.stride, a.padding, shape_of(0));
      if (need[1]) grads[1] = conv2d_backward_weight(x[0], g, a.stride, a.padding, shape_of(1));
      return;
    case Prim::Conv2dBackwardInput:
      // y = Bx(dy, w), bilinear: <c, Bx(dy, w)> = <conv(c, w), dy> = <Bw(c, dy), w>
      if (need[0]) grads[0] = conv2d(g, x[1], a.stride, a.padding);
      if (need[1]) grads[1] = conv2d_backward_weight(g, x[0], a.stride, a.padding, shape_of(1));
      return;
    case Prim::Conv2dBackwardWeight:
      // y = Bw(x, dy): <c, Bw(x, dy)> = <Bx(dy, c), x> = <conv(x, c), dy>
      if (need[0]) grads[0] = conv2d_backward_input(x[1], g, a.stride, a.padding, shape_of(0));
      if (need[1]) grads[1] = conv2d(x[0], g, a.stride, a.padding);
      return;
    case Prim::MaxPool2d: grads[0] = max_pool2d_scatter(x[0], g, a.kernel, a.stride); return;
    case Prim::MaxPool2dSelect:
      if (need[1]) grads[1] = max_pool2d_scatter(x[0], g, a.kernel, a.stride);
      return;
    case Prim::MaxPool2dScatter:
      if (need[1]) grads[1] = max_pool2d_select(x[0], g, a.kernel, a.stride);
      return;
    case Prim::SquaredEuclidean: return squared_euclidean_vjp(x, g, need, grads);
    case Prim::OneHot: return;  // labels are data
  }
  fail(ErrorKind::Internal, "prim_vjp: unhandled primitive");
}

}  // namespace ml
