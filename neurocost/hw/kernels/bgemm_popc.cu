// bgemm_popc: binary GEMM on CUDA cores with AND + popcount and the +-1 correction.
//
// C[m, n] = dot+-1(A[m, :], B[n, :]) for A [M, Kw] and B [N, Kw] packed along K ("TN": both
// K-contiguous). Block: 256 threads, 64 x 64 outputs, 16 words (512 bits) of K per shared-memory
// stage; each thread keeps a 4 x 4 register tile at rows ty + 16*i, columns tx + 16*j so that a
// warp reads 16 distinct B rows (stride 17 words: no bank conflicts) and 2 broadcast A rows.
// The POPC pipe (16 per clock per SM on Hopper) bounds this kernel; see reference/cuda.md s4.
#include "common.cuh"

#define PC_THREADS 256
#define PC_TILE_K 16
#define PC_LDS (PC_TILE_K + 1)

extern "C" __global__ void __launch_bounds__(PC_THREADS)
bgemm_popc(const u32* __restrict__ A, const u32* __restrict__ B, const int* __restrict__ pa,
           const int* __restrict__ pb, int M, int N, int Kw, int K, int* __restrict__ out_dot,
           u32* __restrict__ out_bits, const int* __restrict__ thresholds) {
  __shared__ u32 a_tile[OUT_TILE][PC_LDS];
  __shared__ u32 b_tile[OUT_TILE][PC_LDS];
  __shared__ int out_tile[OUT_TILE][OUT_LDS];
  const int m0 = blockIdx.y * OUT_TILE;
  const int n0 = blockIdx.x * OUT_TILE;
  const int ty = threadIdx.x / 16;
  const int tx = threadIdx.x % 16;
  int acc[4][4] = {};
  for (int k0 = 0; k0 < Kw; k0 += PC_TILE_K) {
    load_word_tile<PC_LDS>(a_tile, OUT_TILE, PC_TILE_K, A, Kw, m0, M, k0, Kw);
    load_word_tile<PC_LDS>(b_tile, OUT_TILE, PC_TILE_K, B, Kw, n0, N, k0, Kw);
    __syncthreads();
#pragma unroll
    for (int k = 0; k < PC_TILE_K; ++k) {
      u32 a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) a[i] = a_tile[ty + 16 * i][k];
#pragma unroll
      for (int j = 0; j < 4; ++j) b[j] = b_tile[tx + 16 * j][k];
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] += __popc(a[i] & b[j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int r = ty + 16 * i;
    const int row_pop = m0 + r < M ? pa[m0 + r] : 0;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const int c = tx + 16 * j;
      const int col_pop = n0 + c < N ? pb[n0 + c] : 0;
      out_tile[r][c] = pm1_from_and(acc[i][j], row_pop, col_pop, K);
    }
  }
  write_output_tile(out_tile, m0, n0, M, N, out_dot, out_bits, thresholds);
}
