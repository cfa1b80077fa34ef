#include "engine/inner_loop.h"

#include "core/error.h"
#include "engine/inner_rates.h"
#include "engine/task_losses.h"
#include "engine/task_pool.h"
#include "ops/ops.h"

namespace ml {

const char* outer_gradient_name(OuterGradient g) {
  switch (g) {
    case OuterGradient::None: return "none";
    case OuterGradient::FirstOrder: return "first-order";
    case OuterGradient::Exact: return "exact";
    case OuterGradient::Implicit: return "implicit";
  }
  return "?";
}

namespace {

struct TaskResult {
  double objective = 0;   // F
  double query_loss = 0;  // L_q(t_k)
  std::vector<double> support_losses;
  std::vector<Tensor> query_outputs;
  std::vector<std::vector<Tensor>> support_outputs;  // per step j < k, when asked
  std::vector<Tensor> grads;
  std::vector<std::vector<Tensor>> lr_grads;
  std::vector<Tensor> adapted;
  std::vector<Tensor> implicit_grad;
};

// What the backward needs from step j of the forward, and nothing more (so memory grows by at
// most one parameter copy per step):
//   theta      t_j, for the HVP at t_j ('exact') or a weighted query loss at t_j (w_j != 0);
//   direction  u_j, for dF/dlr_j at 'first-order' only ('exact''s HVP recomputes grad L_s(t_j)).
struct SavedStep {
  std::vector<Tensor> theta, direction;
};

std::vector<double> step_weights_of(const InnerLoopRequest& r) {
  std::vector<double> weights = r.step_weights;
  if (weights.empty()) {
    weights.assign(static_cast<size_t>(r.steps + 1), 0.0);
    weights.back() = 1.0;
  }
  return weights;
}

// Per-task tensor lists summed in task order, then scaled once by 1 / tasks, so that the result
// does not depend on the thread count. per_task: [tasks][n] -> [n].
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

class TaskRunner {
 public:
  // p: the support program (inner loop, HVPs), q: the query program (objective).
  TaskRunner(const Program& p, const Program& q, const InnerLoopRequest& r)
      : losses_(p, q, r.num_params),
        r_(r),
        n_(r.num_params),
        rates_(r.update.rates, r.adapts),
        weights_(step_weights_of(r)),
        gradient_(r.outer_gradient == OuterGradient::FirstOrder || r.outer_gradient == OuterGradient::Exact),
        keep_directions_(r.lr_grads && r.outer_gradient == OuterGradient::FirstOrder) {}

  TaskResult run(const InnerLoopTask& task) const {
    int64_t k = r_.steps;
    TaskResult result;
    std::vector<SavedStep> saved(static_cast<size_t>(k));
    std::vector<Tensor> theta = forward(task, saved, result);
    if (!task.query) {  // 'none' without query data: adaptation only
      if (r_.return_adapted) result.adapted = std::move(theta);
      return result;
    }
    std::vector<Tensor> g = query_stage(task, theta, result);
    if (r_.return_adapted) result.adapted = std::move(theta);
    theta.clear();  // t_k is not needed again
    // Backward over the steps, freeing each step's saved tensors once used.
    if (r_.lr_grads) result.lr_grads.assign(r_.update.rates.size(), std::vector<Tensor>(n_));
    for (int64_t j = k - 1; j >= 0; --j) {
      backward_step(j, task, saved[static_cast<size_t>(j)], g, result);
      saved[static_cast<size_t>(j)] = SavedStep{};
    }
    if (gradient_) result.grads = std::move(g);
    return result;
  }

