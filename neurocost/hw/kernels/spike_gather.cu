// spike_gather: event-driven accumulation y[b, :] = sum over active inputs k of Wt[k, :].
//
// Spikes arrive packed ([B, Kw] words); Wt is [K, N] row-major so the threads of a block read one
// weight row coalesced. Grid (ceil(N / 256), B): each thread owns one output column and walks the
// sample's set bits in ascending order with __ffs, so there are no atomics and the sum order is
// fixed (ascending k). The spike row is staged through shared memory 256 words at a time. Work
// is one weight read and one add per synaptic event (active input x output column), so the
// kernel is bound by weight bandwidth (reference/cuda.md s5.2).
#include "common.cuh"

#define SG_THREADS 256

// fp16 weights travel as their 16-bit patterns and are widened with one PTX cvt, which keeps
// the file free of cuda_fp16.h (NVRTC finds no system headers unless told where they are).
struct half_bits {
  unsigned short bits;
};

template <typename Weight, typename Acc>
__device__ __forceinline__ Acc widen(Weight w) { return (Acc)w; }

template <>
__device__ __forceinline__ float widen<half_bits, float>(half_bits w) {
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(w.bits));
  return f;
}

template <typename Weight, typename Acc>
__device__ __forceinline__ void gather_rows(const u32* __restrict__ spike_words, int Kw,
                                            const Weight* __restrict__ Wt, int N,
                                            Acc* __restrict__ y) {
  __shared__ u32 words[SG_THREADS];
  const int b = blockIdx.y;
  const int n = blockIdx.x * SG_THREADS + threadIdx.x;
  Acc acc = Acc(0);
  for (int w0 = 0; w0 < Kw; w0 += SG_THREADS) {
    const int count = Kw - w0 < SG_THREADS ? Kw - w0 : SG_THREADS;
    if (threadIdx.x < count) words[threadIdx.x] = spike_words[(long long)b * Kw + w0 + threadIdx.x];
    __syncthreads();
    if (n < N) {
      for (int w = 0; w < count; ++w) {
        u32 word = words[w];
        while (word) {
          const int k = 32 * (w0 + w) + __ffs(word) - 1;
          word &= word - 1;
          acc += widen<Weight, Acc>(Wt[(long long)k * N + n]);
        }
      }
    }
    __syncthreads();
  }
  if (n < N) y[(long long)b * N + n] = acc;
}

extern "C" __global__ void __launch_bounds__(SG_THREADS)
spike_gather_f32(const u32* __restrict__ spike_words, int Kw, const float* __restrict__ Wt, int N,
                 float* __restrict__ y) {
  gather_rows<float, float>(spike_words, Kw, Wt, N, y);
}

extern "C" __global__ void __launch_bounds__(SG_THREADS)
spike_gather_f16(const u32* __restrict__ spike_words, int Kw, const half_bits* __restrict__ Wt,
                 int N, float* __restrict__ y) {
  gather_rows<half_bits, float>(spike_words, Kw, Wt, N, y);
}

extern "C" __global__ void __launch_bounds__(SG_THREADS)
spike_gather_i8(const u32* __restrict__ spike_words, int Kw, const signed char* __restrict__ Wt,
                int N, int* __restrict__ y) {
  gather_rows<signed char, int>(spike_words, Kw, Wt, N, y);
}
