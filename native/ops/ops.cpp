#include "ops/ops.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <initializer_list>
#include <string>

#include "core/error.h"
#include "ops/cpu/blas_dispatch.h"
#include "ops/cpu/conv2d.h"
#include "ops/cpu/distance.h"
#include "ops/cpu/elementwise.h"
#include "ops/cpu/matmul.h"
#include "ops/cpu/max_pool2d.h"
#include "ops/cpu/one_hot.h"
#include "ops/cpu/reduce.h"
#include "ops/cpu/shape_ops.h"
#include "ops/cpu/softmax.h"

namespace ml::ops {
namespace {

void require_defined(const Tensor& t, const char* op) {
  if (!t.defined()) fail(ErrorKind::Internal, std::string(op) + ": undefined tensor");
}

void require_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  require_defined(a, op);
  require_defined(b, op);
  if (a.dtype() != b.dtype())
    fail(ErrorKind::DType, std::string(op) + ": dtypes " + dtype_name(a.dtype()) + " and " + dtype_name(b.dtype()) +
                               " differ");
}

void require_rank(const Tensor& t, int64_t rank, const char* op, const char* name) {
  if (t.rank() != rank)
    fail(ErrorKind::Shape, std::string(op) + ": " + name + " must have rank " + std::to_string(rank) + ", got " +
                               shape_str(t.shape()));
}

void require_same_shape(const Tensor& a, const Tensor& b, const char* op) {
  if (a.shape() != b.shape())
    fail(ErrorKind::Shape, std::string(op) + ": shapes " + shape_str(a.shape()) + " and " + shape_str(b.shape()) +
                               " must be equal");
}

void require_finite(double value, const char* op) {
  if (!std::isfinite(value)) fail(ErrorKind::Value, std::string(op) + ": value must be a finite number");
}

std::string pair_str(Pair p) { return "[" + std::to_string(p[0]) + "," + std::to_string(p[1]) + "]"; }

// The GEMM kernels index with int: a matrix dimension above this is a ShapeError (the JS twin
// checks the same bound in lib/core/opTable.ts, so both backends refuse the same shapes).
constexpr int64_t kMaxGemmDim = INT32_MAX;

void require_gemm_dims(std::initializer_list<int64_t> dims, const std::string& op, const std::string& shapes) {
  for (int64_t d : dims)
    if (d > kMaxGemmDim)
      fail(ErrorKind::Shape, op + ": " + shapes + " has a matrix dimension of " + std::to_string(d) +
                                 ", above the limit of " + std::to_string(kMaxGemmDim));
}

Tensor binary(cpu::BinaryOp kind, const Tensor& a, const Tensor& b, const char* op) {
  require_same_dtype(a, b, op);
  Shape out_shape = broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = Tensor::empty(a.dtype(), out_shape);
  dispatch_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::binary_forward<T>(kind, out.data<T>(), a.data<T>(), a.shape(), b.data<T>(), b.shape(), out_shape);
  });
  return out;
}

Tensor unary(cpu::UnaryOp kind, const Tensor& x, const char* op) {
  require_defined(x, op);
  Tensor out = Tensor::empty(x.dtype(), x.shape());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::unary_forward<T>(kind, out.data<T>(), x.data<T>(), x.numel());
  });
  return out;
}

Tensor scalar(cpu::ScalarOp kind, const Tensor& x, double value, const char* op) {
  require_defined(x, op);
  require_finite(value, op);
  Tensor out = Tensor::empty(x.dtype(), x.shape());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::scalar_forward<T>(kind, out.data<T>(), x.data<T>(), x.numel(), value);
  });
  return out;
}

