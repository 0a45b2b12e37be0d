#include "bitshuffle.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace daq::storage::detail {
namespace {

// Eight elements starting at `first`: output row (b * 8 + k), byte first / 8.
void transpose_eight(const std::byte* in, std::byte* out, std::size_t first, std::size_t count,
                     std::size_t elem_size) noexcept {
  const std::size_t row_bytes = count / 8;
  for (std::size_t b = 0; b < elem_size; ++b) {
    for (unsigned k = 0; k < 8; ++k) {
      unsigned bits = 0;
      for (unsigned j = 0; j < 8; ++j) {
        const auto byte = std::to_integer<unsigned>(in[(first + j) * elem_size + b]);
        bits |= ((byte >> k) & 1U) << j;
      }
      out[(b * 8 + k) * row_bytes + first / 8] = static_cast<std::byte>(bits);
    }
  }
}

#if defined(__SSE2__)
// Byte `b` of the 16 elements starting at `p`, as 16 bytes.
template <std::size_t ElemSize>
__m128i gather_byte(const std::byte* p, std::size_t b) noexcept {
  const auto* v = reinterpret_cast<const __m128i*>(p);
  if constexpr (ElemSize == 1) {
    return _mm_loadu_si128(v);
  } else if constexpr (ElemSize == 2) {
    const __m128i lo = _mm_loadu_si128(v);
    const __m128i hi = _mm_loadu_si128(v + 1);
    const int shift = static_cast<int>(8 * b);
    const __m128i mask = _mm_set1_epi16(0xFF);
    return _mm_packus_epi16(_mm_and_si128(_mm_srl_epi16(lo, _mm_cvtsi32_si128(shift)), mask),
                            _mm_and_si128(_mm_srl_epi16(hi, _mm_cvtsi32_si128(shift)), mask));
  } else {
    const __m128i count = _mm_cvtsi32_si128(static_cast<int>(8 * b));
    const __m128i mask = _mm_set1_epi32(0xFF);
    __m128i w[4];
    for (int i = 0; i < 4; ++i) {
      w[i] = _mm_and_si128(_mm_srl_epi32(_mm_loadu_si128(v + i), count), mask);
    }
    // Every lane is 0..255, so the saturating packs keep the values.
    return _mm_packus_epi16(_mm_packs_epi32(w[0], w[1]), _mm_packs_epi32(w[2], w[3]));
  }
}

template <std::size_t ElemSize>
std::size_t transpose_sse2(const std::byte* in, std::byte* out, std::size_t count) noexcept {
  const std::size_t row_bytes = count / 8;
  std::size_t first = 0;
  for (; first + 16 <= count; first += 16) {
    for (std::size_t b = 0; b < ElemSize; ++b) {
      __m128i bytes = gather_byte<ElemSize>(in + first * ElemSize, b);
      // movemask collects the top bit of each byte: bit 7 first, then shift the next one up.
      for (std::size_t k = 8; k-- > 0;) {
        const auto mask = static_cast<std::uint32_t>(_mm_movemask_epi8(bytes));
        std::byte* row = out + (b * 8 + k) * row_bytes + first / 8;
        row[0] = static_cast<std::byte>(mask & 0xFFU);
        row[1] = static_cast<std::byte>(mask >> 8);
        bytes = _mm_slli_epi16(bytes, 1);
      }
    }
  }
  return first;
}
#endif

}  // namespace

void bitshuffle_block(const std::byte* in, std::byte* out, std::size_t count,
                      std::size_t elem_size) noexcept {
  std::size_t done = 0;
#if defined(__SSE2__)
  switch (elem_size) {
    case 1: done = transpose_sse2<1>(in, out, count); break;
    case 2: done = transpose_sse2<2>(in, out, count); break;
    case 4: done = transpose_sse2<4>(in, out, count); break;
    default: break;
  }
#endif
  for (; done + 8 <= count; done += 8) transpose_eight(in, out, done, count, elem_size);
}

}  // namespace daq::storage::detail
