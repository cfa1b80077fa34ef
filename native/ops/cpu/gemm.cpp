// GEMM driver: argument edge cases, the small-shape path, cache blocking and
// packing around a register-blocked micro-kernel, and run-time kernel choice.
// The micro-kernels live in gemm_generic.cpp, gemm_avx2.cpp, gemm_avx512.cpp.
//
// Blocking (Goto / BLIS order), for C[M,N] += op(A)[M,K] * op(B)[K,N]:
//   for jc over N in NC:            B block  [KC, NC]  (packed into NR-wide micro-panels)
//     for pc over K in KC:
//       for ic over M in MC:        A block  [MC, KC]  (packed into MR-tall micro-panels)
//         for jr over NC in NR:     one B micro-panel [KC, NR] stays in L1
//           for ir over MC in MR:   micro-kernel: C tile [MR, NR]
#include "gemm.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace metalearn {
namespace cpu {

using gemm_detail::KernelSpec;
using std::ptrdiff_t;

namespace {

// A growable, 64-byte aligned scratch buffer. One per thread (thread_local), so
// concurrent GEMM calls on different threads never share packing memory.
template <typename T>
class PackBuffer {
 public:
  PackBuffer() = default;
  PackBuffer(const PackBuffer&) = delete;
  PackBuffer& operator=(const PackBuffer&) = delete;
  ~PackBuffer() { std::free(data_); }

  // Returns room for at least `count` elements (contents unspecified), or
  // nullptr when memory is exhausted.
  T* reserve(std::size_t count) {
    if (count > capacity_) {
      std::size_t bytes = (count * sizeof(T) + 63) / 64 * 64;
      void* fresh = std::aligned_alloc(64, bytes);
      if (fresh == nullptr) return nullptr;
      std::free(data_);
      data_ = static_cast<T*>(fresh);
      capacity_ = bytes / sizeof(T);
    }
    return data_;
  }

