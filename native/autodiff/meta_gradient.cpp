#include "autodiff/meta_gradient.h"

#include <string>

#include "autodiff/inner_rates.h"
#include "autodiff/meta_batch.h"
#include "autodiff/task_pool.h"
#include "core/error.h"
#include "ops/ops.h"

namespace ml {

namespace {

struct TaskResult {
  double objective = 0;   // F
  double query_loss = 0;  // L(t_k; query)
  std::vector<Tensor> grads;
  std::vector<std::vector<Tensor>> lr_grads;
  std::vector<Tensor> query_outputs;
  std::vector<std::vector<Tensor>> support_outputs;  // per step j < k, when asked
};

const char* const kWhat = "metaGradient";

// Shapes and counts of the request against the support program p and its query program, which
// it returns.
const Program& validate(const Program& p, const MetaGradientRequest& r) {
  const char* what = kWhat;
  size_t n = r.num_params;
  validate_params_and_tasks(p, n, r.params.size(), r.tasks.size(), what);
  const Program& q = query_program_of(p, r.query_program, n, what);
  size_t support_data = p.num_inputs() - n, query_data = q.num_inputs() - n;
  for (size_t t = 0; t < r.tasks.size(); ++t)
    if (r.tasks[t].support.size() != support_data || r.tasks[t].query.size() != query_data)
      fail(ErrorKind::Value, std::string(what) + ": task " + std::to_string(t) + " must give " +
                                 std::to_string(support_data) + " support and " + std::to_string(query_data) +
                                 " query inputs");
  if (r.steps < 0 || r.steps > 10000)
    fail(ErrorKind::Value, std::string(what) + ": steps " + std::to_string(r.steps) + " must be in [0, 10000]");
  if (r.order != 1 && r.order != 2) fail(ErrorKind::Value, std::string(what) + ": order must be 1 or 2");
  validate_inner_rates(p, n, r.steps, r.inner_lr, what);
  if (!r.step_weights.empty() && r.step_weights.size() != static_cast<size_t>(r.steps + 1))
    fail(ErrorKind::Value, std::string(what) + ": stepWeights has " + std::to_string(r.step_weights.size()) +
                               " entries, expected steps + 1 = " + std::to_string(r.steps + 1));
  validate_step_data(r.step_data, p, &q, n, r.steps, what);
  return q;
}

// What the backward pass needs from step j of the forward pass, and nothing more (so memory
// grows by at most one parameter copy per step):
//   theta        t_j, for the HVP at t_j (order 2) or a weighted query loss at t_j (w_j != 0);
//   support_grad grad L_s(t_j), for dF/dlr_j at order 1 only (order 2's HVP recomputes it).
struct SavedStep {
  std::vector<Tensor> theta, support_grad;
};

class TaskRunner {
 public:
  // p: the support program (inner loop), q: the query program (objective).
  TaskRunner(const Program& p, const Program& q, const MetaGradientRequest& r)
      : losses_(p, q, r.num_params), r_(r), n_(r.num_params), rates_(r.inner_lr) {
    weights_ = r.step_weights;
    if (weights_.empty()) {
      weights_.assign(static_cast<size_t>(r.steps + 1), 0.0);
      weights_.back() = 1.0;
    }
  }

  TaskResult run(const MetaTask& task) const {
    int64_t k = r_.steps;
    TaskResult result;
    std::vector<SavedStep> saved(static_cast<size_t>(k));
    std::vector<Tensor> last_theta = inner_loop(task, saved, result);
    // Query at t_k: loss, extra outputs and g_k = w_k grad L_q(t_k).
    VjpResult last = losses_.query_grad(last_theta, at_step(task.query, k));
    last_theta.clear();  // t_k is not needed again
    result.query_loss = scalar_value(last.outputs[0]);
    result.query_outputs.assign(last.outputs.begin() + 1, last.outputs.end());
    result.objective = weights_[k] * result.query_loss;
    std::vector<Tensor> g(n_);
    for (size_t i = 0; i < n_; ++i) g[i] = ops::mul_scalar(last.grads[i], weights_[k]);
    last = VjpResult{};
    // Backward recursion over the steps, freeing each step's saved tensors once used.
    if (r_.lr_grads) result.lr_grads.assign(r_.inner_lr.size(), std::vector<Tensor>(n_));
    for (int64_t j = k - 1; j >= 0; --j) {
      backward_step(j, task, saved[static_cast<size_t>(j)], g, result);
      saved[static_cast<size_t>(j)] = SavedStep{};
    }
    result.grads = std::move(g);
    return result;
  }

 private:
  std::vector<Tensor> at_step(const std::vector<Tensor>& data, int64_t j) const { return r_.step_data.at(data, j); }

