// Batched adaptation: the inner loop of every task of a meta-batch in one call, tasks in
// parallel across threads (lib/backend/types.ts AdaptBatchRequest). It serves the learners that
// need the adapted weights rather than the MAML meta-gradient: Reptile (SGD or Adam) and
// iMAML (proximal inner loop, then the implicit gradient by conjugate gradient).
// The program's inputs are [params..., data...]; its output 0 is the scalar loss. Per task,
// with t_0 = params and d_j = grad L(t_j; support) + proximal * (t_j - t_0):
//   SGD:  t_{j+1} = t_j - lr_j * d_j                                          j = 0 .. k-1
//   Adam: m = b1 m + (1-b1) d_j;  v = b2 v + (1-b2) d_j^2   (per task, from zeros)
//         t_{j+1} = t_j - lr_j * (m / (1-b1^(j+1))) / (sqrt(v / (1-b2^(j+1))) + eps)
// A parameter whose rate is zero at step j keeps its value. With query data, the query loss and
// outputs[1..] are reported at t_k; with the implicit gradient, x solves
//   (I + H_s(t_k) / lambda) x = grad L(t_k; query)
// by conjugate gradient on Hessian-vector products of the support loss (iMAML).
// Query sets of other shapes than the support sets need a second recording of the loss:
// query_program then gives the query loss, its gradient and outputs (same parameter list:
// meta_batch.h query_program_of); the program itself drives the inner loop and the HVPs.
#pragma once
#include <memory>
#include <vector>

#include "autodiff/meta_batch.h"
#include "autodiff/program.h"

namespace ml {

struct AdaptTask {
  std::vector<Tensor> support;  // the program's data inputs
  std::vector<Tensor> query;    // the query program's data inputs; empty: no query evaluation (all tasks alike)
};

struct AdamSettings {
  bool enabled = false;
  double beta1 = 0, beta2 = 0.999, epsilon = 1e-8;
};

struct ImplicitGradientSettings {
  bool enabled = false;
  double lambda = 1;      // (I + H / lambda)
  int64_t max_steps = 5;  // conjugate-gradient iterations at most
  double tolerance = 0;   // stop when |residual| <= tolerance |grad L_q|
};

struct AdaptBatchRequest {
  size_t num_params = 0;
  std::vector<Tensor> params;
  std::vector<AdaptTask> tasks;
  int64_t steps = 0;
  // inner_lr[j][i]: shape [] or params[i]'s shape; steps entries, or 1 shared by every step.
  std::vector<std::vector<Tensor>> inner_lr;
  double proximal = 0;  // iMAML's lambda pulling t_j toward t_0; 0: plain gradient
  AdamSettings adam;
  ImplicitGradientSettings implicit;
  int num_threads = 1;
  std::shared_ptr<const Program> query_program;  // null: the query loss is the same program
  StepData step_data;  // a per-step data input (meta_batch.h; the query stage and CG use values[k])
};

struct AdaptBatchResult {
  std::vector<std::vector<Tensor>> adapted;       // per task: t_k
  std::vector<Tensor> mean_adapted;               // mean over tasks of t_k (summed in task order)
  std::vector<std::vector<double>> support_losses;  // per task: L(t_j; support), j = 0 .. k-1
  std::vector<double> query_losses;               // per task: L(t_k; query) (with query data)
  std::vector<std::vector<Tensor>> query_outputs;  // per task: outputs[1..] at t_k (with query data)
  std::vector<Tensor> implicit_grads;             // mean over tasks of x (with the implicit gradient)
};

// Validates the request against the program (ml::Error naming what is wrong), then runs it.
AdaptBatchResult adapt_batch(const Program& program, const AdaptBatchRequest& request);

}  // namespace ml
