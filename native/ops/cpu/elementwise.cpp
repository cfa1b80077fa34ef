#include "ops/cpu/elementwise.h"

#include <cmath>
#include <vector>

#include "ops/cpu/strided_walk.h"

namespace ml::cpu {
namespace {

// out = f(a, b) over out_shape with broadcasting: collapse the axes, then stream each inner
// row with the stride pattern specialised (1/1, 1/0, 0/1) so the compiler vectorises it.
template <class T, class F>
void broadcast_loop(T* out, const T* a, const T* b, const Shape& out_shape, const std::vector<int64_t>& sa,
                    const std::vector<int64_t>& sb, F f) {
  if (shape_numel(out_shape) == 0) return;
  std::vector<int64_t> so = contiguous_strides(out_shape);
  StridedLayout layout = collapse_axes(out_shape, {so, sa, sb});
  const int64_t ia = layout.strides[1].back(), ib = layout.strides[2].back();
  for_each_row<3>(layout, [&](const int64_t* off, int64_t inner) {
    T* o = out + off[0];
    const T* pa = a + off[1];
    const T* pb = b + off[2];
    if (ia == 1 && ib == 1) {
      for (int64_t j = 0; j < inner; ++j) o[j] = f(pa[j], pb[j]);
    } else if (ia == 1 && ib == 0) {
      const T bv = pb[0];
      for (int64_t j = 0; j < inner; ++j) o[j] = f(pa[j], bv);
    } else if (ia == 0 && ib == 1) {
      const T av = pa[0];
      for (int64_t j = 0; j < inner; ++j) o[j] = f(av, pb[j]);
    } else {
      for (int64_t j = 0; j < inner; ++j) o[j] = f(pa[j * ia], pb[j * ib]);
    }
  });
}

template <class T, class F>
void binary_apply(T* out, const T* a, const Shape& a_shape, const T* b, const Shape& b_shape, const Shape& out_shape,
                  F f) {
  int64_t n = shape_numel(out_shape);
  if (a_shape == out_shape && b_shape == out_shape) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  } else if (a_shape == out_shape && shape_numel(b_shape) == 1) {
    T bv = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
  } else if (b_shape == out_shape && shape_numel(a_shape) == 1) {
    T av = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
  } else {
    broadcast_loop(out, a, b, out_shape, broadcast_strides(a_shape, out_shape), broadcast_strides(b_shape, out_shape), f);
  }
}

template <class T, class F>
void map(T* out, const T* x, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) out[i] = f(x[i]);
}

}  // namespace

template <class T>
void binary_forward(BinaryOp op, T* out, const T* a, const Shape& a_shape, const T* b, const Shape& b_shape,
                    const Shape& out_shape) {
  switch (op) {
    case BinaryOp::Add: return binary_apply(out, a, a_shape, b, b_shape, out_shape, [](T u, T v) { return u + v; });
    case BinaryOp::Sub: return binary_apply(out, a, a_shape, b, b_shape, out_shape, [](T u, T v) { return u - v; });
    case BinaryOp::Mul: return binary_apply(out, a, a_shape, b, b_shape, out_shape, [](T u, T v) { return u * v; });
    case BinaryOp::Div: return binary_apply(out, a, a_shape, b, b_shape, out_shape, [](T u, T v) { return u / v; });
  }
}

template <class T>
void unary_forward(UnaryOp op, T* out, const T* x, int64_t n) {
  switch (op) {
    case UnaryOp::Neg: return map(out, x, n, [](T v) { return -v; });
    case UnaryOp::Exp: return map(out, x, n, [](T v) { return std::exp(v); });
    case UnaryOp::Log: return map(out, x, n, [](T v) { return std::log(v); });
    case UnaryOp::Sqrt: return map(out, x, n, [](T v) { return std::sqrt(v); });
    case UnaryOp::Square: return map(out, x, n, [](T v) { return v * v; });
    case UnaryOp::Relu: return map(out, x, n, [](T v) { return v > T(0) ? v : T(0); });
    case UnaryOp::Tanh: return map(out, x, n, [](T v) { return std::tanh(v); });
    case UnaryOp::Sigmoid:
      // Stable on both tails: never exp of a large positive number.
      return map(out, x, n, [](T v) {
        if (v >= T(0)) return T(1) / (T(1) + std::exp(-v));
        T e = std::exp(v);
        return e / (T(1) + e);
      });
    case UnaryOp::Softplus:
      return map(out, x, n, [](T v) { return (v > T(0) ? v : T(0)) + std::log1p(std::exp(-std::fabs(v))); });
    case UnaryOp::Abs: return map(out, x, n, [](T v) { return std::fabs(v); });
    case UnaryOp::Sign: return map(out, x, n, [](T v) { return v > T(0) ? T(1) : (v < T(0) ? T(-1) : v * T(0)); });
  }
}

template <class T>
void scalar_forward(ScalarOp op, T* out, const T* x, int64_t n, double value) {
  T s = static_cast<T>(value);
  switch (op) {
    case ScalarOp::Add: return map(out, x, n, [s](T v) { return v + s; });
    case ScalarOp::Mul: return map(out, x, n, [s](T v) { return v * s; });
    case ScalarOp::Pow:
      if (value == 2.0) return map(out, x, n, [](T v) { return v * v; });
      if (value == 1.0) return map(out, x, n, [](T v) { return v; });
      if (value == 0.0) return map(out, x, n, [](T) { return T(1); });
      return map(out, x, n, [s](T v) { return std::pow(v, s); });
  }
}

template <class T>
void relu_mask_forward(T* out, const T* x, const T* g, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] > T(0) ? g[i] : T(0);
}

#define ML_INSTANTIATE(T)                                                                                       \
  template void binary_forward<T>(BinaryOp, T*, const T*, const Shape&, const T*, const Shape&, const Shape&); \
  template void unary_forward<T>(UnaryOp, T*, const T*, int64_t);                                              \
  template void scalar_forward<T>(ScalarOp, T*, const T*, int64_t, double);                                    \
  template void relu_mask_forward<T>(T*, const T*, const T*, int64_t);
ML_INSTANTIATE(float)
ML_INSTANTIATE(double)
#undef ML_INSTANTIATE

}  // namespace ml::cpu
