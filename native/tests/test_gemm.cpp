// Tests for native/ops/cpu/gemm.h: every kernel this CPU supports (generic,
// avx2, avx512), float32 and float64, against a naive triple loop accumulated in
// long double.
//
// Tolerance per element (the standard bound for a K-term dot product plus the
// alpha/beta update, with margin):
//   |C - ref| <= (K + 4) * eps(T) * (|alpha| * sum_k |a_ik * b_kj| + |beta| * |C0_ij|)
// eps(float) = 1.19e-7, eps(double) = 2.22e-16. An indexing or blocking bug gives
// errors of order 1, far above it.
// Also checked: padding between rows of C (ldc > N) is never written; beta == 0
// overwrites a C full of NaN; unaligned pointers; concurrent calls from several
// threads give bit-identical results to sequential ones.
//
// Entry point: int run_gemm_tests() (returns the number of failures). Build alone:
//   g++ -O2 -std=c++17 -DGEMM_TEST_MAIN native/ops/cpu/gemm*.cpp native/tests/test_gemm.cpp
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../ops/cpu/gemm.h"

namespace {

using metalearn::cpu::GemmKernel;

struct GemmCase {
  bool transA, transB;
  int M, N, K;
  double alpha, beta;
  int pad_a, pad_b, pad_c;  // extra elements per row beyond the row length (ld = cols + pad)
  int offset;               // elements: shifts every pointer off 64-byte alignment
  bool nan_c;               // fill C with NaN first (only meaningful with beta == 0)
};

constexpr double kPadSentinel = 12345.0;

template <typename T>
void call_gemm(GemmKernel kernel, const GemmCase& c, const T* A, int lda, const T* B, int ldb,
               T* C, int ldc);

template <>
void call_gemm<float>(GemmKernel kernel, const GemmCase& c, const float* A, int lda,
                      const float* B, int ldb, float* C, int ldc) {
  metalearn::cpu::sgemm_with(kernel, c.transA, c.transB, c.M, c.N, c.K,
                             static_cast<float>(c.alpha), A, lda, B, ldb,
                             static_cast<float>(c.beta), C, ldc);
}

template <>
void call_gemm<double>(GemmKernel kernel, const GemmCase& c, const double* A, int lda,
                       const double* B, int ldb, double* C, int ldc) {
  metalearn::cpu::dgemm_with(kernel, c.transA, c.transB, c.M, c.N, c.K, c.alpha, A, lda, B, ldb,
                             c.beta, C, ldc);
}

// Runs one case; returns an empty string on success, else what went wrong.
template <typename T>
std::string run_case(GemmKernel kernel, const GemmCase& c, std::mt19937& rng) {
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  // Stored shapes: A is [M,K] or, transposed, [K,M]; B is [K,N] or [N,K].
  const int a_rows = c.transA ? c.K : c.M, a_cols = c.transA ? c.M : c.K;
  const int b_rows = c.transB ? c.N : c.K, b_cols = c.transB ? c.K : c.N;
  const int lda = std::max(1, a_cols + c.pad_a);
  const int ldb = std::max(1, b_cols + c.pad_b);
  const int ldc = std::max(1, c.N + c.pad_c);

  std::vector<T> a_buf(c.offset + static_cast<size_t>(a_rows) * lda + 1);
  std::vector<T> b_buf(c.offset + static_cast<size_t>(b_rows) * ldb + 1);
  std::vector<T> c_buf(c.offset + static_cast<size_t>(c.M) * ldc + 1);
  for (T& x : a_buf) x = static_cast<T>(uniform(rng));
  for (T& x : b_buf) x = static_cast<T>(uniform(rng));
  T* A = a_buf.data() + c.offset;
  T* B = b_buf.data() + c.offset;
  T* C = c_buf.data() + c.offset;
  for (int i = 0; i < c.M; ++i) {
    for (int j = 0; j < ldc; ++j) {
      T value = static_cast<T>(uniform(rng));
      if (c.nan_c) value = std::numeric_limits<T>::quiet_NaN();
      C[static_cast<size_t>(i) * ldc + j] = j < c.N ? value : static_cast<T>(kPadSentinel);
    }
  }
  const std::vector<T> c_before(c_buf);
  const T* C0 = c_before.data() + c.offset;

  call_gemm<T>(kernel, c, A, lda, B, ldb, C, ldc);

  const double eps = std::numeric_limits<T>::epsilon();
  for (int i = 0; i < c.M; ++i) {
    for (int j = 0; j < ldc; ++j) {
      const size_t at = static_cast<size_t>(i) * ldc + j;
      if (j >= c.N) {
        if (C[at] != static_cast<T>(kPadSentinel)) {
          return "wrote into ldc padding at (" + std::to_string(i) + "," + std::to_string(j) + ")";
        }
        continue;
      }
      long double dot = 0, magnitude = 0;
      for (int k = 0; k < c.K; ++k) {
        const long double a = c.transA ? A[static_cast<size_t>(k) * lda + i]
                                       : A[static_cast<size_t>(i) * lda + k];
        const long double b = c.transB ? B[static_cast<size_t>(j) * ldb + k]
                                       : B[static_cast<size_t>(k) * ldb + j];
        dot += a * b;
        magnitude += std::fabs(a * b);
      }
      long double expected = c.alpha * dot;
      long double scale = std::fabs(c.alpha) * magnitude;
      if (c.beta != 0) {
        expected += c.beta * static_cast<long double>(C0[at]);
        scale += std::fabs(c.beta) * std::fabs(static_cast<long double>(C0[at]));
      }
      const double tol = (c.K + 4) * eps * static_cast<double>(scale) + 1e-300;
      const double err = std::fabs(static_cast<double>(C[at] - expected));
      if (!(err <= tol)) {  // also catches NaN
        char msg[200];
        std::snprintf(msg, sizeof msg, "C(%d,%d) = %.9g, expected %.9g (err %.3g > tol %.3g)", i,
                      j, static_cast<double>(C[at]), static_cast<double>(expected), err, tol);
        return msg;
      }
    }
  }
  return "";
}

std::string describe(const GemmCase& c) {
  char s[200];
  std::snprintf(s, sizeof s,
                "transA=%d transB=%d M=%d N=%d K=%d alpha=%g beta=%g pads=%d,%d,%d offset=%d nanC=%d",
                c.transA, c.transB, c.M, c.N, c.K, c.alpha, c.beta, c.pad_a, c.pad_b, c.pad_c,
                c.offset, c.nan_c);
  return s;
}

// The case list: small sizes exhaustively, then shapes that cross each cache
// block boundary (KC = 256, MC, NC up to 2048) and the in-place/packed B choice.
std::vector<GemmCase> make_cases() {
  std::vector<GemmCase> cases;
  const int small[] = {0, 1, 2, 7, 17, 33};
  const double alphas_betas[][2] = {{1, 0}, {0.5, -1.5}, {-2, 1}, {0, 2}};
  int variant = 0;
  for (int tA = 0; tA < 2; ++tA)
    for (int tB = 0; tB < 2; ++tB)
      for (int M : small)
        for (int N : small)
          for (int K : small) {
            const double* ab = alphas_betas[variant % 4];
            const bool strided = variant % 3 == 1;
            cases.push_back({tA == 1, tB == 1, M, N, K, ab[0], ab[1], strided ? 3 : 0,
                             strided ? 5 : 0, strided ? 2 : 0, variant % 2, false});
            ++variant;
          }
  const int big[][3] = {{100, 100, 100}, {257, 33, 17}, {17, 257, 33}, {33, 17, 257},
                        {100, 257, 100},  // ldb > 1 KiB with many rows: packed B
                        {29, 40, 300},    // K > KC: beta applied once, then accumulation
                        {300, 65, 40},    // M > MC
                        {20, 2100, 20},   // N > NC
                        {1, 300, 257},    {300, 1, 257},  // row / column vectors: plain loops
                        {25, 40, 40},     {64, 64, 64},   {257, 257, 257}};
  for (int tA = 0; tA < 2; ++tA)
    for (int tB = 0; tB < 2; ++tB)
      for (const auto& s : big) {
        cases.push_back({tA == 1, tB == 1, s[0], s[1], s[2], 1, 0, 0, 0, 0, 0, false});
        cases.push_back({tA == 1, tB == 1, s[0], s[1], s[2], -0.75, 0.25, 7, 1, 9, 1, false});
      }
  // beta == 0 must overwrite C without reading it: C starts as NaN.
  const int nan_shapes[][3] = {{1, 1, 1}, {7, 33, 17}, {100, 100, 100}, {5, 5, 0}, {14, 32, 1}};
  for (const auto& s : nan_shapes)
    for (int tA = 0; tA < 2; ++tA)
      cases.push_back({tA == 1, tA == 0, s[0], s[1], s[2], 1.5, 0, 0, 2, 1, 1, true});
  // alpha == 0 with beta == 0 also clears NaN.
  cases.push_back({false, false, 9, 9, 9, 0, 0, 0, 0, 0, 0, true});
  return cases;
}

template <typename T>
int run_cases_for(GemmKernel kernel, const char* type_name) {
  std::mt19937 rng(12345);
  const std::vector<GemmCase> cases = make_cases();
  int failures = 0;
  for (const GemmCase& c : cases) {
    const std::string why = run_case<T>(kernel, c, rng);
    if (!why.empty()) {
      if (failures < 5) {
        std::printf("  FAIL %s %s: %s: %s\n", type_name,
                    metalearn::cpu::gemm_kernel_name(kernel), describe(c).c_str(), why.c_str());
      }
      ++failures;
    }
  }
  std::printf("%s gemm [%s]: %zu cases, %d failed\n", type_name,
              metalearn::cpu::gemm_kernel_name(kernel), cases.size(), failures);
  return failures;
}

// Several threads run the default sgemm/dgemm at once on their own data; each
// result must be bit-identical to the same call made alone.
int run_concurrency_test() {
  const int kThreads = 4, kRepeats = 10;
  const int shapes[][3] = {{64, 64, 64}, {25, 40, 40}, {130, 70, 300}, {7, 300, 9}};
  const int kShapes = 4;
  std::vector<std::vector<float>> As(kShapes), Bs(kShapes), expected(kShapes);
  std::vector<std::vector<double>> Ad(kShapes), Bd(kShapes), expected_d(kShapes);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (int s = 0; s < kShapes; ++s) {
    const int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
    As[s].resize(M * K);
    Bs[s].resize(K * N);
    for (float& x : As[s]) x = uniform(rng);
    for (float& x : Bs[s]) x = uniform(rng);
    Ad[s].assign(As[s].begin(), As[s].end());
    Bd[s].assign(Bs[s].begin(), Bs[s].end());
    expected[s].assign(M * N, 0.0f);
    expected_d[s].assign(M * N, 0.0);
    metalearn::cpu::sgemm(false, false, M, N, K, 1.0f, As[s].data(), K, Bs[s].data(), N, 0.0f,
                          expected[s].data(), N);
    metalearn::cpu::dgemm(false, false, M, N, K, 1.0, Ad[s].data(), K, Bd[s].data(), N, 0.0,
                          expected_d[s].data(), N);
  }
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRepeats; ++r) {
        const int s = (t + r) % kShapes;
        const int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        std::vector<float> C(M * N, 0.0f);
        std::vector<double> Cd(M * N, 0.0);
        metalearn::cpu::sgemm(false, false, M, N, K, 1.0f, As[s].data(), K, Bs[s].data(), N,
                              0.0f, C.data(), N);
        metalearn::cpu::dgemm(false, false, M, N, K, 1.0, Ad[s].data(), K, Bd[s].data(), N, 0.0,
                              Cd.data(), N);
        if (std::memcmp(C.data(), expected[s].data(), C.size() * sizeof(float)) != 0 ||
            std::memcmp(Cd.data(), expected_d[s].data(), Cd.size() * sizeof(double)) != 0) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  int failures = 0;
  for (int m : mismatches) failures += m;
  std::printf("gemm concurrency: %d threads x %d calls, %d mismatched\n", kThreads, kRepeats,
              failures);
  return failures;
}

}  // namespace

int run_gemm_tests() {
  using metalearn::cpu::gemm_kernel_supported;
  std::printf("gemm: default kernel on this CPU: %s\n", metalearn::cpu::gemm_kernel_name());
  int failures = 0;
  const GemmKernel kernels[] = {GemmKernel::Generic, GemmKernel::Avx2, GemmKernel::Avx512};
  for (GemmKernel kernel : kernels) {
    if (!gemm_kernel_supported(kernel)) {
      std::printf("gemm [%s]: skipped (not supported by this CPU)\n",
                  metalearn::cpu::gemm_kernel_name(kernel));
      continue;
    }
    failures += run_cases_for<float>(kernel, "float32");
    failures += run_cases_for<double>(kernel, "float64");
  }
  failures += run_concurrency_test();
  std::printf("gemm tests: %s (%d failures)\n", failures == 0 ? "PASS" : "FAIL", failures);
  return failures;
}

#ifdef GEMM_TEST_MAIN
int main() { return run_gemm_tests() == 0 ? 0 : 1; }
#endif
