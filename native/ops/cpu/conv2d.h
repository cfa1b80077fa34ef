// 2-D convolution (cross-correlation, zero padding, NCHW) as im2col + GEMM, and its two
// backward ops. Shapes: x [N,C,H,W], w [O,C,KH,KW], out/g [N,O,OH,OW].
#pragma once
#include <cstddef>
#include <cstdint>

namespace ml::cpu {

struct Conv2dGeometry {
  int64_t N, C, H, W;   // input
  int64_t O, KH, KW;    // filters
  int64_t SH, SW, PH, PW;
  int64_t OH, OW;       // OH = (H + 2 PH - KH) / SH + 1
};

template <class T>
void conv2d_forward(T* out, const T* x, const T* w, const Conv2dGeometry& g);
// dx [N,C,H,W] = d(conv)/dx applied to dy [N,O,OH,OW].
template <class T>
void conv2d_backward_input(T* dx, const T* dy, const T* w, const Conv2dGeometry& g);
// dw [O,C,KH,KW] = d(conv)/dw applied to dy.
template <class T>
void conv2d_backward_weight(T* dw, const T* x, const T* dy, const Conv2dGeometry& g);

}  // namespace ml::cpu
