// The two losses of a task as functions of the parameters t, over a program whose inputs are
// [params..., data...] and whose output 0 is the scalar loss: the support program drives the
// inner loop (gradients, HVPs), the query program gives the objective and the extra outputs (the
// same Program when support and query data have the same shapes).
#pragma once
#include <vector>

#include "autodiff/program.h"

namespace ml {

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

// The value of a one-element tensor (the loss), as double.
double scalar_value(const Tensor& t);

}  // namespace ml
