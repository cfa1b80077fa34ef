// Forward kernels against small hand-computed values, float32 and float64.
#include <cmath>

#include "ops/ops.h"
#include "test_framework.h"
#include "test_helpers.h"

using namespace ml;
using ml_test::make;
using ml_test::values_of;

namespace {

void check_values(const Tensor& t, const std::vector<double>& expected, double tol = 1e-12) {
  std::vector<double> v = values_of(t);
  ML_CHECK(v.size() == expected.size());
  for (size_t i = 0; i < v.size() && i < expected.size(); ++i) ML_CHECK_NEAR(v[i], expected[i], tol);
}

}  // namespace

ML_TEST(matmul_forward_all_transposes) {
  for (DType dt : {DType::F32, DType::F64}) {
    Tensor a = make({1, 2, 3, 4, 5, 6}, {2, 3}, dt);     // [[1,2,3],[4,5,6]]
    Tensor b = make({1, 0, 0, 1, 1, 1}, {3, 2}, dt);     // [[1,0],[0,1],[1,1]]
    check_values(ops::matmul(a, b, false, false), {4, 5, 10, 11}, 1e-6);
    Tensor at = make({1, 4, 2, 5, 3, 6}, {3, 2}, dt);    // a^T stored
    Tensor bt = make({1, 0, 1, 0, 1, 1}, {2, 3}, dt);    // b^T stored
    check_values(ops::matmul(at, b, true, false), {4, 5, 10, 11}, 1e-6);
    check_values(ops::matmul(a, bt, false, true), {4, 5, 10, 11}, 1e-6);
    check_values(ops::matmul(at, bt, true, true), {4, 5, 10, 11}, 1e-6);
    ML_CHECK(ops::matmul(a, b, false, false).dtype() == dt);
  }
}

