// bgemm_bmma: binary GEMM on tensor cores with mma.sync.m16n8k256 ... .b1.and.popc (sm_80+,
// lowered to BMMA.168256.AND.POPC on sm_90) and the +-1 correction in the epilogue.
//
// Never .xor.popc: on sm_90 ptxas emulates it with two AND BMMAs (reference/cuda.md s3.1).
// Same operands and outputs as bgemm_popc. Block: 4 warps, 64 x 64 outputs, 16 words (two
// k256 steps) per shared-memory stage; warp (wm, wn) owns rows 32*wm.., columns 32*wn.. as
// 2 x 4 MMA tiles. Fragment addressing follows the PTX ISA m16n8k256 .b1 tables and matches
// neurocost/hw/bmma_layout.py (group = lane / 4, thread = lane % 4):
//   a0 = A[group][thread], a1 = A[group + 8][thread], a2/a3 the same rows at word thread + 4;
//   b0 = B[col group][thread], b1 = B[col group][thread + 4];
//   c0, c1 = C[group][2 thread + 0/1], c2, c3 = C[group + 8][2 thread + 0/1].
// A row stride of 20 words spreads the 32 lanes' (group, thread) reads over 32 banks.
#include "common.cuh"

#define BM_THREADS 128
#define BM_TILE_K 16
#define BM_LDS 20
#define MMA_K_WORDS 8

__device__ __forceinline__ void mma_b1_and_popc(int c[4], const u32 a[4], const u32 b[2]) {
  asm volatile(
      "mma.sync.aligned.m16n8k256.row.col.s32.b1.b1.s32.and.popc "
      "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
      : "+r"(c[0]), "+r"(c[1]), "+r"(c[2]), "+r"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

extern "C" __global__ void __launch_bounds__(BM_THREADS)
bgemm_bmma(const u32* __restrict__ A, const u32* __restrict__ B, const int* __restrict__ pa,
           const int* __restrict__ pb, int M, int N, int Kw, int K, int* __restrict__ out_dot,
           u32* __restrict__ out_bits, const int* __restrict__ thresholds) {
  __shared__ u32 a_tile[OUT_TILE][BM_LDS];
  __shared__ u32 b_tile[OUT_TILE][BM_LDS];
  __shared__ int out_tile[OUT_TILE][OUT_LDS];
  const int m0 = blockIdx.y * OUT_TILE;
  const int n0 = blockIdx.x * OUT_TILE;
  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  const int group = lane >> 2;
  const int thread = lane & 3;
  const int warp_row = 32 * (warp >> 1);
  const int warp_col = 32 * (warp & 1);
  int acc[2][4][4] = {};
  for (int k0 = 0; k0 < Kw; k0 += BM_TILE_K) {
    load_word_tile<BM_LDS>(a_tile, OUT_TILE, BM_TILE_K, A, Kw, m0, M, k0, Kw);
    load_word_tile<BM_LDS>(b_tile, OUT_TILE, BM_TILE_K, B, Kw, n0, N, k0, Kw);
    __syncthreads();
#pragma unroll
    for (int ks = 0; ks < BM_TILE_K; ks += MMA_K_WORDS) {
      u32 a[2][4], b[4][2];
#pragma unroll
      for (int mi = 0; mi < 2; ++mi) {
        const int r = warp_row + 16 * mi + group;
        a[mi][0] = a_tile[r][ks + thread];
        a[mi][1] = a_tile[r + 8][ks + thread];
        a[mi][2] = a_tile[r][ks + thread + 4];
        a[mi][3] = a_tile[r + 8][ks + thread + 4];
      }
#pragma unroll
      for (int nj = 0; nj < 4; ++nj) {
        const int c = warp_col + 8 * nj + group;
        b[nj][0] = b_tile[c][ks + thread];
        b[nj][1] = b_tile[c][ks + thread + 4];
      }
#pragma unroll
      for (int mi = 0; mi < 2; ++mi)
#pragma unroll
        for (int nj = 0; nj < 4; ++nj) mma_b1_and_popc(acc[mi][nj], a[mi], b[nj]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int mi = 0; mi < 2; ++mi)
#pragma unroll
    for (int nj = 0; nj < 4; ++nj)
#pragma unroll
      for (int reg = 0; reg < 4; ++reg) {
        const int r = warp_row + 16 * mi + group + 8 * (reg >> 1);
        const int c = warp_col + 8 * nj + 2 * thread + (reg & 1);
        const int row_pop = m0 + r < M ? pa[m0 + r] : 0;
        const int col_pop = n0 + c < N ? pb[n0 + c] : 0;
        out_tile[r][c] = pm1_from_and(acc[mi][nj][reg], row_pop, col_pop, K);
      }
  write_output_tile(out_tile, m0, n0, M, N, out_dot, out_bits, thresholds);
}
