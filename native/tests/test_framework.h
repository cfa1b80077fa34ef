// A tiny test framework: ML_TEST registers a test; checks record failures and keep going.
//   ML_TEST(matmul_forward) { ML_CHECK_NEAR(value, 7.0, 1e-12); }
#pragma once
#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"

namespace ml_test {

struct TestCase {
  const char* name;
  std::function<void()> body;
};

std::vector<TestCase>& registry();
// Records a failed check of the running test.
void report_failure(const char* file, int line, const std::string& message);

struct Registrar {
  Registrar(const char* name, std::function<void()> body) { registry().push_back({name, std::move(body)}); }
};

}  // namespace ml_test

#define ML_TEST(name)                                               \
  static void name();                                               \
  static ::ml_test::Registrar name##_registrar(#name, name);        \
  static void name()

#define ML_CHECK(cond)                                                        \
  do {                                                                        \
    if (!(cond)) ::ml_test::report_failure(__FILE__, __LINE__, "CHECK(" #cond ")"); \
  } while (0)

#define ML_CHECK_NEAR(actual, expected, tol)                                                         \
  do {                                                                                               \
    double ml_a = (actual), ml_e = (expected), ml_t = (tol);                                         \
    if (!(std::fabs(ml_a - ml_e) <= ml_t)) {                                                         \
      std::ostringstream ml_s;                                                                       \
      ml_s.precision(17);                                                                            \
      ml_s << #actual << " = " << ml_a << ", expected " << ml_e << " (tolerance " << ml_t << ")";    \
      ::ml_test::report_failure(__FILE__, __LINE__, ml_s.str());                                     \
    }                                                                                                \
  } while (0)

// expr must throw ml::Error of the given kind.
#define ML_CHECK_THROWS(expr, expected_kind)                                                               \
  do {                                                                                                     \
    bool ml_thrown = false;                                                                                \
    try {                                                                                                  \
      (void)(expr);                                                                                        \
    } catch (const ::ml::Error& ml_e) {                                                                    \
      ml_thrown = true;                                                                                    \
      if (ml_e.kind() != (expected_kind))                                                                  \
        ::ml_test::report_failure(__FILE__, __LINE__, std::string("wrong error kind: ") + ml_e.what());    \
    }                                                                                                      \
    if (!ml_thrown) ::ml_test::report_failure(__FILE__, __LINE__, "expected an error from " #expr);        \
  } while (0)
