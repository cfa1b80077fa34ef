// Portable GEMM micro-kernel (plain C++, no intrinsics) for CPUs without AVX2,
// and non-x86 builds. A 4 x 8 tile of accumulators the compiler can keep in
// registers and auto-vectorise over the 8 columns.
#include "gemm.h"

namespace metalearn {
namespace cpu {
namespace gemm_detail {
namespace {

constexpr int kRows = 4;     // MR
constexpr int kCols = 8;     // NR

// acc[MR][NR] = Ap * Bp over kc steps, then stored with alpha/beta.
template <typename T>
void generic_kernel(int kc, const T* Ap, const T* Bp, int ldbp, T* C, int ldc, int m, int n,
                    T alpha, T beta) {
  T acc[kRows][kCols] = {};
  for (int k = 0; k < kc; ++k) {
    const T* a = Ap + static_cast<long>(k) * kRows;
    const T* b = Bp + static_cast<long>(k) * ldbp;
    for (int i = 0; i < kRows; ++i) {
      for (int j = 0; j < kCols; ++j) acc[i][j] += a[i] * b[j];
    }
  }
  store_tile(&acc[0][0], kCols, C, ldc, m, n, alpha, beta);
}

}  // namespace

KernelSpec<float> generic_f32() {
  return {generic_kernel<float>, kRows, kCols, /*KC=*/256, /*MC=*/128, /*NC=*/1024};
}

KernelSpec<double> generic_f64() {
  return {generic_kernel<double>, kRows, kCols, /*KC=*/256, /*MC=*/64, /*NC=*/1024};
}

}  // namespace gemm_detail
}  // namespace cpu
}  // namespace metalearn
