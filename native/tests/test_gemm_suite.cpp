// Runs the GEMM engineer's suite (native/tests/test_gemm.cpp) as one test of metalearn_tests.
#include "test_framework.h"

int run_gemm_tests();  // number of failures

ML_TEST(gemm_suite) { ML_CHECK(run_gemm_tests() == 0); }
