#include "kernels/reference/arg_max.h"

#include "core/check.h"

namespace edgeforge::kernels::reference {

template <typename In, typename Out>
void ArgMax(const ArgMaxParams& p, const In* input, Out* output) {
  EF_CHECK_GE(p.axis_size, 1);
  for (int64_t o = 0; o < p.outer; ++o) {
    for (int64_t i = 0; i < p.inner; ++i) {
      const In* column = input + o * p.axis_size * p.inner + i;
      In best = column[0];
      Out best_index = 0;
      for (int64_t a = 1; a < p.axis_size; ++a) {
        // Strictly greater: the first maximum wins (and a NaN never does, as in TFLite).
        if (column[a * p.inner] > best) {
          best = column[a * p.inner];
          best_index = static_cast<Out>(a);
        }
      }
      output[o * p.inner + i] = best_index;
    }
  }
}

#define EF_INSTANTIATE_ARG_MAX(In)                                              \
  template void ArgMax<In, int32_t>(const ArgMaxParams&, const In*, int32_t*); \
  template void ArgMax<In, int64_t>(const ArgMaxParams&, const In*, int64_t*);
EF_INSTANTIATE_ARG_MAX(float)
EF_INSTANTIATE_ARG_MAX(int8_t)
EF_INSTANTIATE_ARG_MAX(uint8_t)
EF_INSTANTIATE_ARG_MAX(int16_t)
EF_INSTANTIATE_ARG_MAX(int32_t)
EF_INSTANTIATE_ARG_MAX(int64_t)
#undef EF_INSTANTIATE_ARG_MAX

}  // namespace edgeforge::kernels::reference
