#include "ops/cpu/matmul.h"

#include "ops/cpu/blas_dispatch.h"

namespace ml::cpu {

template <class T>
void matmul_forward(T* out, const T* a, const T* b, int64_t n, int64_t k, int64_t m, bool transA, bool transB) {
  if (n == 0 || m == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < n * m; ++i) out[i] = T(0);
    return;
  }
  int lda = static_cast<int>(transA ? n : k);
  int ldb = static_cast<int>(transB ? k : m);
  gemm(transA, transB, static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), T(1), a, lda, b, ldb, T(0), out,
       static_cast<int>(m));
}

template void matmul_forward<float>(float*, const float*, const float*, int64_t, int64_t, int64_t, bool, bool);
template void matmul_forward<double>(double*, const double*, const double*, int64_t, int64_t, int64_t, bool, bool);

}  // namespace ml::cpu
