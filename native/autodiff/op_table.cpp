#include "autodiff/op_table.h"

#include <array>

#include "core/error.h"

namespace ml {
namespace {

constexpr size_t kPrimCount = static_cast<size_t>(Prim::Count);

// Every family's rows indexed by Prim; a primitive with no row or two rows is an internal error.
std::array<const OpDef*, kPrimCount> build_index() {
  std::array<const OpDef*, kPrimCount> index{};
  for (OpFamily family : {elementwise_ops(), matmul_ops(), reduce_ops(), shape_ops(), softmax_ops(), conv_ops(),
                          pool_ops(), distance_ops(), one_hot_ops()})
    for (size_t i = 0; i < family.count; ++i) {
      const OpDef& row = family.rows[i];
      size_t p = static_cast<size_t>(row.prim);
      if (p >= kPrimCount || index[p] != nullptr)
        fail(ErrorKind::Internal, std::string("op table: duplicate or invalid row ") + row.name);
      index[p] = &row;
    }
  for (size_t p = 0; p < kPrimCount; ++p)
    if (index[p] == nullptr) fail(ErrorKind::Internal, "op table: no row for primitive id " + std::to_string(p));
  return index;
}

const std::array<const OpDef*, kPrimCount>& index() {
  static const std::array<const OpDef*, kPrimCount> rows = build_index();
  return rows;
}

}  // namespace

const OpDef& op_def(Prim prim) {
  size_t p = static_cast<size_t>(prim);
  if (p >= kPrimCount) fail(ErrorKind::Internal, "unknown primitive id");
  return *index()[p];
}

const OpDef* find_op(const std::string& name) {
  for (const OpDef* row : index())
    if (name == row->name) return row;
  return nullptr;
}

const std::vector<const OpDef*>& all_ops() {
  static const std::vector<const OpDef*> rows(index().begin(), index().end());
  return rows;
}

bool prim_from_name(const std::string& name, Prim* out) {
  const OpDef* row = find_op(name);
  if (row) *out = row->prim;
  return row != nullptr;
}

const char* prim_name(Prim prim) { return op_def(prim).name; }
int prim_arity(Prim prim) { return op_def(prim).arity; }

void check_arity(Prim prim, size_t count) {
  int arity = prim_arity(prim);
  bool ok = arity < 0 ? count >= 1 : count == static_cast<size_t>(arity);
  if (!ok)
    fail(ErrorKind::Value, std::string(prim_name(prim)) + ": expects " +
                               (arity < 0 ? std::string("at least 1") : std::to_string(arity)) + " inputs, got " +
                               std::to_string(count));
}

Tensor prim_forward(Prim prim, const std::vector<Tensor>& x, const Attrs& a) {
  check_arity(prim, x.size());
  return op_def(prim).forward(x, a);
}

void prim_vjp(Prim prim, const std::vector<Dual>& x, const Dual& y, const Dual& g, const Attrs& a,
              const std::vector<bool>& need, std::vector<Dual>& grads) {
  grads.assign(x.size(), Dual{});
  op_def(prim).vjp(x, y, g, a, need, grads);
}

Tensor prim_jvp(Prim prim, const std::vector<Tensor>& x, const std::vector<Tensor>& t, const Tensor& y,
                const Attrs& a) {
  return op_def(prim).jvp(x, t, y, a);
}

}  // namespace ml
