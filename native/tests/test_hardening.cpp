// Issue 12: sizes computed from caller-controlled dims never overflow or hang, every op is
// defined on zero-sized dims, and an allocation that fails is an OutOfMemory error that leaves
// the allocator's counters as they were.
#include <cstdint>
#include <limits>

#include "autodiff/program.h"
#include "core/allocator.h"
#include "core/shape.h"
#include "ops/ops.h"
#include "test_framework.h"
#include "test_helpers.h"

using namespace ml;
using ml_test::make;
using ml_test::values_of;

namespace {

Tensor empty_of(const Shape& shape) { return Tensor::zeros(DType::F64, shape); }

bool all_zero(const Tensor& t) {
  for (double v : values_of(t))
    if (v != 0) return false;
  return true;
}

}  // namespace

// --- checked size arithmetic ---

ML_TEST(shape_numel_is_zero_for_an_empty_shape_whatever_the_other_dims) {
  const int64_t big = int64_t(1) << 40;
  ML_CHECK(shape_numel({big, big, 0}) == 0);  // the product of the others overflows int64
  ML_CHECK(shape_numel({0, big, big}) == 0);
  ML_CHECK(shape_numel({}) == 1);
  ML_CHECK(shape_numel({3, 4}) == 12);
}

ML_TEST(shape_numel_overflow_and_negative_dims_are_shape_errors) {
  const int64_t big = int64_t(1) << 40;
  ML_CHECK_THROWS(shape_numel({big, big}), ErrorKind::Shape);
  ML_CHECK_THROWS(shape_numel({2, -1}), ErrorKind::Shape);
  ML_CHECK_THROWS(checked_mul(std::numeric_limits<int64_t>::max(), 2, "test"), ErrorKind::Shape);
  ML_CHECK_THROWS(checked_add(std::numeric_limits<int64_t>::max(), 1, "test"), ErrorKind::Shape);
  ML_CHECK(checked_mul(int64_t(1) << 31, int64_t(1) << 31, "test") == int64_t(1) << 62);
}

ML_TEST(contiguous_strides_of_an_empty_shape_do_not_overflow) {
  const int64_t big = int64_t(1) << 40;
  std::vector<int64_t> strides = contiguous_strides({0, big, big});
  ML_CHECK(strides.size() == 3);
  ML_CHECK(contiguous_strides({2, 3, 4}) == std::vector<int64_t>({12, 4, 1}));
}

// The repro (a segfault before): x [1,1,1,1], w [0,1,65536,65536], padding 65535
// makes a 65536x65536 output plane whose im2col does not fit the GEMM's int indices.
ML_TEST(conv2d_im2col_overflow_is_a_shape_error) {
  Tensor x = make({1}, {1, 1, 1, 1});
  Tensor w = empty_of({0, 1, 65536, 65536});
  ML_CHECK_THROWS(ops::conv2d(x, w, {1, 1}, {65535, 65535}), ErrorKind::Shape);
  Tensor g = empty_of({1, 0, 65536, 65536});
  ML_CHECK_THROWS(ops::conv2d_backward_input(g, w, {1, 1}, {65535, 65535}, {1, 1, 1, 1}), ErrorKind::Shape);
  ML_CHECK_THROWS(ops::conv2d_backward_weight(x, g, {1, 1}, {65535, 65535}, {0, 1, 65536, 65536}), ErrorKind::Shape);
}

ML_TEST(conv2d_padding_overflow_is_a_shape_error) {
  const int64_t huge = std::numeric_limits<int64_t>::max() / 2;
  Tensor x = make({1}, {1, 1, 1, 1});
  Tensor w = make({1}, {1, 1, 1, 1});
  ML_CHECK_THROWS(ops::conv2d(x, w, {1, 1}, {huge, 0}), ErrorKind::Shape);
}

ML_TEST(matmul_above_the_gemm_index_limit_is_a_shape_error) {
  // [2^31, 0] x [0, 1]: an empty operand, but a row count the GEMM's int cannot hold.
  Tensor a = empty_of({int64_t(1) << 31, 0});
  Tensor b = empty_of({0, 1});
  ML_CHECK_THROWS(ops::matmul(a, b, false, false), ErrorKind::Shape);
}

