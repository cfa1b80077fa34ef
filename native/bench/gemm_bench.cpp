// GEMM benchmark: GFLOP/s of metalearn::cpu::sgemm/dgemm on cubes and on the
// shapes meta-learning uses, beside a naive triple loop and this core's
// measured FMA peak. Single thread. Each figure is the median of several
// timed runs (each run repeats the call for at least ~40 ms of this thread's
// CPU time).
//
// Build and run (same flags as the library's default build: no -march):
//   g++ -O3 -std=c++17 native/ops/cpu/gemm*.cpp native/bench/gemm_bench.cpp -o /tmp/gemm_bench
//   /tmp/gemm_bench            # add "all" to also time the avx2 and generic kernels
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "../ops/cpu/gemm.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <immintrin.h>
#define BENCH_X86 1
#endif

namespace {

using metalearn::cpu::GemmKernel;

// CPU time of this thread, in seconds. The benchmark machine is shared (other
// processes compete for its 2 cores), so wall-clock time would count the time
// this thread waits descheduled; thread CPU time does not.
double thread_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// Median over `runs` of the seconds (thread CPU time) one call of `work` takes.
double median_seconds(const std::function<void()>& work, int runs = 7) {
  work();  // warm up: caches, packing buffers, page faults
  std::vector<double> per_call;
  for (int r = 0; r < runs; ++r) {
    int reps = 0;
    const double start = thread_cpu_seconds();
    double elapsed = 0;
    do {
      work();
      ++reps;
      elapsed = thread_cpu_seconds() - start;
    } while (elapsed < 0.04);
    per_call.push_back(elapsed / reps);
  }
  std::sort(per_call.begin(), per_call.end());
  return per_call[per_call.size() / 2];
}

#ifdef BENCH_X86
// FMA throughput: 16 independent chains of 512-bit FMAs (enough to cover
// latency x ports). Returns GFLOP/s for float32 (16 lanes x 2 flops per FMA).
__attribute__((target("avx512f,fma"), noinline)) float fma_loop_avx512(long iterations) {
  __m512 acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(0.001f * i);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  alignas(64) float lanes[16];
  __m512 sum = acc[0];
  for (int i = 1; i < 16; ++i) sum = _mm512_add_ps(sum, acc[i]);
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float x : lanes) total += x;
  return total;
}

double fma_peak_gflops() {
  if (!metalearn::cpu::gemm_kernel_supported(GemmKernel::Avx512)) return 0;
  const long iterations = 2000000;
  volatile float sink = 0;
  const double seconds = median_seconds([&] { sink = sink + fma_loop_avx512(iterations); });
  return iterations * 16.0 * 16 * 2 / seconds * 1e-9;
}
#else
double fma_peak_gflops() { return 0; }
#endif

// The textbook loop: C[i][j] = sum_k A[i][k] * B[k][j].
template <typename T>
void naive_gemm(int M, int N, int K, const T* A, const T* B, T* C) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      T sum = 0;
      for (int k = 0; k < K; ++k) sum += A[i * K + k] * B[k * N + j];
      C[i * N + j] = sum;
    }
}

template <typename T>
void call_gemm(GemmKernel kernel, int M, int N, int K, const T* A, const T* B, T* C);
template <>
void call_gemm<float>(GemmKernel kernel, int M, int N, int K, const float* A, const float* B,
                      float* C) {
  metalearn::cpu::sgemm_with(kernel, false, false, M, N, K, 1.0f, A, K, B, N, 0.0f, C, N);
}
template <>
void call_gemm<double>(GemmKernel kernel, int M, int N, int K, const double* A, const double* B,
                       double* C) {
  metalearn::cpu::dgemm_with(kernel, false, false, M, N, K, 1.0, A, K, B, N, 0.0, C, N);
}

template <typename T>
double gemm_gflops(GemmKernel kernel, int M, int N, int K, bool naive) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<T> uniform(-1, 1);
  std::vector<T> A(static_cast<size_t>(M) * K), B(static_cast<size_t>(K) * N),
      C(static_cast<size_t>(M) * N);
  for (T& x : A) x = uniform(rng);
  for (T& x : B) x = uniform(rng);
  const double seconds = median_seconds(
      [&] {
        if (naive) naive_gemm(M, N, K, A.data(), B.data(), C.data());
        else call_gemm(kernel, M, N, K, A.data(), B.data(), C.data());
      },
      naive ? 3 : 7);
  return 2.0 * M * N * K / seconds * 1e-9;
}

void print_row(const char* label, int M, int N, int K, GemmKernel kernel, bool with_naive) {
  const double f32 = gemm_gflops<float>(kernel, M, N, K, false);
  const double f64 = gemm_gflops<double>(kernel, M, N, K, false);
  std::printf("| %-22s | %-7s | %9.1f | %9.1f |", label, metalearn::cpu::gemm_kernel_name(kernel),
              f32, f64);
  if (with_naive) {
    std::printf(" %9.2f | %9.2f |", gemm_gflops<float>(kernel, M, N, K, true),
                gemm_gflops<double>(kernel, M, N, K, true));
  } else {
    std::printf("           |           |");
  }
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const bool all_kernels = argc > 1 && std::strcmp(argv[1], "all") == 0;
  std::printf("default kernel: %s\n", metalearn::cpu::gemm_kernel_name());
  std::printf("measured AVX-512 FMA peak (1 core, float32): %.1f GFLOP/s (float64: half)\n\n",
              fma_peak_gflops());
  std::printf("| shape M x N x K        | kernel  | f32 GF/s  | f64 GF/s  | naive f32 | naive f64 |\n");
  std::printf("|------------------------|---------|-----------|-----------|-----------|-----------|\n");
  std::vector<GemmKernel> kernels = {metalearn::cpu::gemm_best_kernel()};
  if (all_kernels) {
    for (GemmKernel k : {GemmKernel::Avx2, GemmKernel::Generic})
      if (k != kernels[0] && metalearn::cpu::gemm_kernel_supported(k)) kernels.push_back(k);
  }
  for (GemmKernel kernel : kernels) {
    const bool naive = kernel == kernels[0];
    for (int n : {64, 128, 256, 512}) {
      char label[64];
      std::snprintf(label, sizeof label, "%d^3", n);
      print_row(label, n, n, n, kernel, naive);
    }
    // Meta-learning shapes: sinusoid MLP layer (25 shots, 40 hidden), conv4 as
    // im2col GEMMs on 28x28 (first layer: 9 taps; later: 64 channels x 9 taps).
    print_row("25x40x40 (MLP)", 25, 40, 40, kernel, false);
    print_row("64x784x9 (conv1)", 64, 784, 9, kernel, false);
    print_row("64x196x576 (conv2)", 64, 196, 576, kernel, false);
  }
  return 0;
}
