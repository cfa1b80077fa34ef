// matmul: out [n,m] = op(a) [n,k] x op(b) [k,m]; a is stored [n,k] (or [k,n] when transA),
// b is stored [k,m] (or [m,k] when transB).
#pragma once
#include <cstdint>

namespace ml::cpu {

template <class T>
void matmul_forward(T* out, const T* a, const T* b, int64_t n, int64_t k, int64_t m, bool transA, bool transB);

}  // namespace ml::cpu
