// innerLR of the meta-batch engines (meta_gradient.h, adapt_batch.h): inner_lr[j][i] is the rate
// of parameter i at step j, of shape [] or the parameter's shape; either one entry per step or
// one entry shared by every step. A rate that is all zeros freezes its parameter at that step
// (ANIL, CAVIA): the engines then keep t_j's tensor instead of computing a new one.
#pragma once
#include <cstdint>
#include <vector>

#include "autodiff/program.h"

namespace ml {

// innerLR against the program's first n inputs (the parameters): steps entries (or 1 shared),
// one rate per parameter, each of the parameter's dtype and of shape [] or the parameter's shape.
// ml::Error naming `what` and the offending entry.
void validate_inner_rates(const Program& program, size_t n, int64_t steps,
                          const std::vector<std::vector<Tensor>>& inner_lr, const char* what);

// The rate and the frozen flag of parameter i at step j. Keeps a reference to inner_lr.
class InnerRates {
 public:
  explicit InnerRates(const std::vector<std::vector<Tensor>>& inner_lr);

  // The innerLR entry that step j uses: 0 when one entry is shared, else j.
  size_t slot(int64_t step) const { return inner_lr_.size() == 1 ? 0 : static_cast<size_t>(step); }
  const Tensor& lr(int64_t step, size_t i) const { return inner_lr_[slot(step)][i]; }
  bool frozen(int64_t step, size_t i) const { return frozen_[slot(step)][i]; }

 private:
  const std::vector<std::vector<Tensor>>& inner_lr_;
  std::vector<std::vector<bool>> frozen_;  // frozen_[slot][i]: inner_lr[slot][i] is all zeros
};

}  // namespace ml
