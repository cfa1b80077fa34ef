// Softmax and log-softmax along the last axis, max-subtracted. x, out: [rows, cols].
#pragma once
#include <cstdint>

namespace ml::cpu {

template <class T>
void softmax_forward(T* out, const T* x, int64_t rows, int64_t cols);
template <class T>
void log_softmax_forward(T* out, const T* x, int64_t rows, int64_t cols);

}  // namespace ml::cpu