  // t_{j+1} = t_j - lr_j * grad L_s(t_j) for j < k, filling saved[j] (and the support outputs
  // when asked); returns t_k. A parameter whose rate is zero (ANIL, CAVIA) shares t_j's tensor
  // instead of being copied.
  std::vector<Tensor> inner_loop(const MetaTask& task, std::vector<SavedStep>& saved, TaskResult& result) const {
    std::vector<Tensor> theta = r_.params;
    for (int64_t j = 0; j < r_.steps; ++j) {
      VjpResult support = losses_.support_grad(theta, at_step(task.support, j));
      if (r_.support_outputs) result.support_outputs.emplace_back(support.outputs.begin() + 1, support.outputs.end());
      std::vector<Tensor> g = std::move(support.grads);
      support = VjpResult{};
      std::vector<Tensor> next(n_);
      for (size_t i = 0; i < n_; ++i)
        next[i] = rates_.frozen(j, i) ? theta[i] : ops::sub(theta[i], ops::mul(rates_.lr(j, i), g[i]));
      SavedStep& step = saved[static_cast<size_t>(j)];
      if (r_.order == 2 || weights_[j] != 0.0) step.theta = std::move(theta);
      if (r_.order == 1 && r_.lr_grads) step.support_grad = std::move(g);
      theta = std::move(next);
    }
    return theta;
  }

  // g <- g_j from g = g_{j+1}:  g_j = g_{j+1} - H_s(t_j)(lr_j * g_{j+1}) + w_j grad L_q(t_j),
  // adding dF/dlr_j = -grad L_s(t_j) * g_{j+1} and w_j L_q(t_j) to the result.
  void backward_step(int64_t j, const MetaTask& task, const SavedStep& step, std::vector<Tensor>& g,
                     TaskResult& result) const {
    if (r_.order == 2) {
      std::vector<Tensor> tangents(n_);  // undefined = zero (frozen parameters)
      for (size_t i = 0; i < n_; ++i)
        if (!rates_.frozen(j, i)) tangents[i] = ops::mul(rates_.lr(j, i), g[i]);
      // One forward-over-reverse pass: h.grads = grad L_s(t_j), h.grad_tangents = H_s(t_j) tangents.
      HvpResult h = losses_.support_hvp(step.theta, at_step(task.support, j), tangents);
      if (r_.lr_grads) accumulate_lr_grads(j, h.grads, g, result.lr_grads);
      for (size_t i = 0; i < n_; ++i) g[i] = ops::sub(g[i], h.grad_tangents[i]);
    } else if (r_.lr_grads) {
      accumulate_lr_grads(j, step.support_grad, g, result.lr_grads);
    }
    if (weights_[j] != 0.0) {
      VjpResult q = losses_.query_grad(step.theta, at_step(task.query, j));
      result.objective += weights_[j] * scalar_value(q.outputs[0]);
      for (size_t i = 0; i < n_; ++i) g[i] = ops::add(g[i], ops::mul_scalar(q.grads[i], weights_[j]));
    }
  }

  // dF/dlr_j += -grad L_s(t_j) * g_{j+1}, summed to the rate's shape.
  void accumulate_lr_grads(int64_t j, const std::vector<Tensor>& support_grad, const std::vector<Tensor>& g,
                           std::vector<std::vector<Tensor>>& out) const {
    size_t slot = rates_.slot(j);
    for (size_t i = 0; i < n_; ++i) {
      Tensor d = ops::sum_to(ops::neg(ops::mul(support_grad[i], g[i])), rates_.lr(j, i).shape());
      out[slot][i] = out[slot][i].defined() ? ops::add(out[slot][i], d) : d;
    }
  }

  TaskLosses losses_;
  const MetaGradientRequest& r_;
  size_t n_;
  InnerRates rates_;
  std::vector<double> weights_;
};

}  // namespace

MetaGradientResult meta_gradient(const Program& program, const MetaGradientRequest& request) {
  const Program& query = validate(program, request);
  TaskRunner runner(program, query, request);
  std::vector<TaskResult> per_task(request.tasks.size());
  parallel_for(request.tasks.size(), request.num_threads,
               [&](size_t t) { per_task[t] = runner.run(request.tasks[t]); });

  // Means over tasks, summed in task order so the result does not depend on the thread count.
  double inv = 1.0 / static_cast<double>(per_task.size());
  MetaGradientResult result;
  size_t n = request.num_params;
  std::vector<std::vector<Tensor>> grads;
  for (TaskResult& task : per_task) {
    result.loss += task.objective * inv;
    result.query_losses.push_back(task.query_loss);
    result.query_outputs.push_back(task.query_outputs);
    if (request.support_outputs) result.support_outputs.push_back(std::move(task.support_outputs));
    grads.push_back(std::move(task.grads));
  }
  result.grads = mean_over_tasks(grads);
  if (request.lr_grads) {
    result.lr_grads.assign(request.inner_lr.size(), std::vector<Tensor>(n));
    for (size_t j = 0; j < request.inner_lr.size(); ++j)
      for (size_t i = 0; i < n; ++i) {
        const Tensor& lr = request.inner_lr[j][i];
        Tensor total = Tensor::zeros(lr.dtype(), lr.shape());
        for (const TaskResult& task : per_task)
          if (task.lr_grads[j][i].defined()) total = ops::add(total, task.lr_grads[j][i]);
        result.lr_grads[j][i] = ops::mul_scalar(total, inv);
      }
  }
  return result;
}

}  // namespace ml
