// AVX2 + FMA GEMM micro-kernels (float32 and float64), for x86-64 CPUs without
// AVX-512. Only these functions carry the avx2/fma target attribute; gemm.cpp
// calls them only when the CPU reports both.
//
// Tile: 6 rows x 2 ymm vectors (float32: 6 x 16, float64: 6 x 8):
// 12 accumulators + 2 B vectors + 1 broadcast = 15 of 16 registers.
#include "gemm.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define METALEARN_GEMM_AVX2 1
#include <immintrin.h>
#endif

namespace metalearn {
namespace cpu {
namespace gemm_detail {

#ifdef METALEARN_GEMM_AVX2
#define ML_AVX2 __attribute__((target("avx2,fma")))
namespace {

template <typename T>
struct Ymm;

template <>
struct Ymm<float> {
  using V = __m256;
  static constexpr int kLanes = 8;
  ML_AVX2 static V zero() { return _mm256_setzero_ps(); }
  ML_AVX2 static V broadcast(float x) { return _mm256_set1_ps(x); }
  ML_AVX2 static V load(const float* p) { return _mm256_loadu_ps(p); }
  ML_AVX2 static void store(float* p, V x) { _mm256_storeu_ps(p, x); }
  ML_AVX2 static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  ML_AVX2 static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
};

template <>
struct Ymm<double> {
  using V = __m256d;
  static constexpr int kLanes = 4;
  ML_AVX2 static V zero() { return _mm256_setzero_pd(); }
  ML_AVX2 static V broadcast(double x) { return _mm256_set1_pd(x); }
  ML_AVX2 static V load(const double* p) { return _mm256_loadu_pd(p); }
  ML_AVX2 static void store(double* p, V x) { _mm256_storeu_pd(p, x); }
  ML_AVX2 static V fmadd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  ML_AVX2 static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
};

constexpr int kRows = 6, kVecs = 2;

// C[0:m, 0:n] = alpha * Ap[kc, MR]^T * Bp[kc, NR] + beta * C (see MicroKernel).
template <typename T>
ML_AVX2 void avx2_kernel(int kc, const T* Ap, const T* Bp, int ldbp, T* C, int ldc, int m, int n,
                         T alpha, T beta) {
  using Y = Ymm<T>;
  using V = typename Y::V;
  constexpr int L = Y::kLanes;
  V acc[kRows][kVecs];
#pragma GCC unroll 8
  for (int i = 0; i < kRows; ++i) {
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) acc[i][v] = Y::zero();
  }

  for (int k = 0; k < kc; ++k) {
    V b[kVecs];
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) b[v] = Y::load(Bp + v * L);
#pragma GCC unroll 8
    for (int i = 0; i < kRows; ++i) {
      const V a = Y::broadcast(Ap[i]);
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v) acc[i][v] = Y::fmadd(a, b[v], acc[i][v]);
    }
    Ap += kRows;
    Bp += ldbp;
  }

  if (m == kRows && n == kVecs * L) {
    const V va = Y::broadcast(alpha);
    const V vb = Y::broadcast(beta);
#pragma GCC unroll 8
    for (int i = 0; i < kRows; ++i) {
      T* c = C + static_cast<long>(i) * ldc;
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v) {
        V r = Y::mul(va, acc[i][v]);
        // beta == 0: do not read C (it may hold NaN).
        if (beta != T(0)) r = Y::fmadd(vb, Y::load(c + v * L), r);
        Y::store(c + v * L, r);
      }
    }
    return;
  }
  // Edge tile: spill the accumulators, store the m x n part.
  alignas(32) T tile[kRows * kVecs * L];
#pragma GCC unroll 8
  for (int i = 0; i < kRows; ++i) {
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) Y::store(tile + (i * kVecs + v) * L, acc[i][v]);
  }
  store_tile(tile, kVecs * L, C, ldc, m, n, alpha, beta);
}

}  // namespace

KernelSpec<float> avx2_f32() {
  return {avx2_kernel<float>, kRows, kVecs * 8, /*KC=*/256, /*MC=*/6 * 24, /*NC=*/2048};
}

KernelSpec<double> avx2_f64() {
  return {avx2_kernel<double>, kRows, kVecs * 4, /*KC=*/256, /*MC=*/6 * 12, /*NC=*/1024};
}

#else  // not x86 with GCC/Clang: never selected (gemm_kernel_supported says no)

KernelSpec<float> avx2_f32() { return generic_f32(); }
KernelSpec<double> avx2_f64() { return generic_f64(); }

#endif

}  // namespace gemm_detail
}  // namespace cpu
}  // namespace metalearn
