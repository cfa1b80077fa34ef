// Runs every registered test; prints one line per failure and a closing "N passed, M failed".
#include <cstdio>
#include <exception>

#include "test_framework.h"

namespace ml_test {

namespace {
int g_failures_in_test = 0;
}

std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

void report_failure(const char* file, int line, const std::string& message) {
  ++g_failures_in_test;
  std::printf("    %s:%d: %s\n", file, line, message.c_str());
}

}  // namespace ml_test

int main() {
  int passed = 0, failed = 0;
  for (const ml_test::TestCase& test : ml_test::registry()) {
    ml_test::g_failures_in_test = 0;
    try {
      test.body();
    } catch (const std::exception& e) {
      ml_test::report_failure(__FILE__, __LINE__, std::string("uncaught exception: ") + e.what());
    }
    if (ml_test::g_failures_in_test == 0) {
      ++passed;
    } else {
      ++failed;
      std::printf("FAIL %s\n", test.name);
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
