// The one inner-loop engine (lib/engine/request.ts InnerLoopRequest, mirrored field for field):
// every task of a meta-batch, in parallel across threads, runs forward steps with the update
// rule, the query stage at t_k, then the chosen backward. The program's inputs are
// [params..., data...]; its output 0 is the scalar loss. Per task, with t_0 = params:
//   forward     d_j = grad L_s(t_j) + proximal (t_j - t_0);  t_{j+1} = t_j - lr_j u_j
//               (u_j = d_j for sgd, Adam's step for adam: update_rule.h)
//   objective   F = sum_j w_j L_q(t_j)
//   backward    'none'         nothing (evaluation, adaptation)
//               'first-order'  g_k = w_k grad L_q(t_k);  g_j = g_{j+1} + w_j grad L_q(t_j)
//               'exact'        g_j = g_{j+1} - H_s(t_j)(lr_j g_{j+1}) + w_j grad L_q(t_j)  (sgd, no proximal)
//               both           dF/dparams = g_0;  dF/dlr_j = -sum_to_lr_shape(u_j g_{j+1})
//               'implicit'     x with (I + H_s(t_k) / lambda) x = grad L_q(t_k) (implicit_gradient.h)
// Memory per task: at most one parameter copy per step, kept only where the backward needs it,
// never the unrolled graph. Means over tasks are summed in task order (thread-count independent).
//
// Support and query sets of other shapes need two recordings of the loss: query_program then gives
// L_q, its gradient and the extra outputs; the program itself drives the inner loop and the HVPs.
// Both take the same parameter list (validate_inner_loop).
//
// To add an update rule: update_rule.h. To add a backward: OuterGradient, validate.cpp's
// combinations, and TaskRunner's query stage and backward_step in inner_loop.cpp.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "autodiff/program.h"
#include "engine/implicit_gradient.h"
#include "engine/step_data.h"
#include "engine/update_rule.h"

namespace ml {

enum class OuterGradient { None, FirstOrder, Exact, Implicit };

const char* outer_gradient_name(OuterGradient g);

struct InnerLoopTask {
  std::vector<Tensor> support;               // the program's data inputs
  std::optional<std::vector<Tensor>> query;  // the query program's data inputs; all tasks or none
};

struct InnerLoopRequest {
  std::string label = "innerLoop";  // prefixes every error message ('metaGradient', 'adaptBatch', ...)
  size_t num_params = 0;
  std::vector<Tensor> params;  // t_0
  std::vector<InnerLoopTask> tasks;
  int64_t steps = 0;
  UpdateRule update;
  std::optional<std::vector<size_t>> adapts;  // the parameters that adapt; none: all
  double proximal = 0;                        // lambda pulling t_j toward t_0
  OuterGradient outer_gradient = OuterGradient::None;
  std::optional<ImplicitSettings> implicit;   // with OuterGradient::Implicit only
  std::vector<double> step_weights;           // w_0 .. w_k; empty: [0, ..., 0, 1]
  bool lr_grads = false;                      // also dF/dlr ('first-order', 'exact')
  StepData step_data;                         // a per-step data input (disabled by default)
  bool return_adapted = false;                // also t_k per task and their mean
  bool support_outputs = false;               // also support outputs[1..] at t_0..t_{k-1}
  int num_threads = 1;
  std::shared_ptr<const Program> query_program;  // null: the query loss is the same program
};

struct InnerLoopResult {
  double loss = 0;                                   // mean over tasks of F (0 without query data)
  std::vector<std::vector<double>> support_losses;   // per task: L_s(t_j), j = 0 .. k-1
  std::vector<double> query_losses;                  // per task: L_q(t_k) (with query data)
  std::vector<std::vector<Tensor>> query_outputs;    // per task: query outputs[1..] at t_k (with query data)
  std::vector<std::vector<std::vector<Tensor>>> support_outputs;  // per task, per step j < k (when asked)
  std::vector<Tensor> grads;                         // mean dF/dparams ('first-order', 'exact')
  std::vector<std::vector<Tensor>> lr_grads;         // mean dF/drates, shaped like update.rates (when asked)
  std::vector<std::vector<Tensor>> adapted;          // per task: t_k (when return_adapted)
  std::vector<Tensor> mean_adapted;                  // mean over tasks of t_k (when return_adapted)
  std::vector<Tensor> implicit_grads;                // mean over tasks of x ('implicit')
};

// Validates the request against the program (ml::Error prefixed with the label), then runs it.
InnerLoopResult inner_loop(const Program& program, const InnerLoopRequest& request);

// The checks inner_loop starts with (validate.cpp): counts, shapes and dtypes of what the request
// hands in, the settings, and which combinations are implemented; ml::Error (Value unless said)
// prefixed with the label. Returns the query program: request.query_program when given (it must
// take the support program's parameter list: shapes (Shape), dtypes (DType), a scalar loss as
// output 0 (Shape)), else the support program itself.
const Program& validate_inner_loop(const Program& support, const InnerLoopRequest& request);

}  // namespace ml
