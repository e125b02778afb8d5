// lif_steps: T fused leaky integrate-and-fire steps per launch, spikes compacted to bit-words.
//
//   v_t = beta * v_{t-1} + I_t - threshold * s_{t-1},  s_t = [v_t > threshold],  s_{-1} = [v0 > threshold]
// (snnTorch Leaky, reset by subtraction). The membrane stays in a register for all T steps,
// so memory traffic is one current read per neuron-step plus one spike bit. Arithmetic uses
// explicit round-to-nearest intrinsics so no multiply-add is fused: the NumPy reference
// (neurocost.hw.ref_spikes.lif_steps) then matches bit for bit.
//
// Grid (ceil(N / 256), B), 256 threads: thread = neuron, warp ballot = one spike word, and a
// per-block sum of the warps' popcounts is added to counts[t, b] (which the caller zeroes).
#include "common.cuh"

#define LIF_THREADS 256

extern "C" __global__ void __launch_bounds__(LIF_THREADS)
lif_steps(const float* __restrict__ currents, const float* __restrict__ v0, int T, int B, int N,
          float beta, float threshold, u32* __restrict__ spike_words, int* __restrict__ counts,
          float* __restrict__ v_final) {
  __shared__ int warp_counts[LIF_THREADS / 32];
  const int b = blockIdx.y;
  const int n = blockIdx.x * LIF_THREADS + threadIdx.x;
  const int lane = threadIdx.x % 32;
  const int warp = threadIdx.x / 32;
  const int words_n = (N + 31) / 32;
  const int word_index = n / 32;
  const bool alive = n < N;
  float v = alive ? v0[(long long)b * N + n] : 0.0f;
  bool fired = alive && v > threshold;
  for (int t = 0; t < T; ++t) {
    if (alive) {
      const float current = currents[((long long)t * B + b) * N + n];
      v = __fsub_rn(__fadd_rn(__fmul_rn(beta, v), current), fired ? threshold : 0.0f);
      fired = v > threshold;
    }
    const u32 word = __ballot_sync(FULL_MASK, alive && fired);
    if (lane == 0) {
      if (word_index < words_n) spike_words[((long long)t * B + b) * words_n + word_index] = word;
      warp_counts[warp] = __popc(word);
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      int total = 0;
      for (int w = 0; w < LIF_THREADS / 32; ++w) total += warp_counts[w];
      if (total) atomicAdd(&counts[t * B + b], total);
    }
    __syncthreads();
  }
  if (alive) v_final[(long long)b * N + n] = v;
}