cpu::Conv2dGeometry conv_geometry(const Shape& x, const Shape& w, Pair stride, Pair padding, const char* op) {
  if (stride[0] < 1 || stride[1] < 1 || padding[0] < 0 || padding[1] < 0)
    fail(ErrorKind::Value, std::string(op) + ": stride " + pair_str(stride) + " must be >= 1 and padding " +
                               pair_str(padding) + " >= 0");
  if (x.size() != 4 || w.size() != 4)
    fail(ErrorKind::Shape, std::string(op) + ": input " + shape_str(x) + " and weight " + shape_str(w) +
                               " must both have rank 4 (NCHW, OCKK)");
  if (x[1] != w[1])
    fail(ErrorKind::Shape, std::string(op) + ": input " + shape_str(x) + " has " + std::to_string(x[1]) +
                               " channels but weight " + shape_str(w) + " expects " + std::to_string(w[1]));
  cpu::Conv2dGeometry g{x[0], x[1], x[2], x[3], w[0], w[2], w[3], stride[0], stride[1], padding[0], padding[1], 0, 0};
  const std::string shapes = "input " + shape_str(x) + ", weight " + shape_str(w) + ", padding " + pair_str(padding);
  const std::string what = std::string(op) + ": " + shapes;
  // The padded extent H + 2 PH, checked: dims and padding come from the caller.
  int64_t padded_h = checked_add(g.H, checked_mul(2, g.PH, what), what);
  int64_t padded_w = checked_add(g.W, checked_mul(2, g.PW, what), what);
  if (padded_h < g.KH || padded_w < g.KW || g.KH < 1 || g.KW < 1)
    fail(ErrorKind::Shape, std::string(op) + ": kernel " + shape_str(w) + " does not fit input " + shape_str(x) +
                               " with padding " + pair_str(padding));
  g.OH = (padded_h - g.KH) / g.SH + 1;
  g.OW = (padded_w - g.KW) / g.SW + 1;
  // im2col is a [C*KH*KW, OH*OW] matrix of the GEMM: both sides must fit its int indices.
  require_gemm_dims({g.O, checked_mul(checked_mul(g.C, g.KH, what), g.KW, what), checked_mul(g.OH, g.OW, what)}, op,
                    shapes + " (im2col [C*KH*KW, OH*OW] with output " + std::to_string(g.OH) + "x" +
                        std::to_string(g.OW) + ")");
  return g;
}

cpu::Pool2dGeometry pool_geometry(const Tensor& x, Pair kernel, Pair stride, const char* op) {
  require_defined(x, op);
  require_rank(x, 4, op, "input");
  if (kernel[0] < 1 || kernel[1] < 1 || stride[0] < 1 || stride[1] < 1)
    fail(ErrorKind::Value, std::string(op) + ": kernel " + pair_str(kernel) + " and stride " + pair_str(stride) +
                               " must be >= 1");
  const Shape& s = x.shape();
  if (kernel[0] > s[2] || kernel[1] > s[3])
    fail(ErrorKind::Shape, std::string(op) + ": kernel " + pair_str(kernel) + " is larger than input " + shape_str(s));
  return {s[0], s[1], s[2], s[3], kernel[0], kernel[1], stride[0], stride[1], (s[2] - kernel[0]) / stride[0] + 1,
          (s[3] - kernel[1]) / stride[1] + 1};
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, bool transA, bool transB) {
  const char* op = "matmul";
  require_same_dtype(a, b, op);
  if (a.rank() != 2 || b.rank() != 2)
    fail(ErrorKind::Shape, "matmul: operands must be 2-D, got " + shape_str(a.shape()) + " and " + shape_str(b.shape()));
  int64_t n = transA ? a.dim(1) : a.dim(0), k = transA ? a.dim(0) : a.dim(1);
  int64_t kb = transB ? b.dim(1) : b.dim(0), m = transB ? b.dim(0) : b.dim(1);
  if (k != kb)
    fail(ErrorKind::Shape, "matmul: inner dimensions differ: " + shape_str(a.shape()) + (transA ? "^T" : "") + " x " +
                               shape_str(b.shape()) + (transB ? "^T" : ""));
  require_gemm_dims({n, k, m}, op, shape_str(a.shape()) + " x " + shape_str(b.shape()));
  Tensor out = Tensor::empty(a.dtype(), {n, m});
  dispatch_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::matmul_forward<T>(out.data<T>(), a.data<T>(), b.data<T>(), n, k, m, transA, transB);
  });
  return out;
}

