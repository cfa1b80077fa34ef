#include "autodiff/meta_batch.h"

#include <string>

#include "core/error.h"
#include "ops/ops.h"

namespace ml {

void validate_params_and_tasks(const Program& p, size_t num_params, size_t num_param_tensors, size_t num_tasks,
                               const char* what) {
  if (num_params == 0 || num_params > p.num_inputs())
    fail(ErrorKind::Value, std::string(what) + ": numParams " + std::to_string(num_params) + " must be in [1, " +
                               std::to_string(p.num_inputs()) + "]");
  if (num_param_tensors != num_params)
    fail(ErrorKind::Value, std::string(what) + ": " + std::to_string(num_param_tensors) + " params for numParams " +
                               std::to_string(num_params));
  if (p.num_outputs() < 1 || shape_numel(p.value_shape(p.output_id(0))) != 1)
    fail(ErrorKind::Shape, std::string(what) + ": the program's first output must be a scalar loss");
  if (num_tasks == 0) fail(ErrorKind::Value, std::string(what) + ": no tasks");
}

std::vector<Tensor> concat_inputs(const std::vector<Tensor>& params, const std::vector<Tensor>& data) {
  std::vector<Tensor> inputs = params;
  inputs.insert(inputs.end(), data.begin(), data.end());
  return inputs;
}

double scalar_value(const Tensor& t) {
  return dispatch_dtype(t.dtype(), [&](auto tag) { return static_cast<double>(t.data<decltype(tag)>()[0]); });
}

std::vector<Tensor> loss_cotangents(const Program& p) {
  std::vector<Tensor> cotangents(p.num_outputs());
  cotangents[0] = Tensor::full(p.input(0).dtype, p.value_shape(p.output_id(0)), 1.0);
  return cotangents;
}

std::vector<int64_t> param_ids(size_t n) {
  std::vector<int64_t> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(static_cast<int64_t>(i));
  return ids;
}

std::vector<Tensor> mean_over_tasks(const std::vector<std::vector<Tensor>>& per_task) {
  std::vector<Tensor> mean(per_task[0].size());
  double inv = 1.0 / static_cast<double>(per_task.size());
  for (size_t i = 0; i < mean.size(); ++i) {
    Tensor total = per_task[0][i];
    for (size_t t = 1; t < per_task.size(); ++t) total = ops::add(total, per_task[t][i]);
    mean[i] = ops::mul_scalar(total, inv);
  }
  return mean;
}

}  // namespace ml
