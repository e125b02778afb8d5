// bconv2d_popc: binary 2-D convolution as an implicit GEMM on CUDA cores (AND + popcount).
//
// GEMM view: M = N * H_out * W_out output pixels, N = C_out, K = kh * kw * C_words. Activations
// are NHWC with channels packed (X [N, H, W, Cw], pa_pixel [N, H, W] = set bits per pixel),
// weights [C_out, kh, kw, Cw] with pb_tap [C_out, kh, kw] = set bits per tap. Output is the GEMM
// output [M, C_out] (NHWC), int32 or packed sign bits, via the shared 64 x 64 epilogue.
//
// Borders: padding is absent input, contributing nothing (not -1). The loop runs tap by tap;
// for a tap inside the image it adds 4*popc(x AND w) - 2*pa - 2*pb + C, for a tap outside it
// adds 0 (its words load as zero and the correction is skipped). The CPU emulation of this loop
// is neurocost.hw.ref_bconv.bconv2d_implicit_gemm_emulated. Groups are not supported.
#include "common.cuh"

#define CV_THREADS 256
#define CV_TILE_K 16
#define CV_LDS (CV_TILE_K + 1)

extern "C" __global__ void __launch_bounds__(CV_THREADS)
bconv2d_popc(const u32* __restrict__ X, const int* __restrict__ pa_pixel,
             const u32* __restrict__ W, const int* __restrict__ pb_tap, int batch, int H,
             int Wd, int Cw, int C, int C_out, int kh, int kw, int stride, int pad, int dilation,
             int H_out, int W_out, int* __restrict__ out_dot, u32* __restrict__ out_bits,
             const int* __restrict__ thresholds) {
  __shared__ u32 x_tile[OUT_TILE][CV_LDS];
  __shared__ u32 w_tile[OUT_TILE][CV_LDS];
  __shared__ int out_tile[OUT_TILE][OUT_LDS];
  __shared__ long long pixel_offset[OUT_TILE];  // word offset of the tap's input pixel, -1 if outside
  __shared__ int pixel_pop[OUT_TILE];
  __shared__ int tap_pop[OUT_TILE];
  const int P = batch * H_out * W_out;
  const int m0 = blockIdx.y * OUT_TILE;
  const int n0 = blockIdx.x * OUT_TILE;
  const int ty = threadIdx.x / 16;
  const int tx = threadIdx.x % 16;
  const int taps = kh * kw;
  int acc[4][4] = {};
  for (int tap = 0; tap < taps; ++tap) {
    const int r = tap / kw;
    const int s = tap - r * kw;
    for (int i = threadIdx.x; i < OUT_TILE; i += blockDim.x) {
      const int p = m0 + i;
      long long offset = -1;
      int pop = 0;
      if (p < P) {
        const int ow = p % W_out;
        const int oh = (p / W_out) % H_out;
        const int n = p / (W_out * H_out);
        const int ih = oh * stride - pad + r * dilation;
        const int iw = ow * stride - pad + s * dilation;
        if (ih >= 0 && ih < H && iw >= 0 && iw < Wd) {
          const long long pixel = ((long long)n * H + ih) * Wd + iw;
          offset = pixel * Cw;
          pop = pa_pixel[pixel];
        }
      }
      pixel_offset[i] = offset;
      pixel_pop[i] = pop;
      tap_pop[i] = n0 + i < C_out ? pb_tap[(long long)(n0 + i) * taps + tap] : 0;
    }
    __syncthreads();
    for (int c0 = 0; c0 < Cw; c0 += CV_TILE_K) {
      for (int idx = threadIdx.x; idx < OUT_TILE * CV_TILE_K; idx += blockDim.x) {
        const int i = idx / CV_TILE_K;
        const int w = idx - i * CV_TILE_K;
        const long long offset = pixel_offset[i];
        x_tile[i][w] = (offset >= 0 && c0 + w < Cw) ? X[offset + c0 + w] : 0u;
      }
      load_word_tile<CV_LDS>(w_tile, OUT_TILE, CV_TILE_K, W + (long long)tap * Cw,
                             (long long)taps * Cw, n0, C_out, c0, Cw);
      __syncthreads();
#pragma unroll
      for (int k = 0; k < CV_TILE_K; ++k) {
        u32 a[4], b[4];
#pragma unroll
        for (int i = 0; i < 4; ++i) a[i] = x_tile[ty + 16 * i][k];
#pragma unroll
        for (int j = 0; j < 4; ++j) b[j] = w_tile[tx + 16 * j][k];
#pragma unroll
        for (int i = 0; i < 4; ++i)
#pragma unroll
          for (int j = 0; j < 4; ++j) acc[i][j] += 4 * __popc(a[i] & b[j]);
      }
      __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      if (pixel_offset[ty + 16 * i] < 0) continue;
#pragma unroll
      for (int j = 0; j < 4; ++j)
        acc[i][j] -= 2 * pixel_pop[ty + 16 * i] + 2 * tap_pop[tx + 16 * j] - C;
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int j = 0; j < 4; ++j) out_tile[ty + 16 * i][tx + 16 * j] = acc[i][j];
  write_output_tile(out_tile, m0, n0, P, C_out, out_dot, out_bits, thresholds);
}