Tensor add(const Tensor& a, const Tensor& b) { return binary(cpu::BinaryOp::Add, a, b, "add"); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary(cpu::BinaryOp::Sub, a, b, "sub"); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(cpu::BinaryOp::Mul, a, b, "mul"); }
Tensor div(const Tensor& a, const Tensor& b) { return binary(cpu::BinaryOp::Div, a, b, "div"); }

Tensor neg(const Tensor& x) { return unary(cpu::UnaryOp::Neg, x, "neg"); }
Tensor exp(const Tensor& x) { return unary(cpu::UnaryOp::Exp, x, "exp"); }
Tensor log(const Tensor& x) { return unary(cpu::UnaryOp::Log, x, "log"); }
Tensor sqrt(const Tensor& x) { return unary(cpu::UnaryOp::Sqrt, x, "sqrt"); }
Tensor square(const Tensor& x) { return unary(cpu::UnaryOp::Square, x, "square"); }
Tensor relu(const Tensor& x) { return unary(cpu::UnaryOp::Relu, x, "relu"); }
Tensor tanh(const Tensor& x) { return unary(cpu::UnaryOp::Tanh, x, "tanh"); }
Tensor sigmoid(const Tensor& x) { return unary(cpu::UnaryOp::Sigmoid, x, "sigmoid"); }
Tensor softplus(const Tensor& x) { return unary(cpu::UnaryOp::Softplus, x, "softplus"); }
Tensor abs(const Tensor& x) { return unary(cpu::UnaryOp::Abs, x, "abs"); }
Tensor sign(const Tensor& x) { return unary(cpu::UnaryOp::Sign, x, "sign"); }

Tensor add_scalar(const Tensor& x, double value) { return scalar(cpu::ScalarOp::Add, x, value, "addScalar"); }
Tensor mul_scalar(const Tensor& x, double value) { return scalar(cpu::ScalarOp::Mul, x, value, "mulScalar"); }
Tensor pow_scalar(const Tensor& x, double value) { return scalar(cpu::ScalarOp::Pow, x, value, "powScalar"); }

Tensor relu_mask(const Tensor& x, const Tensor& g) {
  require_same_dtype(x, g, "reluMask");
  require_same_shape(x, g, "reluMask");
  Tensor out = Tensor::empty(x.dtype(), x.shape());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::relu_mask_forward<T>(out.data<T>(), x.data<T>(), g.data<T>(), x.numel());
  });
  return out;
}

Tensor sum(const Tensor& x, const std::vector<int64_t>& axes, bool keep_dims) {
  require_defined(x, "sum");
  std::vector<bool> reduced(static_cast<size_t>(x.rank()), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= x.rank() || (i > 0 && axes[i] <= axes[i - 1]))
      fail(ErrorKind::Value, "sum: axes must be sorted, unique and in [0, " + std::to_string(x.rank()) + ") for input " +
                                 shape_str(x.shape()) + ", got " + shape_str(axes));
    reduced[axes[i]] = true;
  }
  Shape out_shape;
  for (int64_t d = 0; d < x.rank(); ++d) {
    if (!reduced[d]) out_shape.push_back(x.dim(d));
    else if (keep_dims) out_shape.push_back(1);
  }
  Tensor out = Tensor::empty(x.dtype(), out_shape);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::sum_forward<T>(out.data<T>(), x.data<T>(), x.shape(), reduced);
  });
  return out;
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  require_defined(x, "broadcastTo");
  check_shape_valid(shape, "broadcastTo");
  if (x.rank() > static_cast<int64_t>(shape.size()) || broadcast_shapes(x.shape(), shape, "broadcastTo") != shape)
    fail(ErrorKind::Shape, "broadcastTo: cannot broadcast " + shape_str(x.shape()) + " to " + shape_str(shape));
  if (x.shape() == shape) return x;
  Tensor out = Tensor::empty(x.dtype(), shape);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::broadcast_to_forward<T>(out.data<T>(), x.data<T>(), x.shape(), shape);
  });
  return out;
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  require_defined(x, "sumTo");
  if (x.shape() == shape) return x;
  // Axes of x that `shape` (aligned to the trailing axes) stretches: leading extra axes and size-1 axes.
  int64_t offset = x.rank() - static_cast<int64_t>(shape.size());
  if (offset < 0) fail(ErrorKind::Internal, "sumTo: cannot sum " + shape_str(x.shape()) + " to " + shape_str(shape));
  std::vector<int64_t> axes;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (d < offset || (shape[d - offset] == 1 && x.dim(d) != 1)) axes.push_back(d);
  return reshape(sum(x, axes, true), shape);
}

