// Shared pieces of the neurocost hw/ kernels.
//
// Written for NVRTC as well as nvcc: no standard headers, so the integer types are plain typedefs.
// Bit layout (see neurocost/hw/layout.py): bit j of uint32 word w is element 32*w + j; bit 1
// means +1 (binary networks) or a spike.
#pragma once

typedef unsigned int u32;
#define FULL_MASK 0xffffffffu

// Every GEMM-shaped kernel (popcount GEMM, tensor-core GEMM, binary convolution) produces a
// 64 x 64 output tile per block, so one epilogue serves all of them.
#define OUT_TILE 64
#define OUT_LDS (OUT_TILE + 1)  // +1 word per row keeps column walks free of bank conflicts

// Copy a [tile_rows x tile_words] block of packed words into shared memory; rows past
// rows_total and words past words_total read as zero (AND with zero adds nothing).
template <int LDS>
__device__ __forceinline__ void load_word_tile(u32 (*dst)[LDS], int tile_rows, int tile_words,
                                               const u32* __restrict__ src, long long row_stride,
                                               int row0, int rows_total, int word0,
                                               int words_total) {
  for (int idx = threadIdx.x; idx < tile_rows * tile_words; idx += blockDim.x) {
    const int r = idx / tile_words;
    const int w = idx - r * tile_words;
    const int row = row0 + r;
    const int word = word0 + w;
    dst[r][w] = (row < rows_total && word < words_total)
                    ? src[(long long)row * row_stride + word] : 0u;
  }
}

// The +-1 dot product from an AND-popcount: 4*popc(a AND b) - 2*pa - 2*pb + K.
// Hopper runs only .and.popc natively on tensor cores, so every kernel uses this identity.
__device__ __forceinline__ int pm1_from_and(int and_count, int pa, int pb, int k_bits) {
  return 4 * and_count - 2 * pa - 2 * pb + k_bits;
}

// Write a finished 64 x 64 tile of +-1 dot products (rows m0.., columns n0..) either as int32
// [M, N] (out_bits == 0) or as packed sign bits [M, ceil(N/32)] with bit = dot >= threshold[n]
// (threshold 0 when thresholds == 0). Bits past N stay zero.
__device__ __forceinline__ void write_output_tile(const int (*tile)[OUT_LDS], int m0, int n0,
                                                  int M, int N, int* __restrict__ out_dot,
                                                  u32* __restrict__ out_bits,
                                                  const int* __restrict__ thresholds) {
  __syncthreads();
  if (out_bits == 0) {
    for (int idx = threadIdx.x; idx < OUT_TILE * OUT_TILE; idx += blockDim.x) {
      const int r = idx / OUT_TILE;
      const int c = idx - r * OUT_TILE;
      if (m0 + r < M && n0 + c < N) out_dot[(long long)(m0 + r) * N + n0 + c] = tile[r][c];
    }
    return;
  }
  const int words_n = (N + 31) / 32;
  const int tile_words = OUT_TILE / 32;
  for (int idx = threadIdx.x; idx < OUT_TILE * tile_words; idx += blockDim.x) {
    const int r = idx / tile_words;
    const int w = idx - r * tile_words;
    const int word_index = n0 / 32 + w;
    if (m0 + r >= M || word_index >= words_n) continue;
    u32 bits = 0u;
    for (int j = 0; j < 32; ++j) {
      const int n = n0 + 32 * w + j;
      const int limit = thresholds ? thresholds[n < N ? n : 0] : 0;
      if (n < N && tile[r][32 * w + j] >= limit) bits |= 1u << j;
    }
    out_bits[(long long)(m0 + r) * words_n + word_index] = bits;
  }
}
