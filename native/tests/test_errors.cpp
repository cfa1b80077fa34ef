// Bad input throws ml::Error of the right kind, never crashes.
#include "autodiff/primitive.h"
#include "autodiff/program.h"
#include "ops/ops.h"
#include "test_framework.h"
#include "test_helpers.h"

using namespace ml;
using ml_test::make;

ML_TEST(shape_errors) {
  ML_CHECK_THROWS(ops::matmul(make({1, 2}, {1, 2}), make({1, 2}, {1, 2}), false, false), ErrorKind::Shape);
  ML_CHECK_THROWS(ops::matmul(make({1, 2}, {2}), make({1, 2}, {2, 1}), false, false), ErrorKind::Shape);
  ML_CHECK_THROWS(ops::add(make({1, 2}, {2}), make({1, 2, 3}, {3})), ErrorKind::Shape);
  ML_CHECK_THROWS(ops::relu_mask(make({1, 2}, {2}), make({1}, {1})), ErrorKind::Shape);
  ML_CHECK_THROWS(ops::reshape(make({1, 2}, {2}), {3}), ErrorKind::Shape);
  ML_CHECK_THROWS(ops::concat({make({1, 2}, {1, 2}), make({1, 2, 3}, {1, 3})}, 0), ErrorKind::Shape);
  ML_CHECK_THROWS(ops::conv2d(make({1}, {1, 1, 1, 1}), make({1, 1, 1, 1}, {1, 2, 1, 2}), {1, 1}, {0, 0}),
                  ErrorKind::Shape);
  ML_CHECK_THROWS(ops::max_pool2d(make({1}, {1, 1, 1, 1}), {2, 2}, {1, 1}), ErrorKind::Shape);
  ML_CHECK_THROWS(ops::squared_euclidean(make({1, 2}, {1, 2}), make({1, 2, 3}, {1, 3})), ErrorKind::Shape);
  ML_CHECK_THROWS(ops::broadcast_to(make({1, 2}, {2}), {3}), ErrorKind::Shape);
}

ML_TEST(dtype_errors) {
  ML_CHECK_THROWS(ops::add(make({1}, {1}, DType::F32), make({1}, {1}, DType::F64)), ErrorKind::DType);
  ML_CHECK_THROWS(ops::matmul(make({1}, {1, 1}, DType::F32), make({1}, {1, 1}, DType::F64), false, false),
                  ErrorKind::DType);
}

ML_TEST(value_errors) {
  ML_CHECK_THROWS(ops::one_hot(make({0, 3}, {2}), 3), ErrorKind::Value);
  ML_CHECK_THROWS(ops::one_hot(make({0.5}, {1}), 3), ErrorKind::Value);
  ML_CHECK_THROWS(ops::one_hot(make({-1}, {1}), 3), ErrorKind::Value);
  ML_CHECK_THROWS(ops::one_hot(make({NAN}, {1}), 3), ErrorKind::Value);
  ML_CHECK_THROWS(ops::sum(make({1, 2}, {2}), {1}, false), ErrorKind::Value);
  ML_CHECK_THROWS(ops::slice(make({1, 2}, {2}), 0, 1, 3), ErrorKind::Value);
  ML_CHECK_THROWS(ops::conv2d(make({1}, {1, 1, 1, 1}), make({1}, {1, 1, 1, 1}), {0, 1}, {0, 0}), ErrorKind::Value);
  ML_CHECK_THROWS(ops::mul_scalar(make({1}, {1}), NAN), ErrorKind::Value);
  ML_CHECK_THROWS(prim_forward(Prim::Add, {make({1}, {1})}, Attrs{}), ErrorKind::Value);
}

ML_TEST(program_validation) {
  ProgramNode bad{Prim::Neg, {3}, Attrs{}, {1}, DType::F64};
  ML_CHECK_THROWS(Program({{{1}, DType::F64}}, {bad}, {1}), ErrorKind::Value);
  ProgramNode neg{Prim::Neg, {0}, Attrs{}, {1}, DType::F64};
  ML_CHECK_THROWS(Program({{{1}, DType::F64}}, {neg}, {5}), ErrorKind::Value);
  Program ok({{{1}, DType::F64}}, {neg}, {1});
  ML_CHECK_THROWS(ok.run({}), ErrorKind::Value);
  ML_CHECK_THROWS(ok.run({make({1, 2}, {2})}), ErrorKind::Shape);
  ML_CHECK_THROWS(ok.run({make({1}, {1}, DType::F32)}), ErrorKind::DType);
  ML_CHECK_THROWS(ok.vjp({make({1}, {1})}, {Tensor()}, {4}), ErrorKind::Value);
  // A declared shape that the op does not produce.
  ProgramNode lying{Prim::Neg, {0}, Attrs{}, {2}, DType::F64};
  Program wrong({{{1}, DType::F64}}, {lying}, {1});
  ML_CHECK_THROWS(wrong.run({make({1}, {1})}), ErrorKind::Shape);
}
