#include "autodiff/program.h"

#include <string>

#include "autodiff/op_table.h"
#include "core/error.h"
#include "ops/ops.h"

namespace ml {
namespace {

std::string node_name(size_t j, Prim op) { return "program node " + std::to_string(j) + " (" + prim_name(op) + ")"; }

Tensor or_zeros(const Tensor& t, DType dtype, const Shape& shape) {
  return t.defined() ? t : Tensor::zeros(dtype, shape);
}

}  // namespace

Program::Program(std::vector<ProgramInput> inputs, std::vector<ProgramNode> nodes, std::vector<int64_t> outputs)
    : inputs_(std::move(inputs)), nodes_(std::move(nodes)), outputs_(std::move(outputs)) {
  for (const ProgramInput& in : inputs_) check_shape_valid(in.shape, "program input");
  for (size_t j = 0; j < nodes_.size(); ++j) {
    const ProgramNode& node = nodes_[j];
    check_arity(node.op, node.inputs.size());
    check_shape_valid(node.shape, "program node");
    int64_t limit = static_cast<int64_t>(inputs_.size() + j);
    for (int64_t id : node.inputs)
      if (id < 0 || id >= limit)
        fail(ErrorKind::Value, node_name(j, node.op) + ": input id " + std::to_string(id) + " must be in [0, " +
                                   std::to_string(limit) + ")");
  }
  int64_t total = static_cast<int64_t>(inputs_.size() + nodes_.size());
  for (int64_t id : outputs_)
    if (id < 0 || id >= total)
      fail(ErrorKind::Value, "program: output id " + std::to_string(id) + " must be in [0, " + std::to_string(total) + ")");
}

const Shape& Program::value_shape(int64_t id) const {
  size_t n = inputs_.size();
  return static_cast<size_t>(id) < n ? inputs_[id].shape : nodes_[id - n].shape;
}

void Program::check_inputs(const std::vector<Tensor>& inputs, const char* what) const {
  if (inputs.size() != inputs_.size())
    fail(ErrorKind::Value, std::string(what) + ": program takes " + std::to_string(inputs_.size()) + " inputs, got " +
                               std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) fail(ErrorKind::Value, std::string(what) + ": input " + std::to_string(i) + " is missing");
    if (inputs[i].dtype() != inputs_[i].dtype)
      fail(ErrorKind::DType, std::string(what) + ": input " + std::to_string(i) + " is " +
                                 dtype_name(inputs[i].dtype()) + ", the program expects " + dtype_name(inputs_[i].dtype));
    if (inputs[i].shape() != inputs_[i].shape)
      fail(ErrorKind::Shape, std::string(what) + ": input " + std::to_string(i) + " has shape " +
                                 shape_str(inputs[i].shape()) + ", the program expects " + shape_str(inputs_[i].shape));
  }
}

// tensors[k] (optional) must have the dtype and shape of value ids[k].
void Program::check_per_value(const std::vector<Tensor>& tensors, const std::vector<int64_t>& ids,
                              const char* what) const {
  if (tensors.size() != ids.size())
    fail(ErrorKind::Value, std::string(what) + ": expected " + std::to_string(ids.size()) + ", got " +
                               std::to_string(tensors.size()));
  for (size_t k = 0; k < tensors.size(); ++k) {
    if (!tensors[k].defined()) continue;
    int64_t id = ids[k];
    DType dtype = static_cast<size_t>(id) < inputs_.size() ? inputs_[id].dtype : nodes_[id - inputs_.size()].dtype;
    if (tensors[k].dtype() != dtype)
      fail(ErrorKind::DType, std::string(what) + " " + std::to_string(k) + " is " + dtype_name(tensors[k].dtype()) +
                                 ", expected " + dtype_name(dtype));
    if (tensors[k].shape() != value_shape(id))
      fail(ErrorKind::Shape, std::string(what) + " " + std::to_string(k) + " has shape " +
                                 shape_str(tensors[k].shape()) + ", expected " + shape_str(value_shape(id)));
  }
}

void Program::check_wrt(const std::vector<int64_t>& wrt) const {
  for (int64_t id : wrt)
    if (id < 0 || static_cast<size_t>(id) >= inputs_.size())
      fail(ErrorKind::Value, "program: wrt id " + std::to_string(id) + " must be an input id in [0, " +
                                 std::to_string(inputs_.size()) + ")");
}

std::vector<Dual> Program::forward(std::vector<Dual> values) const {
  values.reserve(inputs_.size() + nodes_.size());
  std::vector<Dual> args;
  for (size_t j = 0; j < nodes_.size(); ++j) {
    const ProgramNode& node = nodes_[j];
    args.clear();
    for (int64_t id : node.inputs) args.push_back(values[id]);
    Dual out;
    try {
      out = apply(node.op, args, node.attrs);
    } catch (const Error& e) {
      throw Error(e.kind(), node_name(j, node.op) + ": " + e.what());
    }
    if (out.value.shape() != node.shape || out.value.dtype() != node.dtype)
      fail(ErrorKind::Shape, node_name(j, node.op) + ": computed " + shape_str(out.value.shape()) + " " +
                                 dtype_name(out.value.dtype()) + " but the program declares " + shape_str(node.shape) +
                                 " " + dtype_name(node.dtype));
    values.push_back(std::move(out));
  }
  return values;
}

