// pack_bits: values -> packed uint32 words (bit = value > 0) plus each row's popcount.
//
// One warp per row: lane j reads element 32*w + j (coalesced), __ballot_sync turns the 32
// predicates into word w with lane j at bit j (the LSB-first layout), and lane 0 writes the
// word and keeps the running popcount, so no atomics are needed.
#include "common.cuh"

template <typename T>
__device__ __forceinline__ void pack_rows(const T* __restrict__ x, int rows, int k,
                                          u32* __restrict__ words, int* __restrict__ popcounts) {
  const int lane = threadIdx.x & 31;
  const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  if (row >= rows) return;
  const int kw = (k + 31) / 32;
  const T* src = x + (long long)row * k;
  int count = 0;
  for (int w = 0; w < kw; ++w) {
    const int idx = 32 * w + lane;
    const bool bit = idx < k && src[idx] > T(0);
    const u32 word = __ballot_sync(FULL_MASK, bit);
    if (lane == 0) {
      words[(long long)row * kw + w] = word;
      count += __popc(word);
    }
  }
  if (lane == 0) popcounts[row] = count;
}

extern "C" __global__ void pack_bits_f32(const float* __restrict__ x, int rows, int k,
                                         u32* __restrict__ words, int* __restrict__ popcounts) {
  pack_rows<float>(x, rows, k, words, popcounts);
}

extern "C" __global__ void pack_bits_u8(const unsigned char* __restrict__ x, int rows, int k,
                                        u32* __restrict__ words, int* __restrict__ popcounts) {
  pack_rows<unsigned char>(x, rows, k, words, popcounts);
}
