// The learning rates of the update rule (inner_loop.h UpdateRule::rates): rates[j][i] is the
// rate of parameter i at step j, of shape [] or the parameter's shape; either one entry per step
// or one entry shared by every step. A parameter is frozen at step j when its rate is all zeros
// (ANIL, CAVIA) or when it is not among the request's `adapts`: the engine then keeps t_j's
// tensor instead of computing a new one.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "autodiff/program.h"

namespace ml {

// rates against the program's first n inputs (the parameters): steps entries (or 1 shared),
// one rate per parameter, each of the parameter's dtype and of shape [] or the parameter's shape;
// adapts (when given) indices in [0, n). ml::Error prefixed with `what`.
void validate_inner_rates(const Program& program, size_t n, int64_t steps, const std::vector<std::vector<Tensor>>& rates,
                          const std::optional<std::vector<size_t>>& adapts, const std::string& what);

// The rate and the frozen flag of parameter i at step j. Keeps a reference to rates.
class InnerRates {
 public:
  InnerRates(const std::vector<std::vector<Tensor>>& rates, const std::optional<std::vector<size_t>>& adapts);

  // The rates entry that step j uses: 0 when one entry is shared, else j.
  size_t slot(int64_t step) const { return rates_.size() == 1 ? 0 : static_cast<size_t>(step); }
  const Tensor& lr(int64_t step, size_t i) const { return rates_[slot(step)][i]; }
  bool frozen(int64_t step, size_t i) const { return frozen_[slot(step)][i]; }

 private:
  const std::vector<std::vector<Tensor>>& rates_;
  std::vector<std::vector<bool>> frozen_;  // frozen_[slot][i]: rates[slot][i] is all zeros or i does not adapt
};

}  // namespace ml
