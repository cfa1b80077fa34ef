// Row-major GEMM for both element types: C = alpha * op(A) * op(B) + beta * C,
// op(A): [M,K], op(B): [K,N], C: [M,N]. Uses the optimised sgemm/dgemm of gemm.h when that
// file exists (another engineer's kernel); otherwise a plain reference loop.
#pragma once

#if __has_include("gemm.h")
#include "gemm.h"
#define ML_HAVE_OPTIMISED_GEMM 1
#else
#define ML_HAVE_OPTIMISED_GEMM 0
#endif

namespace ml::cpu {

template <class T>
void gemm_reference(bool transA, bool transB, int M, int N, int K, T alpha, const T* A, int lda, const T* B, int ldb,
                    T beta, T* C, int ldc) {
  for (int i = 0; i < M; ++i) {
    T* c = C + static_cast<long>(i) * ldc;
    for (int j = 0; j < N; ++j) c[j] = beta == T(0) ? T(0) : beta * c[j];
    for (int k = 0; k < K; ++k) {
      T a = alpha * (transA ? A[static_cast<long>(k) * lda + i] : A[static_cast<long>(i) * lda + k]);
      if (!transB) {
        const T* b = B + static_cast<long>(k) * ldb;
        for (int j = 0; j < N; ++j) c[j] += a * b[j];
      } else {
        for (int j = 0; j < N; ++j) c[j] += a * B[static_cast<long>(j) * ldb + k];
      }
    }
  }
}

inline void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                 int ldb, float beta, float* C, int ldc) {
#if ML_HAVE_OPTIMISED_GEMM
  metalearn::cpu::sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
  gemm_reference<float>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

inline void gemm(bool transA, bool transB, int M, int N, int K, double alpha, const double* A, int lda, const double* B,
                 int ldb, double beta, double* C, int ldc) {
#if ML_HAVE_OPTIMISED_GEMM
  metalearn::cpu::dgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
  gemm_reference<double>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

}  // namespace ml::cpu