 private:
  T* data_ = nullptr;
  std::size_t capacity_ = 0;
};

// C[M,N] = beta * C  (beta == 0: overwrite with zeros, C may hold NaN).
template <typename T>
void scale_c(int M, int N, T beta, T* C, int ldc) {
  for (int i = 0; i < M; ++i) {
    T* c = C + static_cast<ptrdiff_t>(i) * ldc;
    if (beta == T(0)) {
      std::fill(c, c + N, T(0));
    } else if (beta != T(1)) {
      for (int j = 0; j < N; ++j) c[j] *= beta;
    }
  }
}

// sum_k x[k*incx] * y[k*incy], with four partial sums so the additions do not
// wait on each other (a single running sum is bound by the FP add latency).
template <typename T>
T strided_dot(int K, const T* x, ptrdiff_t incx, const T* y, ptrdiff_t incy) {
  T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int k = 0;
  for (; k + 4 <= K; k += 4) {
    s0 += x[k * incx] * y[k * incy];
    s1 += x[(k + 1) * incx] * y[(k + 1) * incy];
    s2 += x[(k + 2) * incx] * y[(k + 2) * incy];
    s3 += x[(k + 3) * incx] * y[(k + 3) * incy];
  }
  for (; k < K; ++k) s0 += x[k * incx] * y[k * incy];
  return (s0 + s1) + (s2 + s3);
}

// Plain loops for shapes too small (or too thin: a row or column vector) to pay
// for packing. Accumulates in the output type like the blocked path.
template <typename T>
void gemm_simple(bool transA, bool transB, int M, int N, int K, T alpha, const T* A, int lda,
                 const T* B, int ldb, T beta, T* C, int ldc) {
  scale_c(M, N, beta, C, ldc);
  // Row i of op(A): element k at a_row[k * a_step].
  const ptrdiff_t a_step = transA ? lda : 1;
  const ptrdiff_t a_row_step = transA ? 1 : lda;
  for (int i = 0; i < M; ++i) {
    T* c = C + static_cast<ptrdiff_t>(i) * ldc;
    const T* a_row = A + i * a_row_step;
    if (!transB && N > 1) {
      // c[0:N] += (alpha * a_ik) * B[k, 0:N]: contiguous rows, vectorisable.
      for (int k = 0; k < K; ++k) {
        const T a = alpha * a_row[k * a_step];
        const T* b = B + static_cast<ptrdiff_t>(k) * ldb;
        for (int j = 0; j < N; ++j) c[j] += a * b[j];
      }
    } else {
      // Column j of op(B): B[j, 0:K] when transB, else B[0:K, j] (stride ldb).
      for (int j = 0; j < N; ++j) {
        const T* b_col = transB ? B + static_cast<ptrdiff_t>(j) * ldb : B + j;
        const ptrdiff_t b_step = transB ? 1 : ldb;
        c[j] += alpha * strided_dot(K, a_row, a_step, b_col, b_step);
      }
    }
  }
}

// Packs rows [i0, i0+mc) x columns [k0, k0+kc) of op(A) into MR-tall micro-panels:
// panel p holds rows i0+p*MR ..., element (i, k) at out[p*MR*kc + k*MR + i];
// rows past mc are zero.
template <typename T>
void pack_a(bool transA, const T* A, int lda, int i0, int k0, int mc, int kc, int MR, T* out) {
  for (int ir = 0; ir < mc; ir += MR) {
    const int mr = std::min(MR, mc - ir);
    T* dst = out + static_cast<ptrdiff_t>(ir) * kc;
    if (transA) {
      // A stored [K,M]: each k gives mr contiguous values.
      for (int k = 0; k < kc; ++k) {
        const T* src = A + static_cast<ptrdiff_t>(k0 + k) * lda + (i0 + ir);
        T* d = dst + static_cast<ptrdiff_t>(k) * MR;
        for (int i = 0; i < mr; ++i) d[i] = src[i];
        for (int i = mr; i < MR; ++i) d[i] = T(0);
      }
    } else {
      // A stored [M,K]: row i is contiguous in k; interleave the mr rows.
      for (int i = 0; i < mr; ++i) {
        const T* src = A + static_cast<ptrdiff_t>(i0 + ir + i) * lda + k0;
        for (int k = 0; k < kc; ++k) dst[static_cast<ptrdiff_t>(k) * MR + i] = src[k];
      }
      for (int i = mr; i < MR; ++i) {
        for (int k = 0; k < kc; ++k) dst[static_cast<ptrdiff_t>(k) * MR + i] = T(0);
      }
    }
  }
}

// Packs columns [j0, j0+nr) x rows [k0, k0+kc) of op(B) into one NR-wide
// micro-panel: element (k, j) at out[k*NR + j]; columns past nr are zero.
template <typename T>
void pack_b_panel(bool transB, const T* B, int ldb, int k0, int j0, int kc, int nr, int NR,
                  T* out) {
  if (!transB) {
    for (int k = 0; k < kc; ++k) {
      const T* src = B + static_cast<ptrdiff_t>(k0 + k) * ldb + j0;
      T* d = out + static_cast<ptrdiff_t>(k) * NR;
      for (int j = 0; j < nr; ++j) d[j] = src[j];
      for (int j = nr; j < NR; ++j) d[j] = T(0);
    }
  } else {
    // B stored [N,K]: column j of op(B) is row j of B, contiguous in k.
    for (int j = 0; j < nr; ++j) {
      const T* src = B + static_cast<ptrdiff_t>(j0 + j) * ldb + k0;
      for (int k = 0; k < kc; ++k) out[static_cast<ptrdiff_t>(k) * NR + j] = src[k];
    }
    for (int k = 0; k < kc; ++k) {
      for (int j = nr; j < NR; ++j) out[static_cast<ptrdiff_t>(k) * NR + j] = T(0);
    }
  }
}

// Whether the micro-kernel may read B's rows in place (row stride ldb) instead of
// a packed copy: B must not be transposed, and either its rows are short (a
// panel's rows then share few cache sets, no conflict misses) or so few rows of
// A use each panel that packing would not pay for itself.
template <typename T>
bool read_b_in_place(bool transB, int M, int ldb, const KernelSpec<T>& spec) {
  if (transB) return false;
  return static_cast<ptrdiff_t>(ldb) * static_cast<ptrdiff_t>(sizeof(T)) <= 1024 ||
         M <= 2 * spec.MR;
}

// The blocked path. Requires M, N, K >= 1. Returns false only if the packing
// buffers could not be allocated.
template <typename T>
bool gemm_blocked(const KernelSpec<T>& spec, bool transA, bool transB, int M, int N, int K,
                  T alpha, const T* A, int lda, const T* B, int ldb, T beta, T* C, int ldc) {
  thread_local PackBuffer<T> a_buffer;
  thread_local PackBuffer<T> b_buffer;
  const int MR = spec.MR, NR = spec.NR;
  const int kc_max = std::min(spec.KC, K);
  const int mc_max = std::min(spec.MC, (M + MR - 1) / MR * MR);
  const int nc_max = std::min(spec.NC, (N + NR - 1) / NR * NR);
  const bool b_in_place = read_b_in_place(transB, M, ldb, spec);
  // In place, only the last (partial) micro-panel of each block is packed.
  const int b_packed_cols = b_in_place ? NR : nc_max;
  T* a_pack = a_buffer.reserve(static_cast<std::size_t>(mc_max) * kc_max);
  T* b_pack = b_buffer.reserve(static_cast<std::size_t>(b_packed_cols) * kc_max);
  if (a_pack == nullptr || b_pack == nullptr) return false;

  for (int jc = 0; jc < N; jc += spec.NC) {
    const int nc = std::min(spec.NC, N - jc);
    for (int pc = 0; pc < K; pc += spec.KC) {
      const int kc = std::min(spec.KC, K - pc);
      // beta applies once; later K blocks accumulate onto the partial result.
      const T beta_block = pc == 0 ? beta : T(1);

      if (b_in_place) {
        const int last = nc % NR;
        if (last != 0) pack_b_panel(transB, B, ldb, pc, jc + nc - last, kc, last, NR, b_pack);
      } else {
        for (int jr = 0; jr < nc; jr += NR) {
          pack_b_panel(transB, B, ldb, pc, jc + jr, kc, std::min(NR, nc - jr), NR,
                       b_pack + static_cast<ptrdiff_t>(jr) * kc);
        }
      }

      for (int ic = 0; ic < M; ic += spec.MC) {
        const int mc = std::min(spec.MC, M - ic);
        pack_a(transA, A, lda, ic, pc, mc, kc, MR, a_pack);

        for (int jr = 0; jr < nc; jr += NR) {
          const int nr = std::min(NR, nc - jr);
          const T* b_panel;
          int ldbp;
          if (!b_in_place) {
            b_panel = b_pack + static_cast<ptrdiff_t>(jr) * kc;
            ldbp = NR;
          } else if (nr < NR) {
            b_panel = b_pack;
            ldbp = NR;
          } else {
            b_panel = B + static_cast<ptrdiff_t>(pc) * ldb + (jc + jr);
            ldbp = ldb;
          }
          T* c_col = C + (jc + jr);
          for (int ir = 0; ir < mc; ir += MR) {
            spec.kernel(kc, a_pack + static_cast<ptrdiff_t>(ir) * kc, b_panel, ldbp,
                        c_col + static_cast<ptrdiff_t>(ic + ir) * ldc, ldc,
                        std::min(MR, mc - ir), nr, alpha, beta_block);
          }
        }
      }
    }
  }
  return true;
}

// Shapes where packing costs more than it saves: vectors, and tiny products.
bool use_simple_path(int M, int N, int K) {
  if (M == 1 || N == 1) return true;
  return static_cast<long long>(M) * N * K <= 4096;
}

template <typename T>
KernelSpec<T> spec_for(GemmKernel kernel);

template <>
KernelSpec<float> spec_for<float>(GemmKernel kernel) {
  switch (kernel) {
    case GemmKernel::Avx512: return gemm_detail::avx512_f32();
    case GemmKernel::Avx2: return gemm_detail::avx2_f32();
    default: return gemm_detail::generic_f32();
  }
}

template <>
KernelSpec<double> spec_for<double>(GemmKernel kernel) {
  switch (kernel) {
    case GemmKernel::Avx512: return gemm_detail::avx512_f64();
    case GemmKernel::Avx2: return gemm_detail::avx2_f64();
    default: return gemm_detail::generic_f64();
  }
}

template <typename T>
void gemm(GemmKernel kernel, bool transA, bool transB, int M, int N, int K, T alpha, const T* A,
          int lda, const T* B, int ldb, T beta, T* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == T(0)) {
    scale_c(M, N, beta, C, ldc);
    return;
  }
  if (!gemm_kernel_supported(kernel)) kernel = GemmKernel::Generic;
  if (!use_simple_path(M, N, K)) {
    const KernelSpec<T> spec = spec_for<T>(kernel);
    if (gemm_blocked(spec, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
    // Out of memory for packing buffers: the plain loops need none.
  }
  gemm_simple(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

bool cpu_has_avx2_fma() {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool cpu_has_avx512() {
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

}  // namespace

bool gemm_kernel_supported(GemmKernel kernel) {
  // Function-local statics: initialised once, thread-safely, then read-only.
  static const bool avx2 = cpu_has_avx2_fma();
  static const bool avx512 = cpu_has_avx512();
  switch (kernel) {
    case GemmKernel::Avx512: return avx512;
    case GemmKernel::Avx2: return avx2;
    default: return true;
  }
}

GemmKernel gemm_best_kernel() {
  if (gemm_kernel_supported(GemmKernel::Avx512)) return GemmKernel::Avx512;
  if (gemm_kernel_supported(GemmKernel::Avx2)) return GemmKernel::Avx2;
  return GemmKernel::Generic;
}

const char* gemm_kernel_name(GemmKernel kernel) {
  switch (kernel) {
    case GemmKernel::Avx512: return "avx512";
    case GemmKernel::Avx2: return "avx2";
    default: return "generic";
  }
}

const char* gemm_kernel_name() { return gemm_kernel_name(gemm_best_kernel()); }

void sgemm_with(GemmKernel kernel, bool transA, bool transB, int M, int N, int K, float alpha,
                const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  gemm<float>(kernel, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void dgemm_with(GemmKernel kernel, bool transA, bool transB, int M, int N, int K, double alpha,
                const double* A, int lda, const double* B, int ldb, double beta, double* C,
                int ldc) {
  gemm<double>(kernel, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc) {
  gemm<float>(gemm_best_kernel(), transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void dgemm(bool transA, bool transB, int M, int N, int K, double alpha, const double* A, int lda,
           const double* B, int ldb, double beta, double* C, int ldc) {
  gemm<double>(gemm_best_kernel(), transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace cpu
}  // namespace metalearn