std::vector<Dual> Program::reverse(const std::vector<Dual>& values, const std::vector<Tensor>& cotangents,
                                   const std::vector<int64_t>& wrt) const {
  size_t n_in = inputs_.size();
  // needs[v]: value v depends on an input we differentiate with respect to.
  std::vector<bool> needs(values.size(), false);
  for (int64_t id : wrt) needs[id] = true;
  for (size_t j = 0; j < nodes_.size(); ++j)
    for (int64_t id : nodes_[j].inputs) needs[n_in + j] = needs[n_in + j] || needs[id];

  std::vector<Dual> cot(values.size());
  auto accumulate = [&](int64_t id, Dual g) {
    if (!g.value.defined()) return;
    cot[id] = cot[id].value.defined() ? dual::add(cot[id], g) : std::move(g);
  };
  for (size_t k = 0; k < outputs_.size(); ++k)
    if (cotangents[k].defined() && needs[outputs_[k]]) accumulate(outputs_[k], constant(cotangents[k]));

  std::vector<Dual> args, grads;
  std::vector<bool> need;
  for (size_t j = nodes_.size(); j-- > 0;) {
    size_t id = n_in + j;
    if (!cot[id].value.defined()) continue;
    const ProgramNode& node = nodes_[j];
    args.clear();
    need.clear();
    for (int64_t in : node.inputs) {
      args.push_back(values[in]);
      need.push_back(needs[in]);
    }
    try {
      prim_vjp(node.op, args, values[id], cot[id], node.attrs, need, grads);
    } catch (const Error& e) {
      throw Error(e.kind(), node_name(j, node.op) + " (reverse): " + e.what());
    }
    for (size_t i = 0; i < node.inputs.size(); ++i)
      if (need[i]) accumulate(node.inputs[i], std::move(grads[i]));
    cot[id] = Dual{};  // consumed: free it now rather than at the end
  }
  return cot;
}

std::vector<Tensor> Program::run(const std::vector<Tensor>& inputs) const {
  check_inputs(inputs, "run");
  std::vector<Dual> values;
  for (const Tensor& t : inputs) values.push_back(constant(t));
  values = forward(std::move(values));
  std::vector<Tensor> outs;
  for (int64_t id : outputs_) outs.push_back(values[id].value);
  return outs;
}

VjpResult Program::vjp(const std::vector<Tensor>& inputs, const std::vector<Tensor>& cotangents,
                       const std::vector<int64_t>& wrt) const {
  check_inputs(inputs, "vjp");
  check_per_value(cotangents, outputs_, "vjp: cotangent");
  check_wrt(wrt);
  std::vector<Dual> values;
  for (const Tensor& t : inputs) values.push_back(constant(t));
  values = forward(std::move(values));
  std::vector<Dual> cot = reverse(values, cotangents, wrt);
  VjpResult result;
  for (int64_t id : outputs_) result.outputs.push_back(values[id].value);
  for (int64_t id : wrt) result.grads.push_back(or_zeros(cot[id].value, inputs_[id].dtype, inputs_[id].shape));
  return result;
}

JvpResult Program::jvp(const std::vector<Tensor>& inputs, const std::vector<Tensor>& tangents) const {
  check_inputs(inputs, "jvp");
  std::vector<int64_t> input_ids;
  for (size_t i = 0; i < inputs_.size(); ++i) input_ids.push_back(static_cast<int64_t>(i));
  check_per_value(tangents, input_ids, "jvp: tangent");
  std::vector<Dual> values;
  for (size_t i = 0; i < inputs.size(); ++i) values.push_back(Dual{inputs[i], tangents[i]});
  values = forward(std::move(values));
  JvpResult result;
  for (int64_t id : outputs_) {
    result.outputs.push_back(values[id].value);
    result.tangents.push_back(or_zeros(values[id].tangent, values[id].value.dtype(), values[id].value.shape()));
  }
  return result;
}

HvpResult Program::hvp(const std::vector<Tensor>& inputs, const std::vector<Tensor>& tangents,
                       const std::vector<Tensor>& cotangents, const std::vector<int64_t>& wrt) const {
  check_inputs(inputs, "hvp");
  std::vector<int64_t> input_ids;
  for (size_t i = 0; i < inputs_.size(); ++i) input_ids.push_back(static_cast<int64_t>(i));
  check_per_value(tangents, input_ids, "hvp: tangent");
  check_per_value(cotangents, outputs_, "hvp: cotangent");
  check_wrt(wrt);
  std::vector<Dual> values;
  for (size_t i = 0; i < inputs.size(); ++i) values.push_back(Dual{inputs[i], tangents[i]});
  values = forward(std::move(values));
  std::vector<Dual> cot = reverse(values, cotangents, wrt);
  HvpResult result;
  for (int64_t id : outputs_) result.outputs.push_back(values[id].value);
  for (int64_t id : wrt) {
    result.grads.push_back(or_zeros(cot[id].value, inputs_[id].dtype, inputs_[id].shape));
    result.grad_tangents.push_back(or_zeros(cot[id].tangent, inputs_[id].dtype, inputs_[id].shape));
  }
  return result;
}

}  // namespace ml
