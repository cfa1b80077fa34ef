// MAML++'s per-step batch norm: one data input may depend on the state. When enabled, every
// evaluation at t_j (the support loss of step j, the query loss at t_j) takes values[j] as data
// input `index` (counted among the data inputs, in both programs) in place of the task's own
// entry; steps + 1 values, one per state t_0..t_k (lib/engine/request.ts stepData).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "autodiff/program.h"

namespace ml {

struct StepData {
  int64_t index = -1;  // -1: no per-step data input
  std::vector<Tensor> values;

  bool enabled() const { return index >= 0; }
  // A task's data at state t_j: values[j] swapped in (the data itself when not enabled).
  std::vector<Tensor> at(const std::vector<Tensor>& data, int64_t j) const;
};

// index names a data input of the support program (and of the query program, when given) and
// values are steps + 1 tensors of that input's recorded shape (Shape) and dtype (DType).
// ml::Error prefixed with `what`.
void validate_step_data(const StepData& step_data, const Program& support, const Program* query, size_t num_params,
                        int64_t steps, const std::string& what);

}  // namespace ml
