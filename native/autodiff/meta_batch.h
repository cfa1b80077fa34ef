// What the two meta-batch engines (meta_gradient.h, adapt_batch.h) share about their program:
// its inputs are [params..., data...] and its output 0 is the scalar loss.
#pragma once
#include <cstddef>
#include <vector>

#include "autodiff/program.h"

namespace ml {

// The checks both requests start with, in this order: numParams in [1, the program's inputs],
// num_param_tensors == numParams, output 0 a scalar loss (Shape), at least one task.
// ml::Error (Value unless said) prefixed with `what`.
void validate_params_and_tasks(const Program& program, size_t num_params, size_t num_param_tensors, size_t num_tasks,
                               const char* what);

// The program's inputs: [params..., data...].
std::vector<Tensor> concat_inputs(const std::vector<Tensor>& params, const std::vector<Tensor>& data);

// The value of a one-element tensor (the loss), as double.
double scalar_value(const Tensor& t);

// Cotangents for the program's outputs: ones on the loss (output 0), undefined on the others.
std::vector<Tensor> loss_cotangents(const Program& program);

// The input ids 0 .. n-1: the parameters, as `wrt` for vjp/hvp.
std::vector<int64_t> param_ids(size_t n);

// Per-task tensor lists summed in task order, then scaled once by 1 / tasks, so that the result
// does not depend on the thread count. per_task: [tasks][n] -> [n].
std::vector<Tensor> mean_over_tasks(const std::vector<std::vector<Tensor>>& per_task);

}  // namespace ml