ML_TEST(binary_broadcasting) {
  Tensor a = make({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor row = make({10, 20, 30}, {3});
  Tensor col = make({100, 200}, {2, 1});
  check_values(ops::add(a, row), {11, 22, 33, 14, 25, 36});
  check_values(ops::sub(a, col), {-99, -98, -97, -196, -195, -194});
  check_values(ops::mul(col, row), {1000, 2000, 3000, 2000, 4000, 6000});
  check_values(ops::div(a, make({2}, {})), {0.5, 1, 1.5, 2, 2.5, 3});
  ML_CHECK(ops::mul(col, row).shape() == (Shape{2, 3}));
  // [2,1,3] with [4,1] -> [2,4,3]
  Tensor c = ops::add(make({0, 1, 2, 3, 4, 5}, {2, 1, 3}), make({0, 10, 20, 30}, {4, 1}));
  ML_CHECK(c.shape() == (Shape{2, 4, 3}));
  ML_CHECK_NEAR(values_of(c)[1 * 12 + 2 * 3 + 1], 4 + 20, 0);
}

ML_TEST(unary_and_scalar_values) {
  Tensor x = make({-2, 0, 0.5}, {3});
  check_values(ops::neg(x), {2, 0, -0.5});
  check_values(ops::exp(x), {std::exp(-2.0), 1, std::exp(0.5)});
  check_values(ops::square(x), {4, 0, 0.25});
  check_values(ops::relu(x), {0, 0, 0.5});
  check_values(ops::abs(x), {2, 0, 0.5});
  check_values(ops::tanh(x), {std::tanh(-2.0), 0, std::tanh(0.5)});
  check_values(ops::sigmoid(x), {1 / (1 + std::exp(2.0)), 0.5, 1 / (1 + std::exp(-0.5))});
  check_values(ops::softplus(x), {std::log(1 + std::exp(-2.0)), std::log(2.0), std::log(1 + std::exp(0.5))});
  check_values(ops::log(make({1, std::exp(2.0)}, {2})), {0, 2});
  check_values(ops::sqrt(make({4, 9}, {2})), {2, 3});
  check_values(ops::add_scalar(x, 1), {-1, 1, 1.5});
  check_values(ops::mul_scalar(x, 3), {-6, 0, 1.5});
  check_values(ops::pow_scalar(make({2, 3}, {2}), 3), {8, 27});
  check_values(ops::pow_scalar(make({4}, {1}), 0.5), {2});
  check_values(ops::relu_mask(x, make({7, 8, 9}, {3})), {0, 0, 9});
}

ML_TEST(softplus_is_stable_for_large_inputs) {
  Tensor y = ops::softplus(make({1000, -1000}, {2}, DType::F32));
  check_values(y, {1000, 0}, 1e-3);
}

ML_TEST(sum_and_broadcast) {
  Tensor x = make({1, 2, 3, 4, 5, 6}, {2, 3});
  check_values(ops::sum(x, {0}, false), {5, 7, 9});
  check_values(ops::sum(x, {1}, true), {6, 15});
  ML_CHECK(ops::sum(x, {1}, true).shape() == (Shape{2, 1}));
  check_values(ops::sum(x, {0, 1}, false), {21});
  ML_CHECK(ops::sum(x, {0, 1}, false).shape().empty());
  check_values(ops::sum(x, {}, false), {1, 2, 3, 4, 5, 6});
  check_values(ops::broadcast_to(make({1, 2}, {2, 1}), {2, 3}), {1, 1, 1, 2, 2, 2});
  check_values(ops::sum_to(make({1, 2, 3, 4, 5, 6}, {2, 3}), {3}), {5, 7, 9});
}

ML_TEST(concat_slice_reshape) {
  Tensor a = make({1, 2, 3, 4}, {2, 2});
  Tensor b = make({5, 6}, {2, 1});
  check_values(ops::concat({a, b}, 1), {1, 2, 5, 3, 4, 6});
  check_values(ops::concat({a, make({7, 8}, {1, 2})}, 0), {1, 2, 3, 4, 7, 8});
  check_values(ops::slice(make({1, 2, 3, 4, 5, 6}, {2, 3}), 1, 1, 3), {2, 3, 5, 6});
  ML_CHECK(ops::reshape(a, {4}).shape() == (Shape{4}));
}

ML_TEST(softmax_and_log_softmax) {
  Tensor x = make({1, 2, 3, 0, 0, 0}, {2, 3});
  double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  check_values(ops::softmax(x), {std::exp(1.0) / z, std::exp(2.0) / z, std::exp(3.0) / z, 1. / 3, 1. / 3, 1. / 3});
  check_values(ops::log_softmax(x), {1 - std::log(z), 2 - std::log(z), 3 - std::log(z), -std::log(3.0),
                                     -std::log(3.0), -std::log(3.0)});
  // Max-subtraction: no overflow.
  check_values(ops::softmax(make({1000, 1000}, {1, 2}, DType::F32)), {0.5, 0.5}, 1e-6);
}

ML_TEST(conv2d_by_hand) {
  // x [1,1,3,3] = 1..9, w [1,1,2,2] = [[1,0],[0,1]] -> out[i,j] = x[i,j] + x[i+1,j+1]
  Tensor x = make({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  Tensor w = make({1, 0, 0, 1}, {1, 1, 2, 2});
  check_values(ops::conv2d(x, w, {1, 1}, {0, 0}), {6, 8, 12, 14});
  // padding 1, stride 2: out [1,1,2,2]; windows start at (-1,-1), (-1,1), (1,-1), (1,1)
  check_values(ops::conv2d(x, w, {2, 2}, {1, 1}), {1, 3 + 0, 7, 9 + 5});
  // Backward ops are the adjoints: <g, conv(x,w)> = <bi(g,w), x> = <bw(x,g), w>
  Tensor g = make({1, -1, 2, 0.5}, {1, 1, 2, 2});
  Tensor y = ops::conv2d(x, w, {1, 1}, {0, 0});
  double lhs = ml_test::dot(g, y);
  ML_CHECK_NEAR(ml_test::dot(ops::conv2d_backward_input(g, w, {1, 1}, {0, 0}, x.shape()), x), lhs, 1e-12);
  ML_CHECK_NEAR(ml_test::dot(ops::conv2d_backward_weight(x, g, {1, 1}, {0, 0}, w.shape()), w), lhs, 1e-12);
}

ML_TEST(max_pool_ties_pick_first) {
  // One 2x2 window, all equal: the first (top-left) position wins.
  Tensor x = make({1, 1, 1, 1, 5, 2, 3, 5}, {1, 2, 2, 2});
  check_values(ops::max_pool2d(x, {2, 2}, {2, 2}), {1, 5});
  check_values(ops::max_pool2d_scatter(x, make({10, 20}, {1, 2, 1, 1}), {2, 2}, {2, 2}), {10, 0, 0, 0, 20, 0, 0, 0});
  check_values(ops::max_pool2d_select(x, make({1, 2, 3, 4, 5, 6, 7, 8}, {1, 2, 2, 2}), {2, 2}, {2, 2}), {1, 5});
}

ML_TEST(squared_euclidean_and_one_hot) {
  Tensor a = make({0, 0, 1, 1}, {2, 2});
  Tensor b = make({1, 0, 3, 4, 0, 0}, {3, 2});
  check_values(ops::squared_euclidean(a, b), {1, 25, 0, 1, 13, 2}, 1e-12);
  // Identical rows: clamped to >= 0 even with rounding.
  Tensor c = make({0.1f, 0.7f, 0.3f}, {1, 3}, DType::F32);
  ML_CHECK(values_of(ops::squared_euclidean(c, c))[0] >= 0);
  check_values(ops::one_hot(make({2, 0}, {2}), 3), {0, 0, 1, 1, 0, 0});
}

ML_TEST(empty_tensors_do_not_crash) {
  Tensor e = Tensor::zeros(DType::F32, {0, 3});
  ML_CHECK(ops::exp(e).numel() == 0);
  ML_CHECK(ops::sum(e, {0}, false).shape() == (Shape{3}));
  ML_CHECK(ops::softmax(e).numel() == 0);
  ML_CHECK(ops::matmul(e, Tensor::zeros(DType::F32, {3, 2}), false, false).shape() == (Shape{0, 2}));
  check_values(ops::matmul(Tensor::zeros(DType::F64, {2, 0}), Tensor::zeros(DType::F64, {0, 2}), false, false),
               {0, 0, 0, 0});
}

ML_TEST(nan_propagates_without_crash) {
  Tensor x = make({NAN, 1}, {1, 2});
  ML_CHECK(std::isnan(values_of(ops::softmax(x))[0]));
  ML_CHECK(std::isnan(values_of(ops::squared_euclidean(x, x))[0]));
}