Tensor reshape(const Tensor& x, const Shape& shape) {
  require_defined(x, "reshape");
  check_shape_valid(shape, "reshape");
  return x.reshaped(shape);
}

Tensor concat(const std::vector<Tensor>& inputs, int64_t axis) {
  if (inputs.empty()) fail(ErrorKind::Value, "concat: needs at least one input");
  const Tensor& first = inputs[0];
  require_defined(first, "concat");
  if (axis < 0 || axis >= first.rank())
    fail(ErrorKind::Value, "concat: axis " + std::to_string(axis) + " out of range for " + shape_str(first.shape()));
  Shape out_shape = first.shape();
  out_shape[axis] = 0;
  for (const Tensor& t : inputs) {
    require_same_dtype(first, t, "concat");
    bool same = t.rank() == first.rank();
    for (int64_t d = 0; same && d < t.rank(); ++d) same = d == axis || t.dim(d) == first.dim(d);
    if (!same)
      fail(ErrorKind::Shape, "concat: " + shape_str(t.shape()) + " does not match " + shape_str(first.shape()) +
                                 " outside axis " + std::to_string(axis));
    out_shape[axis] = checked_add(out_shape[axis], t.dim(axis), "concat along axis " + std::to_string(axis));
  }
  Tensor out = Tensor::empty(first.dtype(), out_shape);
  // Empty: nothing to copy (and the loops below could run over huge outer dims of nothing).
  if (out.numel() == 0) return out;
  int64_t outer = 1, after = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= first.dim(d);
  for (int64_t d = axis + 1; d < first.rank(); ++d) after *= first.dim(d);
  dispatch_dtype(first.dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::vector<const T*> pointers;
    std::vector<int64_t> inner;
    for (const Tensor& t : inputs) {
      pointers.push_back(t.data<T>());
      inner.push_back(t.dim(axis) * after);
    }
    cpu::concat_forward<T>(out.data<T>(), pointers, inner, outer);
  });
  return out;
}

Tensor slice(const Tensor& x, int64_t axis, int64_t start, int64_t end) {
  require_defined(x, "slice");
  if (axis < 0 || axis >= x.rank())
    fail(ErrorKind::Value, "slice: axis " + std::to_string(axis) + " out of range for " + shape_str(x.shape()));
  if (start < 0 || start > end || end > x.dim(axis))
    fail(ErrorKind::Value, "slice: range [" + std::to_string(start) + ", " + std::to_string(end) + ") outside axis " +
                               std::to_string(axis) + " of " + shape_str(x.shape()));
  Shape out_shape = x.shape();
  out_shape[axis] = end - start;
  Tensor out = Tensor::empty(x.dtype(), out_shape);
  if (out.numel() == 0) return out;  // nothing to copy; the dims' products are bounded below
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::slice_forward<T>(out.data<T>(), x.data<T>(), outer, x.dim(axis), inner, start, end);
  });
  return out;
}

