// Device-neutral entry points of every op: validate shapes, dtypes and attributes (throwing
// ml::Error that names the op and the shapes), allocate the output, dispatch to the kernel of
// the tensor's device. Today every tensor lives on the CPU (ops/cpu/); a CUDA backend adds its
// kernels in ops/cuda/ and a branch here. Semantics: lib/backend/primitives.ts.
#pragma once
#include <array>
#include <vector>

#include "core/tensor.h"

namespace ml::ops {

using Pair = std::array<int64_t, 2>;  // (height, width)

// op(a) [n,k] x op(b) [k,m] -> [n,m]
Tensor matmul(const Tensor& a, const Tensor& b, bool transA, bool transB);

// Broadcasting elementwise binary ops.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);

// Elementwise unary ops. sign is not a primitive (abs's derivative, a constant).
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor square(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor softplus(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);

Tensor add_scalar(const Tensor& x, double value);
Tensor mul_scalar(const Tensor& x, double value);
Tensor pow_scalar(const Tensor& x, double value);
// g where x > 0, else 0; x and g of one shape.
Tensor relu_mask(const Tensor& x, const Tensor& g);

// Sum over axes (sorted, unique, each in [0, rank)).
Tensor sum(const Tensor& x, const std::vector<int64_t>& axes, bool keep_dims);
Tensor broadcast_to(const Tensor& x, const Shape& shape);
// Adjoint of broadcast_to: sums x [broadcast shape] down to `shape`. Not a primitive.
Tensor sum_to(const Tensor& x, const Shape& shape);
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor concat(const std::vector<Tensor>& inputs, int64_t axis);
Tensor slice(const Tensor& x, int64_t axis, int64_t start, int64_t end);

// Along the last axis.
Tensor softmax(const Tensor& x);
Tensor log_softmax(const Tensor& x);

// x [N,C,H,W], w [O,C,KH,KW] -> [N,O,OH,OW]
Tensor conv2d(const Tensor& x, const Tensor& w, Pair stride, Pair padding);
// g [N,O,OH,OW], w [O,C,KH,KW] -> [N,C,H,W] = input_shape
Tensor conv2d_backward_input(const Tensor& g, const Tensor& w, Pair stride, Pair padding, const Shape& input_shape);
// x [N,C,H,W], g [N,O,OH,OW] -> [O,C,KH,KW] = weight_shape
Tensor conv2d_backward_weight(const Tensor& x, const Tensor& g, Pair stride, Pair padding, const Shape& weight_shape);

// x [N,C,H,W] -> [N,C,OH,OW]
Tensor max_pool2d(const Tensor& x, Pair kernel, Pair stride);
// t shaped like x -> pooled shape
Tensor max_pool2d_select(const Tensor& x, const Tensor& t, Pair kernel, Pair stride);
// g pooled shape -> shaped like x
Tensor max_pool2d_scatter(const Tensor& x, const Tensor& g, Pair kernel, Pair stride);

// a [n,d], b [m,d] -> [n,m]
Tensor squared_euclidean(const Tensor& a, const Tensor& b);
// labels [n] -> [n, classes]; ErrorKind::Value for a label not an integer in [0, classes).
Tensor one_hot(const Tensor& labels, int64_t classes);

// Which SIMD kernel the GEMM uses on this CPU ("avx512", "avx2", "generic" or "reference").
const char* gemm_kernel();

}  // namespace ml::ops
