#pragma once
// Walking an output shape with per-operand strides (0 on broadcast axes), as elementwise
// broadcasting, broadcast_to and sum over axes all do.
//
// collapse_axes merges neighbouring axes that every operand walks the same way (both
// contiguous with each other, or both broadcast), so [N,C,H,W] against a per-channel [1,C,1,1]
// becomes [N, C, H*W] with a long inner axis instead of an inner loop of W = 3..28 elements.
// That turns batch norm's elementwise ops from odometer-bound into streaming loops.
#include <cstdint>
#include <vector>

#include "core/shape.h"

namespace ml::cpu {

struct StridedLayout {
  std::vector<int64_t> shape;                 // collapsed output shape (rank >= 1)
  std::vector<std::vector<int64_t>> strides;  // per operand, per collapsed axis
};

// shape: the output shape; strides[k]: operand k's strides over it (same rank).
inline StridedLayout collapse_axes(const Shape& shape, const std::vector<std::vector<int64_t>>& strides) {
  StridedLayout out;
  out.strides.resize(strides.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;  // size-1 axes do not move any pointer
    bool merge = !out.shape.empty();
    for (size_t k = 0; merge && k < strides.size(); ++k)
      merge = out.strides[k].back() == strides[k][d] * shape[d];
    if (merge) {
      out.shape.back() *= shape[d];
      for (size_t k = 0; k < strides.size(); ++k) out.strides[k].back() = strides[k][d];
    } else {
      out.shape.push_back(shape[d]);
      for (size_t k = 0; k < strides.size(); ++k) out.strides[k].push_back(strides[k][d]);
    }
  }
  if (out.shape.empty()) {
    out.shape.push_back(1);
    for (auto& s : out.strides) s.push_back(0);
  }
  return out;
}

// Calls row(offsets, inner) once per run of the last collapsed axis, in output order;
// offsets[k] is operand k's element offset at the start of the run.
template <size_t K, class Row>
void for_each_row(const StridedLayout& layout, Row row) {
  const int64_t rank = static_cast<int64_t>(layout.shape.size());
  const int64_t inner = layout.shape[rank - 1];
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < rank; ++d) rows *= layout.shape[d];
  std::vector<int64_t> index(rank, 0);
  int64_t offsets[K] = {};
  for (int64_t r = 0; r < rows; ++r) {
    row(offsets, inner);
    for (int64_t d = rank - 2; d >= 0; --d) {
      ++index[d];
      for (size_t k = 0; k < K; ++k) offsets[k] += layout.strides[k][d];
      if (index[d] < layout.shape[d]) break;
      for (size_t k = 0; k < K; ++k) offsets[k] -= layout.strides[k][d] * layout.shape[d];
      index[d] = 0;
    }
  }
}

}  // namespace ml::cpu
