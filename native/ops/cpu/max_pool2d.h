// 2-D max pooling (no padding, NCHW) and its two derivative helpers, which reuse the argmax of
// each window of x. Ties: the first maximum in row-major order within the window wins.
// x [N,C,H,W]; pooled [N,C,OH,OW], OH = (H - KH) / SH + 1.
#pragma once
#include <cstdint>

namespace ml::cpu {

struct Pool2dGeometry {
  int64_t N, C, H, W;
  int64_t KH, KW, SH, SW;
  int64_t OH, OW;
};

template <class T>
void max_pool2d_forward(T* out, const T* x, const Pool2dGeometry& g);
// out (pooled) = t (shaped like x) at x's window argmax positions.
template <class T>
void max_pool2d_select(T* out, const T* x, const T* t, const Pool2dGeometry& g);
// out (shaped like x) = zeros plus g (pooled) added at x's window argmax positions.
template <class T>
void max_pool2d_scatter(T* out, const T* x, const T* grad, const Pool2dGeometry& g);

}  // namespace ml::cpu