Tensor softmax(const Tensor& x) {
  require_defined(x, "softmax");
  if (x.rank() < 1) fail(ErrorKind::Shape, "softmax: input must have rank >= 1, got " + shape_str(x.shape()));
  int64_t cols = x.dim(x.rank() - 1), rows = cols == 0 ? 0 : x.numel() / cols;
  Tensor out = Tensor::empty(x.dtype(), x.shape());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::softmax_forward<T>(out.data<T>(), x.data<T>(), rows, cols);
  });
  return out;
}

Tensor log_softmax(const Tensor& x) {
  require_defined(x, "logSoftmax");
  if (x.rank() < 1) fail(ErrorKind::Shape, "logSoftmax: input must have rank >= 1, got " + shape_str(x.shape()));
  int64_t cols = x.dim(x.rank() - 1), rows = cols == 0 ? 0 : x.numel() / cols;
  Tensor out = Tensor::empty(x.dtype(), x.shape());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::log_softmax_forward<T>(out.data<T>(), x.data<T>(), rows, cols);
  });
  return out;
}

Tensor conv2d(const Tensor& x, const Tensor& w, Pair stride, Pair padding) {
  require_same_dtype(x, w, "conv2d");
  cpu::Conv2dGeometry g = conv_geometry(x.shape(), w.shape(), stride, padding, "conv2d");
  // An empty input or weight convolves to zeros (every tap reads padding or nothing).
  if (x.numel() == 0 || w.numel() == 0) return Tensor::zeros(x.dtype(), {g.N, g.O, g.OH, g.OW});
  Tensor out = Tensor::empty(x.dtype(), {g.N, g.O, g.OH, g.OW});
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::conv2d_forward<T>(out.data<T>(), x.data<T>(), w.data<T>(), g);
  });
  return out;
}

Tensor conv2d_backward_input(const Tensor& g, const Tensor& w, Pair stride, Pair padding, const Shape& input_shape) {
  const char* op = "conv2dBackwardInput";
  require_same_dtype(g, w, op);
  check_shape_valid(input_shape, op);
  cpu::Conv2dGeometry geo = conv_geometry(input_shape, w.shape(), stride, padding, op);
  Shape expected{geo.N, geo.O, geo.OH, geo.OW};
  if (g.shape() != expected)
    fail(ErrorKind::Shape, std::string(op) + ": gradient " + shape_str(g.shape()) + " should be " + shape_str(expected) +
                               " for input " + shape_str(input_shape) + " and weight " + shape_str(w.shape()));
  if (g.numel() == 0 || w.numel() == 0 || shape_numel(input_shape) == 0) return Tensor::zeros(g.dtype(), input_shape);
  Tensor out = Tensor::empty(g.dtype(), input_shape);
  dispatch_dtype(g.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::conv2d_backward_input<T>(out.data<T>(), g.data<T>(), w.data<T>(), geo);
  });
  return out;
}

Tensor conv2d_backward_weight(const Tensor& x, const Tensor& g, Pair stride, Pair padding, const Shape& weight_shape) {
  const char* op = "conv2dBackwardWeight";
  require_same_dtype(x, g, op);
  check_shape_valid(weight_shape, op);
  cpu::Conv2dGeometry geo = conv_geometry(x.shape(), weight_shape, stride, padding, op);
  Shape expected{geo.N, geo.O, geo.OH, geo.OW};
  if (g.shape() != expected)
    fail(ErrorKind::Shape, std::string(op) + ": gradient " + shape_str(g.shape()) + " should be " + shape_str(expected) +
                               " for input " + shape_str(x.shape()) + " and weight " + shape_str(weight_shape));
  if (x.numel() == 0 || g.numel() == 0 || shape_numel(weight_shape) == 0) return Tensor::zeros(x.dtype(), weight_shape);
  Tensor out = Tensor::empty(x.dtype(), weight_shape);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::conv2d_backward_weight<T>(out.data<T>(), x.data<T>(), g.data<T>(), geo);
  });
  return out;
}