// --- zero-sized dims: an empty result or zeros, promptly ---

// Before: N = 2^40 images of nothing looped 2^40 times through im2col (a hang).
ML_TEST(conv2d_on_an_empty_input_with_many_images_returns_at_once) {
  const int64_t many = int64_t(1) << 40;
  Tensor x = empty_of({many, 1, 0, 4});
  Tensor w = empty_of({0, 1, 1, 1});
  Tensor out = ops::conv2d(x, w, {1, 1}, {1, 0});
  ML_CHECK(out.shape() == Shape({many, 0, 2, 4}));
  ML_CHECK(out.numel() == 0);
}

ML_TEST(conv2d_with_an_empty_operand_is_zeros) {
  // No input channels: every output is an empty sum.
  Tensor out = ops::conv2d(empty_of({2, 0, 3, 3}), empty_of({4, 0, 2, 2}), {1, 1}, {0, 0});
  ML_CHECK(out.shape() == Shape({2, 4, 2, 2}));
  ML_CHECK(all_zero(out));
  // An image of height 0 padded to 2: every tap reads padding.
  Tensor padded = ops::conv2d(empty_of({1, 1, 0, 2}), make({1, 1}, {1, 1, 1, 2}), {1, 1}, {1, 0});
  ML_CHECK(padded.shape() == Shape({1, 1, 2, 1}));
  ML_CHECK(all_zero(padded));
  Tensor dx = ops::conv2d_backward_input(empty_of({1, 1, 2, 1}), make({1, 1}, {1, 1, 1, 2}), {1, 1}, {1, 0},
                                         {1, 1, 0, 2});
  ML_CHECK(dx.shape() == Shape({1, 1, 0, 2}));
  Tensor dw = ops::conv2d_backward_weight(empty_of({1, 1, 0, 2}), make({5, 7}, {1, 1, 2, 1}), {1, 1}, {1, 0},
                                          {1, 1, 1, 2});
  ML_CHECK(dw.shape() == Shape({1, 1, 1, 2}));
  ML_CHECK(all_zero(dw));
}

ML_TEST(pooling_on_zero_images_is_empty) {
  Tensor x = empty_of({0, 3, 4, 4});
  ML_CHECK(ops::max_pool2d(x, {2, 2}, {2, 2}).shape() == Shape({0, 3, 2, 2}));
  ML_CHECK(ops::max_pool2d_select(x, x, {2, 2}, {2, 2}).shape() == Shape({0, 3, 2, 2}));
  ML_CHECK(ops::max_pool2d_scatter(x, empty_of({0, 3, 2, 2}), {2, 2}, {2, 2}).shape() == Shape({0, 3, 4, 4}));
  ML_CHECK_THROWS(ops::max_pool2d(empty_of({1, 1, 0, 4}), {2, 2}, {2, 2}), ErrorKind::Shape);
}

ML_TEST(concat_and_slice_of_nothing_with_huge_outer_dims_return_at_once) {
  const int64_t big = int64_t(1) << 40;
  Tensor x = empty_of({big, 0});
  ML_CHECK(ops::concat({x, x}, 1).shape() == Shape({big, 0}));
  ML_CHECK(ops::slice(empty_of({big, 3, 0}), 1, 1, 2).shape() == Shape({big, 1, 0}));
}

