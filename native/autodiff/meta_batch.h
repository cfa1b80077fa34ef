// What the two meta-batch engines (meta_gradient.h, adapt_batch.h) share about their program:
// its inputs are [params..., data...] and its output 0 is the scalar loss.
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

#include "autodiff/program.h"

namespace ml {

// The checks both requests start with, in this order: numParams in [1, the program's inputs],
// num_param_tensors == numParams, output 0 a scalar loss (Shape), at least one task.
// ml::Error (Value unless said) prefixed with `what`.
void validate_params_and_tasks(const Program& program, size_t num_params, size_t num_param_tensors, size_t num_tasks,
                               const char* what);

// The program of the query loss: `query` when given (support and query sets of other shapes, two
// recordings of one loss), else `support`. A separate query program must take the support
// program's parameter list: at least num_params inputs (Value), the first num_params of the same
// shapes (Shape) and dtypes (DType), and a scalar loss as output 0 (Shape). Messages start with `what`.
const Program& query_program_of(const Program& support, const std::shared_ptr<const Program>& query, size_t num_params,
                                const char* what);

// The two losses of a task as functions of the parameters t: the support program drives the
// inner loop (gradients, HVPs), the query program gives the objective and the extra outputs
// (the same Program when support and query data have the same shapes). Inputs: [t..., data...].
class TaskLosses {
 public:
  TaskLosses(const Program& support, const Program& query, size_t num_params);

  // L_s(t) and its outputs, grad_t L_s(t).
  VjpResult support_grad(const std::vector<Tensor>& theta, const std::vector<Tensor>& data) const;
  // One forward-over-reverse pass: grads = grad_t L_s(t), grad_tangents = H_s(t) v, with v one
  // tangent per parameter (undefined = zero).
  HvpResult support_hvp(const std::vector<Tensor>& theta, const std::vector<Tensor>& data,
                        const std::vector<Tensor>& v) const;
  // L_q(t) and its outputs, grad_t L_q(t).
  VjpResult query_grad(const std::vector<Tensor>& theta, const std::vector<Tensor>& data) const;
  // The query program's outputs at t: [L_q(t), extra outputs...].
  std::vector<Tensor> query_outputs(const std::vector<Tensor>& theta, const std::vector<Tensor>& data) const;

 private:
  const Program& support_;
  const Program& query_;
  std::vector<int64_t> wrt_;
  std::vector<Tensor> support_cotangents_, query_cotangents_;
};

// MAML++'s per-step batch norm: one data input may depend on the state. When enabled, every
// evaluation at t_j (the support loss of step j, the query loss at t_j) takes values[j] as data
// input `index` (counted among the data inputs, in both programs) in place of the task's own
// entry; steps + 1 values, one per state t_0..t_k.
struct StepData {
  int64_t index = -1;  // -1: no per-step data input
  std::vector<Tensor> values;

  bool enabled() const { return index >= 0; }
  // A task's data at state t_j: values[j] swapped in (the data itself when not enabled).
  std::vector<Tensor> at(const std::vector<Tensor>& data, int64_t j) const;
};

// index names a data input of the support program (and of the query program, when given) and
// values are steps + 1 tensors of that input's recorded shape (Shape) and dtype (DType).
void validate_step_data(const StepData& step_data, const Program& support, const Program* query, size_t num_params,
                        int64_t steps, const char* what);

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