 private:
  // t_{j+1} = t_j - lr_j * u_j for j < k, filling saved[j], the support losses (and outputs when
  // asked); returns t_k. A frozen parameter (zero rate, not in adapts) shares t_j's tensor
  // instead of being copied; its direction is computed only when dF/dlr needs it.
  std::vector<Tensor> forward(const InnerLoopTask& task, std::vector<SavedStep>& saved, TaskResult& result) const {
    std::vector<Tensor> theta = r_.params;
    UpdateState update(r_.update, r_.params);
    for (int64_t j = 0; j < r_.steps; ++j) {
      VjpResult support = losses_.support_grad(theta, r_.step_data.at(task.support, j));
      result.support_losses.push_back(scalar_value(support.outputs[0]));
      if (r_.support_outputs) result.support_outputs.emplace_back(support.outputs.begin() + 1, support.outputs.end());
      std::vector<Tensor> grads = std::move(support.grads);
      support = VjpResult{};
      std::vector<Tensor> next(n_), directions(keep_directions_ ? n_ : 0);
      for (size_t i = 0; i < n_; ++i) {
        bool frozen = rates_.frozen(j, i);
        if (frozen && !keep_directions_) {
          next[i] = theta[i];
          continue;
        }
        Tensor d = r_.proximal != 0 ? ops::add(grads[i], ops::mul_scalar(ops::sub(theta[i], r_.params[i]), r_.proximal))
                                    : grads[i];
        Tensor u = update.direction(j, i, d);
        next[i] = frozen ? theta[i] : ops::sub(theta[i], ops::mul(rates_.lr(j, i), u));
        if (keep_directions_) directions[i] = std::move(u);
      }
      SavedStep& step = saved[static_cast<size_t>(j)];
      bool weighted = weights_[static_cast<size_t>(j)] != 0.0 && task.query;
      if (r_.outer_gradient == OuterGradient::Exact || weighted) step.theta = std::move(theta);
      step.direction = std::move(directions);
      theta = std::move(next);
    }
    return theta;
  }

  // At t_k on the query data: the loss and extra outputs (run() for 'none', vjp otherwise), the
  // implicit gradient ('implicit'); returns g_k = w_k grad L_q(t_k) for the gradient modes.
  std::vector<Tensor> query_stage(const InnerLoopTask& task, const std::vector<Tensor>& theta, TaskResult& result) const {
    int64_t k = r_.steps;
    std::vector<Tensor> query = r_.step_data.at(*task.query, k);
    std::vector<Tensor> outputs, query_grads;
    if (r_.outer_gradient == OuterGradient::None) {
      outputs = losses_.query_outputs(theta, query);
    } else {
      VjpResult q = losses_.query_grad(theta, query);
      outputs = std::move(q.outputs);
      query_grads = std::move(q.grads);
    }
    result.query_loss = scalar_value(outputs[0]);
    result.query_outputs.assign(outputs.begin() + 1, outputs.end());
    double w = weights_[static_cast<size_t>(k)];
    result.objective = w * result.query_loss;
    if (r_.outer_gradient == OuterGradient::Implicit) {
      std::vector<Tensor> support = r_.step_data.at(task.support, k);
      auto hvp = [&](const std::vector<Tensor>& v) { return losses_.support_hvp(theta, support, v).grad_tangents; };
      result.implicit_grad = implicit_gradient(hvp, query_grads, *r_.implicit);
    }
    std::vector<Tensor> g;
    if (gradient_)
      for (size_t i = 0; i < n_; ++i) g.push_back(ops::mul_scalar(query_grads[i], w));
    return g;
  }

  // g <- g_j from g = g_{j+1}:  g_j = g_{j+1} [- H_s(t_j)(lr_j * g_{j+1})] + w_j grad L_q(t_j),
  // adding dF/dlr_j = -u_j * g_{j+1} and w_j L_q(t_j) to the result ('none': the loss only).
  void backward_step(int64_t j, const InnerLoopTask& task, const SavedStep& step, std::vector<Tensor>& g,
                     TaskResult& result) const {
    if (r_.outer_gradient == OuterGradient::Exact) {
      std::vector<Tensor> tangents(n_);  // undefined = zero (frozen parameters)
      for (size_t i = 0; i < n_; ++i)
        if (!rates_.frozen(j, i)) tangents[i] = ops::mul(rates_.lr(j, i), g[i]);
      // One forward-over-reverse pass: h.grads = grad L_s(t_j) (= u_j: sgd without proximal),
      // h.grad_tangents = H_s(t_j) tangents.
      HvpResult h = losses_.support_hvp(step.theta, r_.step_data.at(task.support, j), tangents);
      if (r_.lr_grads) accumulate_lr_grads(j, h.grads, g, result.lr_grads);
      for (size_t i = 0; i < n_; ++i) g[i] = ops::sub(g[i], h.grad_tangents[i]);
    } else if (r_.lr_grads) {
      accumulate_lr_grads(j, step.direction, g, result.lr_grads);
    }
    double w = weights_[static_cast<size_t>(j)];
    if (w == 0.0) return;
    std::vector<Tensor> query = r_.step_data.at(*task.query, j);
    if (!gradient_) {
      result.objective += w * scalar_value(losses_.query_outputs(step.theta, query)[0]);
      return;
    }
    VjpResult q = losses_.query_grad(step.theta, query);
    result.objective += w * scalar_value(q.outputs[0]);
    for (size_t i = 0; i < n_; ++i) g[i] = ops::add(g[i], ops::mul_scalar(q.grads[i], w));
  }

