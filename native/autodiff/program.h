// A recorded straight-line program of primitives (lib/backend/types.ts ProgramSpec), parsed
// once and then evaluated and differentiated for new inputs. Immutable after construction and
// free of global state: one Program may run on many threads at once.
//
// Value ids: program inputs first (0 .. inputs-1), then node j's output is inputs + j.
#pragma once
#include <vector>

#include "autodiff/dual.h"

namespace ml {

struct ProgramInput {
  Shape shape;
  DType dtype;
};

struct ProgramNode {
  Prim op;
  std::vector<int64_t> inputs;  // value ids
  Attrs attrs;
  Shape shape;  // declared output shape and dtype (checked at run time)
  DType dtype;
};

struct VjpResult {
  std::vector<Tensor> outputs, grads;
};
struct JvpResult {
  std::vector<Tensor> outputs, tangents;
};
struct HvpResult {
  std::vector<Tensor> outputs, grads, grad_tangents;
};

class Program {
 public:
  // Validates ids, arities and shapes; throws ml::Error naming the node.
  Program(std::vector<ProgramInput> inputs, std::vector<ProgramNode> nodes, std::vector<int64_t> outputs);

  size_t num_inputs() const { return inputs_.size(); }
  size_t num_outputs() const { return outputs_.size(); }
  const ProgramInput& input(size_t i) const { return inputs_[i]; }
  const Shape& value_shape(int64_t id) const;
  int64_t output_id(size_t k) const { return outputs_[k]; }

  std::vector<Tensor> run(const std::vector<Tensor>& inputs) const;
  // cotangents: one per output, undefined = zero. grads: one per wrt id (zeros when unreachable).
  VjpResult vjp(const std::vector<Tensor>& inputs, const std::vector<Tensor>& cotangents,
                const std::vector<int64_t>& wrt) const;
  // tangents: one per input, undefined = zero. Output tangents are zeros when unreachable.
  JvpResult jvp(const std::vector<Tensor>& inputs, const std::vector<Tensor>& tangents) const;
  // vjp plus the tangents of those gradients along the input tangents (H v for a scalar loss).
  HvpResult hvp(const std::vector<Tensor>& inputs, const std::vector<Tensor>& tangents,
                const std::vector<Tensor>& cotangents, const std::vector<int64_t>& wrt) const;

 private:
  void check_inputs(const std::vector<Tensor>& inputs, const char* what) const;
  void check_per_value(const std::vector<Tensor>& tensors, const std::vector<int64_t>& ids, const char* what) const;
  void check_wrt(const std::vector<int64_t>& wrt) const;
  // All values (inputs then node outputs), with tangents when the inputs carry them.
  std::vector<Dual> forward(std::vector<Dual> values) const;
  // Cotangents of every value reached from the outputs, restricted to what wrt depends on.
  std::vector<Dual> reverse(const std::vector<Dual>& values, const std::vector<Tensor>& cotangents,
                            const std::vector<int64_t>& wrt) const;

  std::vector<ProgramInput> inputs_;
  std::vector<ProgramNode> nodes_;
  std::vector<int64_t> outputs_;
};

}  // namespace ml
