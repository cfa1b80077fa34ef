// The inner update rule (lib/engine/request.ts UpdateRule): with d_j the gradient-like direction
// of step j (grad L_s(t_j) plus the proximal term),
//   sgd:   t_{j+1} = t_j - lr_j * d_j
//   adam:  m = b1 m + (1-b1) d_j,  v = b2 v + (1-b2) d_j^2   (per task, from zeros)
//          t_{j+1} = t_j - lr_j * (m / (1-b1^(j+1))) / (sqrt(v / (1-b2^(j+1))) + eps)
// UpdateState::direction gives the step u_j that the rate multiplies (d_j itself for sgd).
// To add a rule: a kind here, its direction, its validation, and its name in
// native/napi/inner_loop_convert.cpp and lib/engine/request.ts.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ml {

enum class UpdateKind { Sgd, Adam };

struct UpdateRule {
  UpdateKind kind = UpdateKind::Sgd;
  // rates[j][i]: shape [] or params[i]'s shape; steps entries, or 1 shared by every step (inner_rates.h).
  std::vector<std::vector<Tensor>> rates;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;  // adam only
};

const char* update_kind_name(UpdateKind kind);

// Adam's betas in [0, 1) and epsilon > 0 (ml::Error, Value, prefixed with `what`); nothing for sgd.
void validate_update_rule(const UpdateRule& rule, const std::string& what);

// The rule's per-task state: Adam's moments, one pair per parameter, from zeros.
class UpdateState {
 public:
  UpdateState(const UpdateRule& rule, const std::vector<Tensor>& params);

  // u_j of parameter i at step j from d (advancing Adam's moments of i).
  Tensor direction(int64_t j, size_t i, const Tensor& d);

 private:
  const UpdateRule& rule_;
  std::vector<Tensor> m_, v_;
};

}  // namespace ml
