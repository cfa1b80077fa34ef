// Reverse-mode rules: given a primitive's inputs x, output y and output cotangent g (all dual
// values), the cotangent of each input i with need[i] set (others stay undefined = zero).
// Written only with the dual primitives of dual.h, so the results carry their own tangents.
#pragma once
#include <vector>

#include "autodiff/dual.h"

namespace ml {

void prim_vjp(Prim prim, const std::vector<Dual>& x, const Dual& y, const Dual& g, const Attrs& attrs,
              const std::vector<bool>& need, std::vector<Dual>& grads);

}  // namespace ml
