#include "autodiff/adapt_batch.h"

#include <cmath>
#include <string>

#include "autodiff/inner_rates.h"
#include "autodiff/meta_batch.h"
#include "autodiff/task_pool.h"
#include "core/error.h"
#include "ops/ops.h"

namespace ml {
namespace {

const char* const kWhat = "adaptBatch";

[[noreturn]] void fail_value(const std::string& message) { fail(ErrorKind::Value, std::string(kWhat) + ": " + message); }

void validate_settings(const AdaptBatchRequest& r) {
  if (!std::isfinite(r.proximal) || r.proximal < 0)
    fail_value("proximal must be a finite number >= 0, got " + std::to_string(r.proximal));
  if (r.adam.enabled) {
    const AdamSettings& a = r.adam;
    if (!(a.beta1 >= 0 && a.beta1 < 1) || !(a.beta2 >= 0 && a.beta2 < 1))
      fail_value("adam betas must be in [0, 1), got " + std::to_string(a.beta1) + " and " + std::to_string(a.beta2));
    if (!(a.epsilon > 0) || !std::isfinite(a.epsilon)) fail_value("adam epsilon must be > 0, got " + std::to_string(a.epsilon));
  }
  if (r.implicit.enabled) {
    const ImplicitGradientSettings& s = r.implicit;
    if (!(s.lambda > 0) || !std::isfinite(s.lambda)) fail_value("implicitGradient.lambda must be > 0, got " + std::to_string(s.lambda));
    if (s.max_steps < 0 || s.max_steps > 10000)
      fail_value("implicitGradient.cgSteps " + std::to_string(s.max_steps) + " must be in [0, 10000]");
    if (!(s.tolerance >= 0) || !std::isfinite(s.tolerance))
      fail_value("implicitGradient.tolerance must be a finite number >= 0, got " + std::to_string(s.tolerance));
  }
}

// Shapes and counts of the request against the support program p and its query program, which
// it returns.
const Program& validate(const Program& p, const AdaptBatchRequest& r) {
  size_t n = r.num_params;
  validate_params_and_tasks(p, n, r.params.size(), r.tasks.size(), kWhat);
  const Program& q = query_program_of(p, r.query_program, n, kWhat);
  size_t data = p.num_inputs() - n, query_data = q.num_inputs() - n;
  bool with_query = !r.tasks[0].query.empty();
  for (size_t t = 0; t < r.tasks.size(); ++t) {
    const AdaptTask& task = r.tasks[t];
    if (task.support.size() != data)
      fail_value("task " + std::to_string(t) + " must give " + std::to_string(data) + " support inputs, got " +
                 std::to_string(task.support.size()));
    if (with_query != !task.query.empty() || (with_query && task.query.size() != query_data))
      fail_value("task " + std::to_string(t) + " must give " + std::to_string(with_query ? query_data : 0) +
                 " query inputs like task 0, got " + std::to_string(task.query.size()));
  }
  if (r.steps < 0 || r.steps > 10000) fail_value("steps " + std::to_string(r.steps) + " must be in [0, 10000]");
  validate_inner_rates(p, n, r.steps, r.inner_lr, kWhat);
  validate_settings(r);
  if (r.implicit.enabled && !with_query) fail_value("implicitGradient needs every task's query data");
  validate_step_data(r.step_data, p, with_query ? &q : nullptr, n, r.steps, kWhat);
  return q;
}

// sum over tensors of <a_i, b_i>, accumulated in double in element order (as the TypeScript twin).
double dot(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  double total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dispatch_dtype(a[i].dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* x = a[i].data<T>();
      const T* y = b[i].data<T>();
      for (int64_t e = 0; e < a[i].numel(); ++e) total += static_cast<double>(x[e]) * static_cast<double>(y[e]);
    });
  }
  return total;
}

// a + s * b, tensor by tensor.
std::vector<Tensor> axpy(const std::vector<Tensor>& a, double s, const std::vector<Tensor>& b) {
  std::vector<Tensor> out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = ops::add(a[i], ops::mul_scalar(b[i], s));
  return out;
}

struct TaskResult {
  std::vector<Tensor> adapted;
  std::vector<double> support_losses;
  double query_loss = 0;
  std::vector<Tensor> query_outputs;
  std::vector<Tensor> implicit_grad;
};

class TaskRunner {
 public:
  // p: the support program (inner loop, HVPs), q: the query program.
  TaskRunner(const Program& p, const Program& q, const AdaptBatchRequest& r)
      : losses_(p, q, r.num_params), r_(r), n_(r.num_params), rates_(r.inner_lr) {}

  TaskResult run(const AdaptTask& task) const {
    TaskResult result;
    result.adapted = inner_loop(task, result.support_losses);
    if (task.query.empty()) return result;
    std::vector<Tensor> outputs;
    std::vector<Tensor> query = r_.step_data.at(task.query, r_.steps);
    if (r_.implicit.enabled) {
      VjpResult q = losses_.query_grad(result.adapted, query);
      outputs = std::move(q.outputs);
      result.implicit_grad = implicit_gradient(result.adapted, r_.step_data.at(task.support, r_.steps), q.grads);
    } else {
      outputs = losses_.query_outputs(result.adapted, query);
    }
    result.query_loss = scalar_value(outputs[0]);
    result.query_outputs.assign(outputs.begin() + 1, outputs.end());
    return result;
  }

