#include "engine/task_losses.h"

namespace ml {
namespace {

// The program's inputs: [params..., data...].
std::vector<Tensor> concat_inputs(const std::vector<Tensor>& params, const std::vector<Tensor>& data) {
  std::vector<Tensor> inputs = params;
  inputs.insert(inputs.end(), data.begin(), data.end());
  return inputs;
}

// Cotangents for the program's outputs: ones on the loss (output 0), undefined on the others.
std::vector<Tensor> loss_cotangents(const Program& p) {
  std::vector<Tensor> cotangents(p.num_outputs());
  cotangents[0] = Tensor::full(p.input(0).dtype, p.value_shape(p.output_id(0)), 1.0);
  return cotangents;
}

// The input ids 0 .. n-1: the parameters, as `wrt` for vjp/hvp.
std::vector<int64_t> param_ids(size_t n) {
  std::vector<int64_t> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(static_cast<int64_t>(i));
  return ids;
}

}  // namespace

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

double scalar_value(const Tensor& t) {
  return dispatch_dtype(t.dtype(), [&](auto tag) { return static_cast<double>(t.data<decltype(tag)>()[0]); });
}

}  // namespace ml
