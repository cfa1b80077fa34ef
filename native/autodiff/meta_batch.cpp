#include "autodiff/meta_batch.h"

#include <algorithm>
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

const Program& query_program_of(const Program& support, const std::shared_ptr<const Program>& query, size_t num_params,
                                const char* what) {
  if (!query) return support;
  const std::string prefix = std::string(what) + ": the query program";
  if (query->num_inputs() < num_params)
    fail(ErrorKind::Value, prefix + " has " + std::to_string(query->num_inputs()) + " inputs, fewer than numParams " +
                               std::to_string(num_params));
  for (size_t i = 0; i < num_params; ++i) {
    const ProgramInput& s = support.input(i);
    const ProgramInput& q = query->input(i);
    if (q.shape != s.shape)
      fail(ErrorKind::Shape, prefix + "'s parameter " + std::to_string(i) + " has shape " + shape_str(q.shape) +
                                 ", the support program's " + shape_str(s.shape));
    if (q.dtype != s.dtype)
      fail(ErrorKind::DType, prefix + "'s parameter " + std::to_string(i) + " is " + dtype_name(q.dtype) +
                                 ", the support program's " + dtype_name(s.dtype));
  }
  if (query->num_outputs() < 1 || shape_numel(query->value_shape(query->output_id(0))) != 1)
    fail(ErrorKind::Shape, prefix + "'s first output must be a scalar loss");
  return *query;
}

std::vector<Tensor> StepData::at(const std::vector<Tensor>& data, int64_t j) const {
  if (!enabled()) return data;
  std::vector<Tensor> out = data;
  out[static_cast<size_t>(index)] = values[static_cast<size_t>(j)];
  return out;
}

void validate_step_data(const StepData& sd, const Program& support, const Program* query, size_t n, int64_t steps,
                        const char* what) {
  if (!sd.enabled()) return;
  size_t count = (query ? std::min(support.num_inputs(), query->num_inputs()) : support.num_inputs()) - n;
  if (static_cast<size_t>(sd.index) >= count)
    fail(ErrorKind::Value, std::string(what) + ": stepData.index must name one of the " + std::to_string(count) +
                               " data inputs, got " + std::to_string(sd.index));
  if (sd.values.size() != static_cast<size_t>(steps + 1))
    fail(ErrorKind::Shape, std::string(what) + ": stepData has " + std::to_string(sd.values.size()) +
                               " values; expected one per state t_0..t_k, steps + 1 = " + std::to_string(steps + 1));
  size_t input = n + static_cast<size_t>(sd.index);
  for (const Program* program : {&support, query}) {
    if (!program) continue;
    const ProgramInput& expected = program->input(input);
    for (size_t j = 0; j < sd.values.size(); ++j) {
      const Tensor& v = sd.values[j];
      if (v.shape() != expected.shape)
        fail(ErrorKind::Shape, std::string(what) + ": stepData.values[" + std::to_string(j) + "] has shape " +
                                   shape_str(v.shape()) + "; data input " + std::to_string(sd.index) + " has shape " +
                                   shape_str(expected.shape));
      if (v.dtype() != expected.dtype)
        fail(ErrorKind::DType, std::string(what) + ": stepData.values[" + std::to_string(j) + "] is " +
                                   dtype_name(v.dtype()) + "; data input " + std::to_string(sd.index) + " is " +
                                   dtype_name(expected.dtype));
    }
  }
}

TaskLosses::TaskLosses(const Program& support, const Program& query, size_t num_params)
    : support_(support),
      query_(query),
      wrt_(param_ids(num_params)),
      support_cotangents_(loss_cotangents(support)),
      query_cotangents_(loss_cotangents(query)) {}

VjpResult TaskLosses::support_grad(const std::vector<Tensor>& theta, const std::vector<Tensor>& data) const {
  return support_.vjp(concat_inputs(theta, data), support_cotangents_, wrt_);
}

HvpResult TaskLosses::support_hvp(const std::vector<Tensor>& theta, const std::vector<Tensor>& data,
                                  const std::vector<Tensor>& v) const {
  std::vector<Tensor> tangents(support_.num_inputs());  // undefined = zero on the data inputs
  for (size_t i = 0; i < v.size(); ++i) tangents[i] = v[i];
  return support_.hvp(concat_inputs(theta, data), tangents, support_cotangents_, wrt_);
}

VjpResult TaskLosses::query_grad(const std::vector<Tensor>& theta, const std::vector<Tensor>& data) const {
  return query_.vjp(concat_inputs(theta, data), query_cotangents_, wrt_);
}

std::vector<Tensor> TaskLosses::query_outputs(const std::vector<Tensor>& theta, const std::vector<Tensor>& data) const {
  return query_.run(concat_inputs(theta, data));
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
