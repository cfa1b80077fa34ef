#include "engine/inner_loop.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "engine/inner_rates.h"

namespace ml {
namespace {

bool is_scalar_loss(const Program& p) { return p.num_outputs() >= 1 && shape_numel(p.value_shape(p.output_id(0))) == 1; }

// numParams in [1, the program's inputs], one tensor per parameter, output 0 a scalar loss
// (Shape), at least one task.
void validate_params_and_tasks(const Program& p, const InnerLoopRequest& r, const std::string& what) {
  size_t n = r.num_params;
  if (n == 0 || n > p.num_inputs())
    fail(ErrorKind::Value, what + ": numParams " + std::to_string(n) + " must be in [1, " + std::to_string(p.num_inputs()) + "]");
  if (r.params.size() != n)
    fail(ErrorKind::Value, what + ": " + std::to_string(r.params.size()) + " params for numParams " + std::to_string(n));
  if (!is_scalar_loss(p)) fail(ErrorKind::Shape, what + ": the program's first output must be a scalar loss");
  if (r.tasks.empty()) fail(ErrorKind::Value, what + ": no tasks");
}

const Program& query_program_of(const Program& support, const InnerLoopRequest& r, const std::string& what) {
  if (!r.query_program) return support;
  const Program& query = *r.query_program;
  const std::string prefix = what + ": the query program";
  size_t n = r.num_params;
  if (query.num_inputs() < n)
    fail(ErrorKind::Value, prefix + " has " + std::to_string(query.num_inputs()) + " inputs, fewer than numParams " +
                               std::to_string(n));
  for (size_t i = 0; i < n; ++i) {
    const ProgramInput& s = support.input(i);
    const ProgramInput& q = query.input(i);
    if (q.shape != s.shape)
      fail(ErrorKind::Shape, prefix + "'s parameter " + std::to_string(i) + " has shape " + shape_str(q.shape) +
                                 ", the support program's " + shape_str(s.shape));
    if (q.dtype != s.dtype)
      fail(ErrorKind::DType, prefix + "'s parameter " + std::to_string(i) + " is " + dtype_name(q.dtype) +
                                 ", the support program's " + dtype_name(s.dtype));
  }
  if (!is_scalar_loss(query)) fail(ErrorKind::Shape, prefix + "'s first output must be a scalar loss");
  return query;
}

// Every task gives the support program's data inputs, and all or none give the query program's.
void validate_task_data(const Program& p, const Program& q, const InnerLoopRequest& r, const std::string& what) {
  size_t data = p.num_inputs() - r.num_params, query_data = q.num_inputs() - r.num_params;
  bool with_query = r.tasks[0].query.has_value();
  for (size_t t = 0; t < r.tasks.size(); ++t) {
    const InnerLoopTask& task = r.tasks[t];
    if (task.support.size() != data)
      fail(ErrorKind::Value, what + ": task " + std::to_string(t) + " must give " + std::to_string(data) +
                                 " support inputs, got " + std::to_string(task.support.size()));
    size_t given = task.query ? task.query->size() : 0;
    if (with_query != task.query.has_value() || (with_query && given != query_data))
      fail(ErrorKind::Value, what + ": task " + std::to_string(t) + " must give " +
                                 std::to_string(with_query ? query_data : 0) + " query inputs like task 0, got " +
                                 std::to_string(given));
  }
}

// Which outer gradient goes with which settings, and what is not implemented yet.
void validate_outer_gradient(const InnerLoopRequest& r, const std::string& what) {
  OuterGradient g = r.outer_gradient;
  if (g != OuterGradient::None && g != OuterGradient::FirstOrder && g != OuterGradient::Exact && g != OuterGradient::Implicit)
    fail(ErrorKind::Value, what + ": outerGradient must be 'none', 'first-order', 'exact' or 'implicit'");
  const std::string mode = std::string("outerGradient '") + outer_gradient_name(g) + "'";
  if (g != OuterGradient::None && !r.tasks[0].query) fail(ErrorKind::Value, what + ": " + mode + " needs every task's query data");
  if (g == OuterGradient::Exact && r.update.kind != UpdateKind::Sgd)
    fail(ErrorKind::Value, what + ": " + mode + " with the " + update_kind_name(r.update.kind) +
                               " update rule is not implemented yet");
  if (g == OuterGradient::Exact && r.proximal != 0)
    fail(ErrorKind::Value, what + ": " + mode + " with a proximal term is not implemented yet");
  if ((g == OuterGradient::Implicit) != r.implicit.has_value())
    fail(ErrorKind::Value, what + ": implicit settings go with outerGradient 'implicit' and only with it");
  if (r.implicit) validate_implicit_settings(*r.implicit, what);
  if (r.lr_grads && g != OuterGradient::FirstOrder && g != OuterGradient::Exact)
    fail(ErrorKind::Value, what + ": lrGrads needs outerGradient 'first-order' or 'exact', not '" + outer_gradient_name(g) + "'");
  if (!r.step_weights.empty()) {
    if (g == OuterGradient::Implicit) fail(ErrorKind::Value, what + ": stepWeights does not go with " + mode);
    if (r.step_weights.size() != static_cast<size_t>(r.steps + 1))
      fail(ErrorKind::Value, what + ": stepWeights has " + std::to_string(r.step_weights.size()) +
                                 " entries, expected steps + 1 = " + std::to_string(r.steps + 1));
    for (size_t j = 0; j < r.step_weights.size(); ++j)
      if (!std::isfinite(r.step_weights[j]))
        fail(ErrorKind::Value, what + ": stepWeights[" + std::to_string(j) + "] must be a finite number");
  }
}

}  // namespace

const Program& validate_inner_loop(const Program& p, const InnerLoopRequest& r) {
  const std::string& what = r.label;
  validate_params_and_tasks(p, r, what);
  const Program& q = query_program_of(p, r, what);
  validate_task_data(p, q, r, what);
  if (r.steps < 0 || r.steps > 10000)
    fail(ErrorKind::Value, what + ": steps " + std::to_string(r.steps) + " must be in [0, 10000]");
  validate_inner_rates(p, r.num_params, r.steps, r.update.rates, r.adapts, what);
  validate_update_rule(r.update, what);
  if (!std::isfinite(r.proximal) || r.proximal < 0)
    fail(ErrorKind::Value, what + ": proximal must be a finite number >= 0, got " + std::to_string(r.proximal));
  validate_outer_gradient(r, what);
  validate_step_data(r.step_data, p, r.tasks[0].query ? &q : nullptr, r.num_params, r.steps, what);
  return q;
}

}  // namespace ml
