// Dual values (value, tangent) and the primitives applied to them: the forward kernel on the
// values plus the JVP rule on the tangents. The VJP rules are written with these functions,
// so running the reverse pass on duals yields gradients together with their tangents
// (forward-over-reverse Hessian-vector products).
#pragma once
#include <vector>

#include "autodiff/primitive.h"

namespace ml {

struct Dual {
  Tensor value;
  Tensor tangent;  // undefined = zero tangent
};

// A value with zero tangent (data, or a derivative that is constant, like sign(x)).
inline Dual constant(const Tensor& value) { return Dual{value, Tensor()}; }

Dual apply(Prim prim, const std::vector<Dual>& inputs, const Attrs& attrs);

// Readable shorthands for VJP rules; each is apply() of one primitive.
namespace dual {
Dual add(const Dual& a, const Dual& b);
Dual sub(const Dual& a, const Dual& b);
Dual mul(const Dual& a, const Dual& b);
Dual div(const Dual& a, const Dual& b);
Dual neg(const Dual& x);
Dual exp(const Dual& x);
Dual square(const Dual& x);
Dual sigmoid(const Dual& x);
Dual add_scalar(const Dual& x, double value);
Dual mul_scalar(const Dual& x, double value);
Dual pow_scalar(const Dual& x, double value);
Dual relu_mask(const Dual& x, const Dual& g);
Dual matmul(const Dual& a, const Dual& b, bool transA, bool transB);
Dual sum(const Dual& x, const std::vector<int64_t>& axes, bool keep_dims);
Dual broadcast_to(const Dual& x, const Shape& shape);
// Adjoint of broadcasting: sum x down to shape (a sum then a reshape).
Dual sum_to(const Dual& x, const Shape& shape);
Dual reshape(const Dual& x, const Shape& shape);
Dual concat(const std::vector<Dual>& inputs, int64_t axis);
Dual slice(const Dual& x, int64_t axis, int64_t start, int64_t end);
Dual conv2d(const Dual& x, const Dual& w, ops::Pair stride, ops::Pair padding);
Dual conv2d_backward_input(const Dual& g, const Dual& w, ops::Pair stride, ops::Pair padding, const Shape& input_shape);
Dual conv2d_backward_weight(const Dual& x, const Dual& g, ops::Pair stride, ops::Pair padding,
                            const Shape& weight_shape);
Dual max_pool2d_select(const Dual& x, const Dual& t, ops::Pair kernel, ops::Pair stride);
Dual max_pool2d_scatter(const Dual& x, const Dual& g, ops::Pair kernel, ops::Pair stride);
}  // namespace dual

}  // namespace ml
