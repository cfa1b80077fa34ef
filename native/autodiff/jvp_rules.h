// Forward-mode rules: the tangent of each primitive's output given its inputs x, their
// tangents t (an undefined Tensor is a zero tangent) and its output y. Written with the ops of
// ops/ops.h. Returns an undefined Tensor when the output tangent is zero.
#pragma once
#include <vector>

#include "autodiff/primitive.h"

namespace ml {

Tensor prim_jvp(Prim prim, const std::vector<Tensor>& x, const std::vector<Tensor>& t, const Tensor& y,
                const Attrs& attrs);

}  // namespace ml