ML_TEST(every_op_is_defined_on_zero_sized_dims) {
  Tensor e = empty_of({0, 3});
  ML_CHECK(ops::matmul(e, empty_of({3, 2}), false, false).shape() == Shape({0, 2}));
  Tensor inner_empty = ops::matmul(empty_of({2, 0}), empty_of({0, 3}), false, false);
  ML_CHECK(inner_empty.shape() == Shape({2, 3}));
  ML_CHECK(all_zero(inner_empty));
  ML_CHECK(ops::add(e, make({1, 2, 3}, {3})).shape() == Shape({0, 3}));
  ML_CHECK(ops::exp(e).numel() == 0);
  ML_CHECK(ops::mul_scalar(e, 2).numel() == 0);
  Tensor s = ops::sum(e, {0}, false);
  ML_CHECK(s.shape() == Shape({3}));
  ML_CHECK(all_zero(s));
  ML_CHECK(ops::broadcast_to(empty_of({0, 1}), {0, 5}).shape() == Shape({0, 5}));
  ML_CHECK(ops::reshape(e, {3, 0}).shape() == Shape({3, 0}));
  ML_CHECK(ops::softmax(e).numel() == 0);
  ML_CHECK(ops::log_softmax(empty_of({3, 0})).numel() == 0);
  ML_CHECK(ops::squared_euclidean(e, empty_of({4, 3})).shape() == Shape({0, 4}));
  Tensor d = ops::squared_euclidean(empty_of({2, 0}), empty_of({4, 0}));
  ML_CHECK(d.shape() == Shape({2, 4}));
  ML_CHECK(all_zero(d));
  ML_CHECK(ops::one_hot(empty_of({0}), 5).shape() == Shape({0, 5}));
}

// vjp / jvp / hvp through a program on an empty batch: the loss is an empty sum (0) and the
// gradients are zeros of the parameters' shapes.
ML_TEST(program_derivatives_on_an_empty_batch) {
  Attrs sum_all;
  sum_all.axes = {0, 1};
  std::vector<ProgramInput> inputs = {{{3, 2}, DType::F64}, {{0, 3}, DType::F64}};
  std::vector<ProgramNode> nodes = {
      ProgramNode{Prim::Matmul, {1, 0}, {}, {0, 2}, DType::F64},     // 2: x w
      ProgramNode{Prim::Square, {2}, {}, {0, 2}, DType::F64},        // 3
      ProgramNode{Prim::Sum, {3}, sum_all, {}, DType::F64},          // 4: loss
  };
  Program p(inputs, nodes, {4});
  Tensor w = make({1, 2, 3, 4, 5, 6}, {3, 2});
  Tensor x = empty_of({0, 3});
  ML_CHECK(values_of(p.run({w, x})[0]) == std::vector<double>({0.0}));
  VjpResult v = p.vjp({w, x}, {make({1}, {})}, {0, 1});
  ML_CHECK(v.grads[0].shape() == Shape({3, 2}) && all_zero(v.grads[0]));
  ML_CHECK(v.grads[1].shape() == Shape({0, 3}));
  JvpResult j = p.jvp({w, x}, {w, Tensor()});
  ML_CHECK(all_zero(j.tangents[0]));
  HvpResult h = p.hvp({w, x}, {w, Tensor()}, {make({1}, {})}, {0});
  ML_CHECK(h.grad_tangents[0].shape() == Shape({3, 2}) && all_zero(h.grad_tangents[0]));
}

// --- out of memory ---

ML_TEST(a_failed_huge_allocation_is_out_of_memory_and_leaves_the_counters_unchanged) {
  BlockBytes before = block_bytes();
  for (size_t bytes : {std::numeric_limits<size_t>::max(), std::numeric_limits<size_t>::max() - 100,
                       max_block_bytes() + 1}) {
    bool thrown = false;
    try {
      acquire_block(bytes, "a test block");
    } catch (const Error& e) {
      thrown = true;
      ML_CHECK(e.kind() == ErrorKind::OutOfMemory);
      ML_CHECK(std::string(e.what()).find("a test block") != std::string::npos);
      ML_CHECK(std::string(e.what()).find(std::to_string(bytes)) != std::string::npos);
    }
    ML_CHECK(thrown);
  }
  BlockBytes after = block_bytes();
  ML_CHECK(after.live_requested == before.live_requested);
  ML_CHECK(after.live_held == before.live_held);
  ML_CHECK(after.peak_requested == before.peak_requested);
  ML_CHECK(after.peak_held == before.peak_held);
}
