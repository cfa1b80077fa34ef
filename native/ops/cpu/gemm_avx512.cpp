// AVX-512 GEMM micro-kernels (float32 and float64). Compiled for any x86-64
// (no -march flag): only these functions carry the avx512f target attribute,
// and gemm.cpp calls them only when the CPU reports AVX-512.
//
// Tile: MR rows x NV vectors of C held in zmm registers. float32: 14 x 32
// (28 accumulators + 2 B vectors + 1 broadcast = 31 of 32 registers); float64
// likewise 14 x 16. Per k step: NV loads of B, MR broadcasts of A, MR*NV FMAs.
#include "gemm.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define METALEARN_GEMM_AVX512 1
#include <immintrin.h>
#endif

namespace metalearn {
namespace cpu {
namespace gemm_detail {

#ifdef METALEARN_GEMM_AVX512
#define ML_AVX512 __attribute__((target("avx512f,avx512vl,fma")))
namespace {

// The vector operations the kernel needs, per element type.
template <typename T>
struct Zmm;

template <>
struct Zmm<float> {
  using V = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;
  ML_AVX512 static V zero() { return _mm512_setzero_ps(); }
  ML_AVX512 static V broadcast(float x) { return _mm512_set1_ps(x); }
  ML_AVX512 static V load(const float* p) { return _mm512_loadu_ps(p); }
  ML_AVX512 static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  ML_AVX512 static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  ML_AVX512 static V load_masked(Mask k, const float* p) { return _mm512_maskz_loadu_ps(k, p); }
  ML_AVX512 static void store_masked(float* p, Mask k, V x) { _mm512_mask_storeu_ps(p, k, x); }
};

template <>
struct Zmm<double> {
  using V = __m512d;
  using Mask = __mmask8;
  static constexpr int kLanes = 8;
  ML_AVX512 static V zero() { return _mm512_setzero_pd(); }
  ML_AVX512 static V broadcast(double x) { return _mm512_set1_pd(x); }
  ML_AVX512 static V load(const double* p) { return _mm512_loadu_pd(p); }
  ML_AVX512 static V fmadd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  ML_AVX512 static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  ML_AVX512 static V load_masked(Mask k, const double* p) { return _mm512_maskz_loadu_pd(k, p); }
  ML_AVX512 static void store_masked(double* p, Mask k, V x) { _mm512_mask_storeu_pd(p, k, x); }
};

// Lanes [0, count) of one vector set; count may be <= 0 or >= the lane count.
template <typename T>
ML_AVX512 inline typename Zmm<T>::Mask lane_mask(int count) {
  constexpr int lanes = Zmm<T>::kLanes;
  if (count <= 0) return 0;
  if (count >= lanes) return static_cast<typename Zmm<T>::Mask>((1u << lanes) - 1);
  return static_cast<typename Zmm<T>::Mask>((1u << count) - 1);
}

// C[0:m, 0:n] = alpha * Ap[kc, MR]^T * Bp[kc, NV*lanes] + beta * C (see MicroKernel).
template <typename T, int MR, int NV>
ML_AVX512 void avx512_kernel(int kc, const T* Ap, const T* Bp, int ldbp, T* C, int ldc, int m,
                             int n, T alpha, T beta) {
  using Z = Zmm<T>;
  using V = typename Z::V;
  constexpr int L = Z::kLanes;
  V acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[i][v] = Z::zero();
  }

  for (int k = 0; k < kc; ++k) {
    V b[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) b[v] = Z::load(Bp + v * L);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
      const V a = Z::broadcast(Ap[i]);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[i][v] = Z::fmadd(a, b[v], acc[i][v]);
    }
    Ap += MR;
    Bp += ldbp;
  }

  typename Z::Mask mask[NV];
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) mask[v] = lane_mask<T>(n - v * L);
  const V va = Z::broadcast(alpha);
  const V vb = Z::broadcast(beta);
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i) {
    if (i >= m) break;
    T* c = C + static_cast<long>(i) * ldc;
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      V r = Z::mul(va, acc[i][v]);
      // beta == 0: do not read C (it may hold NaN).
      if (beta != T(0)) r = Z::fmadd(vb, Z::load_masked(mask[v], c + v * L), r);
      Z::store_masked(c + v * L, mask[v], r);
    }
  }
}

constexpr int kRowsF32 = 14, kVecsF32 = 2;  // 14 x 32 floats
constexpr int kRowsF64 = 14, kVecsF64 = 2;  // 14 x 16 doubles

}  // namespace

KernelSpec<float> avx512_f32() {
  return {avx512_kernel<float, kRowsF32, kVecsF32>, kRowsF32, kVecsF32 * 16,
          /*KC=*/256, /*MC=*/14 * 20, /*NC=*/2048};
}

KernelSpec<double> avx512_f64() {
  return {avx512_kernel<double, kRowsF64, kVecsF64>, kRowsF64, kVecsF64 * 8,
          /*KC=*/256, /*MC=*/14 * 10, /*NC=*/1024};
}

#else  // not x86 with GCC/Clang: never selected (gemm_kernel_supported says no)

KernelSpec<float> avx512_f32() { return generic_f32(); }
KernelSpec<double> avx512_f64() { return generic_f64(); }

#endif

}  // namespace gemm_detail
}  // namespace cpu
}  // namespace metalearn