  // dF/dlr_j += -u_j * g_{j+1}, summed to the rate's shape.
  void accumulate_lr_grads(int64_t j, const std::vector<Tensor>& direction, const std::vector<Tensor>& g,
                           std::vector<std::vector<Tensor>>& out) const {
    size_t slot = rates_.slot(j);
    for (size_t i = 0; i < n_; ++i) {
      Tensor d = ops::sum_to(ops::neg(ops::mul(direction[i], g[i])), rates_.lr(j, i).shape());
      out[slot][i] = out[slot][i].defined() ? ops::add(out[slot][i], d) : d;
    }
  }

  TaskLosses losses_;
  const InnerLoopRequest& r_;
  size_t n_;
  InnerRates rates_;
  std::vector<double> weights_;
  bool gradient_;         // 'first-order' or 'exact': g_j flows back
  bool keep_directions_;  // u_j saved for dF/dlr_j ('first-order' with lrGrads)
};

// Means over tasks of dF/drates, shaped like the rates (zeros where no task contributed).
std::vector<std::vector<Tensor>> mean_lr_grads(const InnerLoopRequest& request, const std::vector<TaskResult>& per_task) {
  double inv = 1.0 / static_cast<double>(per_task.size());
  std::vector<std::vector<Tensor>> mean(request.update.rates.size(), std::vector<Tensor>(request.num_params));
  for (size_t j = 0; j < mean.size(); ++j)
    for (size_t i = 0; i < request.num_params; ++i) {
      const Tensor& lr = request.update.rates[j][i];
      Tensor total = Tensor::zeros(lr.dtype(), lr.shape());
      for (const TaskResult& task : per_task)
        if (task.lr_grads[j][i].defined()) total = ops::add(total, task.lr_grads[j][i]);
      mean[j][i] = ops::mul_scalar(total, inv);
    }
  return mean;
}

}  // namespace

InnerLoopResult inner_loop(const Program& program, const InnerLoopRequest& request) {
  const Program& query = validate_inner_loop(program, request);
  TaskRunner runner(program, query, request);
  std::vector<TaskResult> per_task(request.tasks.size());
  parallel_for(request.tasks.size(), request.num_threads,
               [&](size_t t) { per_task[t] = runner.run(request.tasks[t]); });

  // Means over tasks, summed in task order so the result does not depend on the thread count.
  double inv = 1.0 / static_cast<double>(per_task.size());
  bool with_query = request.tasks[0].query.has_value();
  OuterGradient mode = request.outer_gradient;
  InnerLoopResult result;
  std::vector<std::vector<Tensor>> grads, implicit;
  for (TaskResult& task : per_task) {
    result.loss += task.objective * inv;
    result.support_losses.push_back(std::move(task.support_losses));
    if (with_query) {
      result.query_losses.push_back(task.query_loss);
      result.query_outputs.push_back(std::move(task.query_outputs));
    }
    if (request.support_outputs) result.support_outputs.push_back(std::move(task.support_outputs));
    if (mode == OuterGradient::FirstOrder || mode == OuterGradient::Exact) grads.push_back(std::move(task.grads));
    if (mode == OuterGradient::Implicit) implicit.push_back(std::move(task.implicit_grad));
    if (request.return_adapted) result.adapted.push_back(std::move(task.adapted));
  }
  if (!grads.empty()) result.grads = mean_over_tasks(grads);
  if (request.lr_grads) result.lr_grads = mean_lr_grads(request, per_task);
  if (request.return_adapted) result.mean_adapted = mean_over_tasks(result.adapted);
  if (!implicit.empty()) result.implicit_grads = mean_over_tasks(implicit);
  return result;
}

}  // namespace ml
