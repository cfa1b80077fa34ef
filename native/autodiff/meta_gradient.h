// The meta-batch engine: the exact MAML-family meta-gradient of a whole meta-batch, tasks in
// parallel across threads (lib/backend/types.ts MetaGradientRequest; DESIGN.md "The one idea").
// The program's inputs are [params..., data...]; its output 0 is the scalar loss. Per task,
// with t_0 = params:
//   t_{j+1} = t_j - lr_j * grad L(t_j; support)                  j = 0 .. k-1
//   F = sum_j w_j L(t_j; query)
//   g_k = w_k grad L_q(t_k);  g_j = g_{j+1} - H_s(t_j)(lr_j * g_{j+1}) + w_j grad L_q(t_j)
//   dF/dparams = g_0;  dF/dlr_j = -grad L_s(t_j) * g_{j+1} (summed to lr_j's shape)
// Order 1 drops the Hessian term. Memory per task: at most one parameter copy per step (t_j at
// order 2; at order 1 only what lr gradients or nonzero step weights need), never the unrolled
// graph; grad L_s(t_j) for dF/dlr_j comes again from the HVP at order 2.
//
// step_data: MAML++'s per-step batch norm (meta_batch.h StepData).
//
// Support and query sets of other shapes need two recordings of the loss: then query_program
// gives L_q and grad L_q (and the extra outputs), the program itself drives the inner loop
// (gradients, HVPs). Both take the same parameter list (meta_batch.h query_program_of).
#pragma once
#include <memory>
#include <vector>

#include "autodiff/meta_batch.h"
#include "autodiff/program.h"

namespace ml {

struct MetaTask {
  std::vector<Tensor> support, query;  // the data inputs of the support and of the query program
};

struct MetaGradientRequest {
  size_t num_params = 0;
  std::vector<Tensor> params;
  std::vector<MetaTask> tasks;
  int64_t steps = 0;
  // inner_lr[j][i]: shape [] or params[i]'s shape; steps entries, or 1 shared by every step.
  std::vector<std::vector<Tensor>> inner_lr;
  int order = 2;
  std::vector<double> step_weights;  // w_0 .. w_k; empty: [0, ..., 0, 1]
  bool lr_grads = false;
  int num_threads = 1;
  std::shared_ptr<const Program> query_program;  // null: the query loss is the same program
  StepData step_data;                            // a per-step data input (disabled by default)
  bool support_outputs = false;                  // also return support outputs[1..] at t_0..t_{k-1}
};

struct MetaGradientResult {
  double loss = 0;                                   // mean over tasks of F
  std::vector<double> query_losses;                  // per task: L(t_k; query)
  std::vector<Tensor> grads;                         // mean dF/dparams
  std::vector<std::vector<Tensor>> lr_grads;         // mean dF/dinner_lr, shaped like inner_lr (when asked)
  std::vector<std::vector<Tensor>> query_outputs;    // per task: outputs[1..] at t_k on the query data
  // per task, per step j < k: the support program's outputs[1..] at t_j (when support_outputs)
  std::vector<std::vector<std::vector<Tensor>>> support_outputs;
};

// Validates the request against the program (ml::Error naming what is wrong), then runs it.
MetaGradientResult meta_gradient(const Program& program, const MetaGradientRequest& request);

}  // namespace ml
