// iMAML's implicit gradient: x solving (I + H / lambda) x = b by conjugate gradient from x = 0,
// the same iteration as lib/algorithms/conjugateGradient.ts (dots in double, element order).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ml {

struct ImplicitSettings {
  double lambda = 1;     // (I + H / lambda)
  int64_t cg_steps = 5;  // conjugate-gradient iterations at most
  double tolerance = 0;  // stop when |residual| <= tolerance |b|
};

// lambda > 0, cg_steps in [0, 10000], tolerance >= 0 (ml::Error, Value, prefixed with `what`).
void validate_implicit_settings(const ImplicitSettings& settings, const std::string& what);

// hvp(v) = H v, one tangent per parameter.
using HessianVectorProduct = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

std::vector<Tensor> implicit_gradient(const HessianVectorProduct& hvp, const std::vector<Tensor>& b,
                                      const ImplicitSettings& settings);

}  // namespace ml
