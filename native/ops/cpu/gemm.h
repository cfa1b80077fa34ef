// Single-threaded dense matrix multiply (GEMM) for the CPU core.
//
// Row-major. C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C.
// op(A) = A^T when transA: then A is stored [K,M] with leading dimension lda
// (element (k,i) at A[k*lda + i]); otherwise A is stored [M,K] (element (i,k) at
// A[i*lda + k]). Likewise B: [K,N] or, when transB, [N,K].
//
// Guarantees: correct for every size including 0 and 1, any leading dimensions
// (>= the row length), unaligned pointers. beta == 0 overwrites C without reading
// it (C may hold NaN). K == 0 or alpha == 0 gives C = beta * C.
// Thread-safe and reentrant: no global mutable state; packing buffers are
// thread_local. The instruction set (AVX-512, AVX2+FMA, portable C++) is picked
// once at run time from the CPU's features, so the library needs no -march flag.
#pragma once

namespace metalearn {
namespace cpu {

void sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc);
void dgemm(bool transA, bool transB, int M, int N, int K, double alpha, const double* A, int lda,
           const double* B, int ldb, double beta, double* C, int ldc);

// Which kernel sgemm/dgemm run on this CPU: "avx512", "avx2" or "generic".
const char* gemm_kernel_name();

// ---------------------------------------------------------------------------
// Below: the pieces the kernel files (gemm_*.cpp), the tests and the benchmark
// share. Ordinary callers only need the three functions above.

enum class GemmKernel { Generic, Avx2, Avx512 };

// Whether this CPU (and this build) can run the given kernel.
bool gemm_kernel_supported(GemmKernel kernel);
// The kernel sgemm/dgemm pick: the fastest supported one.
GemmKernel gemm_best_kernel();
const char* gemm_kernel_name(GemmKernel kernel);

// sgemm/dgemm forced onto one kernel (tests run every supported kernel with
// these). The kernel must be supported; an unsupported one falls back to Generic.
void sgemm_with(GemmKernel kernel, bool transA, bool transB, int M, int N, int K, float alpha,
                const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);
void dgemm_with(GemmKernel kernel, bool transA, bool transB, int M, int N, int K, double alpha,
                const double* A, int lda, const double* B, int ldb, double beta, double* C,
                int ldc);

namespace gemm_detail {

// A register-blocked micro-kernel computes one MR x NR tile of C:
//   C[0:m, 0:n] = alpha * Ap * Bp + beta * C[0:m, 0:n]   (beta == 0: overwrite)
// Ap: packed A micro-panel, Ap[k*MR + i] for k < kc, i < MR (rows >= m are zero).
// Bp: B micro-panel, element (k, j) at Bp[k*ldbp + j] for j < NR — always NR readable
//     columns (the driver pads the last panel), only the first n are used.
// m <= MR and n <= NR: edge tiles store only their m x n part.
template <typename T>
using MicroKernel = void (*)(int kc, const T* Ap, const T* Bp, int ldbp, T* C, int ldc, int m,
                             int n, T alpha, T beta);

// A kernel with its tile shape and cache-block sizes.
template <typename T>
struct KernelSpec {
  MicroKernel<T> kernel;
  int MR, NR;  // tile: MR rows x NR columns of C
  int KC;      // depth of one packed block (B micro-panel KC x NR stays in L1)
  int MC;      // rows of A packed at once (MC x KC block stays in L2); multiple of MR
  int NC;      // columns of B packed at once (KC x NC block); multiple of NR
};

// Kernel tables, one per instruction set (defined in gemm_generic.cpp,
// gemm_avx2.cpp, gemm_avx512.cpp).
KernelSpec<float> generic_f32();
KernelSpec<double> generic_f64();
KernelSpec<float> avx2_f32();
KernelSpec<double> avx2_f64();
KernelSpec<float> avx512_f32();
KernelSpec<double> avx512_f64();

// Stores an m x n tile computed into `tile` (row stride ldt) into C with
// alpha/beta, for kernels without masked stores. beta == 0: overwrite.
template <typename T>
void store_tile(const T* tile, int ldt, T* C, int ldc, int m, int n, T alpha, T beta) {
  for (int i = 0; i < m; ++i) {
    T* c = C + static_cast<long>(i) * ldc;
    const T* t = tile + static_cast<long>(i) * ldt;
    if (beta == T(0)) {
      for (int j = 0; j < n; ++j) c[j] = alpha * t[j];
    } else {
      for (int j = 0; j < n; ++j) c[j] = alpha * t[j] + beta * c[j];
    }
  }
}

}  // namespace gemm_detail
}  // namespace cpu
}  // namespace metalearn