 private:
  // The k steps of SGD or Adam; returns t_k and records L(t_j; support) for j < k.
  std::vector<Tensor> inner_loop(const AdaptTask& task, std::vector<double>& losses) const {
    std::vector<Tensor> theta = r_.params;
    std::vector<Tensor> m(n_), v(n_);  // Adam's moments, from zeros
    if (r_.adam.enabled)
      for (size_t i = 0; i < n_; ++i) m[i] = v[i] = Tensor::zeros(theta[i].dtype(), theta[i].shape());
    for (int64_t j = 0; j < r_.steps; ++j) {
      VjpResult res = losses_.support_grad(theta, r_.step_data.at(task.support, j));
      losses.push_back(scalar_value(res.outputs[0]));
      std::vector<Tensor> next(n_);
      for (size_t i = 0; i < n_; ++i) {
        if (rates_.frozen(j, i)) {
          next[i] = theta[i];
          continue;
        }
        Tensor d = r_.proximal != 0 ? ops::add(res.grads[i], ops::mul_scalar(ops::sub(theta[i], r_.params[i]), r_.proximal))
                                    : res.grads[i];
        Tensor step = r_.adam.enabled ? adam_direction(j, d, m[i], v[i]) : d;
        next[i] = ops::sub(theta[i], ops::mul(rates_.lr(j, i), step));
      }
      theta = std::move(next);
    }
    return theta;
  }

  // Updates m, v with direction d at step j (t = j + 1) and returns m_hat / (sqrt(v_hat) + eps).
  Tensor adam_direction(int64_t j, const Tensor& d, Tensor& m, Tensor& v) const {
    const AdamSettings& a = r_.adam;
    double t = static_cast<double>(j + 1);
    Tensor m_new = ops::mul_scalar(d, 1 - a.beta1);
    Tensor v_new = ops::mul_scalar(ops::square(d), 1 - a.beta2);
    m = ops::add(ops::mul_scalar(m, a.beta1), m_new);
    v = ops::add(ops::mul_scalar(v, a.beta2), v_new);
    Tensor m_hat = ops::mul_scalar(m, 1 / (1 - std::pow(a.beta1, t)));
    Tensor v_hat = ops::mul_scalar(v, 1 / (1 - std::pow(a.beta2, t)));
    return ops::div(m_hat, ops::add_scalar(ops::sqrt(v_hat), a.epsilon));
  }

  // x with (I + H_s(phi) / lambda) x = gq, by conjugate gradient from x = 0 (the same iteration
  // as lib/algorithms/conjugateGradient.ts).
  std::vector<Tensor> implicit_gradient(const std::vector<Tensor>& phi, const std::vector<Tensor>& support,
                                        const std::vector<Tensor>& gq) const {
    const ImplicitGradientSettings& s = r_.implicit;
    auto apply_a = [&](const std::vector<Tensor>& vec) {
      HvpResult h = losses_.support_hvp(phi, support, vec);
      return axpy(vec, 1 / s.lambda, h.grad_tangents);
    };
    std::vector<Tensor> x(n_), r = gq, dir = gq;
    for (size_t i = 0; i < n_; ++i) x[i] = Tensor::zeros(gq[i].dtype(), gq[i].shape());
    double rr = dot(r, r);
    double stop = s.tolerance * s.tolerance * rr;
    for (int64_t step = 0; step < s.max_steps && rr > stop && rr > 0; ++step) {
      std::vector<Tensor> ad = apply_a(dir);
      double alpha = rr / dot(dir, ad);
      x = axpy(x, alpha, dir);
      r = axpy(r, -alpha, ad);
      double rr_next = dot(r, r);
      dir = axpy(r, rr_next / rr, dir);
      rr = rr_next;
    }
    return x;
  }

  TaskLosses losses_;
  const AdaptBatchRequest& r_;
  size_t n_;
  InnerRates rates_;
};

}  // namespace

AdaptBatchResult adapt_batch(const Program& program, const AdaptBatchRequest& request) {
  const Program& query = validate(program, request);
  TaskRunner runner(program, query, request);
  std::vector<TaskResult> per_task(request.tasks.size());
  parallel_for(request.tasks.size(), request.num_threads, [&](size_t t) { per_task[t] = runner.run(request.tasks[t]); });

  AdaptBatchResult result;
  bool with_query = !request.tasks[0].query.empty();
  std::vector<std::vector<Tensor>> implicit;
  for (TaskResult& task : per_task) {
    result.adapted.push_back(std::move(task.adapted));
    result.support_losses.push_back(std::move(task.support_losses));
    if (with_query) {
      result.query_losses.push_back(task.query_loss);
      result.query_outputs.push_back(std::move(task.query_outputs));
    }
    if (request.implicit.enabled) implicit.push_back(std::move(task.implicit_grad));
  }
  result.mean_adapted = mean_over_tasks(result.adapted);
  if (request.implicit.enabled) result.implicit_grads = mean_over_tasks(implicit);
  return result;
}

}  // namespace ml
