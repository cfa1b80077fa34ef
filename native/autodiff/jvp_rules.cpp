#include "autodiff/jvp_rules.h"

#include "core/error.h"

namespace ml {
namespace {

// a + b where an undefined tensor is zero.
Tensor add_terms(const Tensor& a, const Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return ops::add(a, b);
}

// f(t) for a linear unary map f, or zero for a zero tangent.
template <class F>
Tensor linear(const Tensor& t, F f) {
  return t.defined() ? f(t) : Tensor();
}

// Sum of a bilinear op B(u, v) differentiated: B(tu, v) + B(u, tv).
template <class F>
Tensor bilinear(const std::vector<Tensor>& x, const std::vector<Tensor>& t, F f) {
  Tensor first = t[0].defined() ? f(t[0], x[1]) : Tensor();
  Tensor second = t[1].defined() ? f(x[0], t[1]) : Tensor();
  return add_terms(first, second);
}

// Row-wise dot product of u and v [r,d] as a column [r,1].
Tensor row_dot(const Tensor& u, const Tensor& v) { return ops::sum(ops::mul(u, v), {1}, true); }

Tensor squared_euclidean_jvp(const std::vector<Tensor>& x, const std::vector<Tensor>& t) {
  // y_ij = |a_i|^2 + |b_j|^2 - 2 a_i.b_j  =>  dy = 2 (a_i.ta_i - ta_i.b_j) + 2 (b_j.tb_j - a_i.tb_j)
  const Tensor &a = x[0], &b = x[1];
  Tensor from_a, from_b;
  if (t[0].defined()) from_a = ops::sub(row_dot(a, t[0]), ops::matmul(t[0], b, false, true));
  if (t[1].defined())
    from_b = ops::sub(ops::reshape(row_dot(b, t[1]), {1, b.dim(0)}), ops::matmul(a, t[1], false, true));
  Tensor sum = add_terms(from_a, from_b);
  if (!sum.defined()) return sum;
  return ops::mul_scalar(ops::broadcast_to(sum, {a.dim(0), b.dim(0)}), 2.0);
}

}  // namespace

Tensor prim_jvp(Prim prim, const std::vector<Tensor>& x, const std::vector<Tensor>& t, const Tensor& y,
                const Attrs& a) {
  switch (prim) {
    case Prim::Matmul:
      return bilinear(x, t, [&](const Tensor& u, const Tensor& v) { return ops::matmul(u, v, a.transA, a.transB); });
    case Prim::Add:
    case Prim::Sub: {
      Tensor ta = linear(t[0], [&](const Tensor& v) { return ops::broadcast_to(v, y.shape()); });
      Tensor tb = linear(t[1], [&](const Tensor& v) {
        Tensor b = ops::broadcast_to(v, y.shape());
        return prim == Prim::Sub ? ops::neg(b) : b;
      });
      return add_terms(ta, tb);
    }
    case Prim::Mul: return bilinear(x, t, [](const Tensor& u, const Tensor& v) { return ops::mul(u, v); });
    case Prim::Div: {
      // d(a/b) = ta/b - tb*y/b
      Tensor ta = linear(t[0], [&](const Tensor& v) { return ops::div(v, x[1]); });
      Tensor tb = linear(t[1], [&](const Tensor& v) { return ops::neg(ops::div(ops::mul(v, y), x[1])); });
      return add_terms(ta, tb);
    }
    case Prim::Neg: return linear(t[0], [](const Tensor& v) { return ops::neg(v); });
    case Prim::Exp: return linear(t[0], [&](const Tensor& v) { return ops::mul(v, y); });
    case Prim::Log: return linear(t[0], [&](const Tensor& v) { return ops::div(v, x[0]); });
    case Prim::Sqrt: return linear(t[0], [&](const Tensor& v) { return ops::div(v, ops::mul_scalar(y, 2.0)); });
    case Prim::Square: return linear(t[0], [&](const Tensor& v) { return ops::mul(v, ops::mul_scalar(x[0], 2.0)); });
    case Prim::Relu: return linear(t[0], [&](const Tensor& v) { return ops::relu_mask(x[0], v); });
    case Prim::Tanh:
      return linear(t[0], [&](const Tensor& v) { return ops::mul(v, ops::add_scalar(ops::neg(ops::square(y)), 1.0)); });
    case Prim::Sigmoid:
      return linear(t[0], [&](const Tensor& v) { return ops::mul(v, ops::mul(y, ops::add_scalar(ops::neg(y), 1.0))); });
    case Prim::Softplus: return linear(t[0], [&](const Tensor& v) { return ops::mul(v, ops::sigmoid(x[0])); });
    case Prim::Abs: return linear(t[0], [&](const Tensor& v) { return ops::mul(v, ops::sign(x[0])); });
    case Prim::AddScalar: return t[0];
    case Prim::MulScalar: return linear(t[0], [&](const Tensor& v) { return ops::mul_scalar(v, a.value); });
    case Prim::PowScalar:
      if (a.value == 0.0) return Tensor();
      return linear(t[0], [&](const Tensor& v) {
        return ops::mul(v, ops::mul_scalar(ops::pow_scalar(x[0], a.value - 1.0), a.value));
      });
    case Prim::ReluMask: return linear(t[1], [&](const Tensor& v) { return ops::relu_mask(x[0], v); });
    case Prim::Sum: return linear(t[0], [&](const Tensor& v) { return ops::sum(v, a.axes, a.keepDims); });
    case Prim::BroadcastTo: return linear(t[0], [&](const Tensor& v) { return ops::broadcast_to(v, a.shape); });
    case Prim::Reshape: return linear(t[0], [&](const Tensor& v) { return ops::reshape(v, a.shape); });
    case Prim::Concat: {
      bool any = false;
      for (const Tensor& v : t) any = any || v.defined();
      if (!any) return Tensor();
      std::vector<Tensor> parts;
      for (size_t i = 0; i < x.size(); ++i)
        parts.push_back(t[i].defined() ? t[i] : Tensor::zeros(x[i].dtype(), x[i].shape()));
      return ops::concat(parts, a.axis);
    }
    case Prim::Slice: return linear(t[0], [&](const Tensor& v) { return ops::slice(v, a.axis, a.start, a.end); });
    case Prim::Softmax:
      // dy = y * (t - sum(t * y))
      return linear(t[0], [&](const Tensor& v) {
        return ops::mul(y, ops::sub(v, ops::sum(ops::mul(v, y), {x[0].rank() - 1}, true)));
      });
    case Prim::LogSoftmax:
      // dy = t - sum(softmax(x) * t)
      return linear(t[0], [&](const Tensor& v) {
        return ops::sub(v, ops::sum(ops::mul(ops::exp(y), v), {x[0].rank() - 1}, true));
      });
    case Prim::Conv2d:
      return bilinear(x, t, [&](const Tensor& u, const Tensor& v) { return ops::conv2d(u, v, a.stride, a.padding); });
    case Prim::Conv2dBackwardInput:
      return bilinear(x, t, [&](const Tensor& u, const Tensor& v) {
        return ops::conv2d_backward_input(u, v, a.stride, a.padding, a.shape);
      });
    case Prim::Conv2dBackwardWeight:
      return bilinear(x, t, [&](const Tensor& u, const Tensor& v) {
        return ops::conv2d_backward_weight(u, v, a.stride, a.padding, a.shape);
      });
    case Prim::MaxPool2d:
      return linear(t[0], [&](const Tensor& v) { return ops::max_pool2d_select(x[0], v, a.kernel, a.stride); });
    case Prim::MaxPool2dSelect:
      return linear(t[1], [&](const Tensor& v) { return ops::max_pool2d_select(x[0], v, a.kernel, a.stride); });
    case Prim::MaxPool2dScatter:
      return linear(t[1], [&](const Tensor& v) { return ops::max_pool2d_scatter(x[0], v, a.kernel, a.stride); });
    case Prim::SquaredEuclidean: return squared_euclidean_jvp(x, t);
    case Prim::OneHot: return Tensor();
  }
  fail(ErrorKind::Internal, "prim_jvp: unhandled primitive");
}

}  // namespace ml