Tensor max_pool2d(const Tensor& x, Pair kernel, Pair stride) {
  cpu::Pool2dGeometry g = pool_geometry(x, kernel, stride, "maxPool2d");
  Tensor out = Tensor::empty(x.dtype(), {g.N, g.C, g.OH, g.OW});
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::max_pool2d_forward<T>(out.data<T>(), x.data<T>(), g);
  });
  return out;
}

Tensor max_pool2d_select(const Tensor& x, const Tensor& t, Pair kernel, Pair stride) {
  require_same_dtype(x, t, "maxPool2dSelect");
  require_same_shape(x, t, "maxPool2dSelect");
  cpu::Pool2dGeometry g = pool_geometry(x, kernel, stride, "maxPool2dSelect");
  Tensor out = Tensor::empty(x.dtype(), {g.N, g.C, g.OH, g.OW});
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::max_pool2d_select<T>(out.data<T>(), x.data<T>(), t.data<T>(), g);
  });
  return out;
}

Tensor max_pool2d_scatter(const Tensor& x, const Tensor& grad, Pair kernel, Pair stride) {
  require_same_dtype(x, grad, "maxPool2dScatter");
  cpu::Pool2dGeometry g = pool_geometry(x, kernel, stride, "maxPool2dScatter");
  Shape pooled{g.N, g.C, g.OH, g.OW};
  if (grad.shape() != pooled)
    fail(ErrorKind::Shape, "maxPool2dScatter: gradient " + shape_str(grad.shape()) + " should be " + shape_str(pooled) +
                               " for input " + shape_str(x.shape()));
  Tensor out = Tensor::empty(x.dtype(), x.shape());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::max_pool2d_scatter<T>(out.data<T>(), x.data<T>(), grad.data<T>(), g);
  });
  return out;
}

Tensor squared_euclidean(const Tensor& a, const Tensor& b) {
  require_same_dtype(a, b, "squaredEuclidean");
  if (a.rank() != 2 || b.rank() != 2 || a.dim(1) != b.dim(1))
    fail(ErrorKind::Shape, "squaredEuclidean: expects a [n,d] and b [m,d], got " + shape_str(a.shape()) + " and " +
                               shape_str(b.shape()));
  int64_t n = a.dim(0), m = b.dim(0), d = a.dim(1);
  require_gemm_dims({n, m, d}, "squaredEuclidean", shape_str(a.shape()) + " and " + shape_str(b.shape()));
  Tensor out = Tensor::empty(a.dtype(), {n, m});
  dispatch_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::squared_euclidean_forward<T>(out.data<T>(), a.data<T>(), b.data<T>(), n, m, d);
  });
  return out;
}

Tensor one_hot(const Tensor& labels, int64_t classes) {
  require_defined(labels, "oneHot");
  require_rank(labels, 1, "oneHot", "labels");
  if (classes < 1) fail(ErrorKind::Value, "oneHot: numClasses must be >= 1, got " + std::to_string(classes));
  int64_t n = labels.dim(0);
  Tensor out = Tensor::empty(labels.dtype(), {n, classes});
  dispatch_dtype(labels.dtype(), [&](auto tag) {
    using T = decltype(tag);
    int64_t bad = cpu::one_hot_first_invalid<T>(labels.data<T>(), n, classes);
    if (bad >= 0)
      fail(ErrorKind::Value, "oneHot: label " + std::to_string(static_cast<double>(labels.data<T>()[bad])) +
                                 " at index " + std::to_string(bad) + " is not an integer in [0, " +
                                 std::to_string(classes) + ")");
    cpu::one_hot_forward<T>(out.data<T>(), labels.data<T>(), n, classes);
  });
  return out;
}

const char* gemm_kernel() {
#if ML_HAVE_OPTIMISED_GEMM
  return metalearn::cpu::gemm_kernel_name();
#else
  return "reference";
#endif
}

}  // namespace ml::ops
