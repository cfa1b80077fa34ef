#include "core/threads.h"

#include <cstdlib>
#include <thread>

namespace ml {

int default_num_threads() {
  if (const char* env = std::getenv("METALEARN_THREADS")) {
    char* end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n > 0 && n <= 1024) return static_cast<int>(n);
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

}  // namespace ml
