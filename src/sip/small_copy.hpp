// Inline copies for the short pieces the editor moves (a few to a few hundred octets): a libc
// memcpy/memmove call costs more in dispatch than these pieces take to copy. Internal to src/sip;
// pure functions, any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace siplb::sip::small_copy {

#if defined(__SSE2__)
inline __m128i load16(const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline void store16(char* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
#endif

// Copies n octets from src to dst. The ranges may overlap when dst <= src (moving text down):
// every block is loaded before a store could overwrite it (going forward, a store at dst + i ends
// before the next load at src + i + 16, and the last block is loaded first). Short sizes use two
// overlapping loads, both taken before either store.
inline void copy_down(char* dst, const char* src, std::size_t n) {
  if (n >= 16) {
#if defined(__SSE2__)
    __m128i tail = load16(src + n - 16);
    for (std::size_t i = 0; i + 16 < n; i += 16) store16(dst + i, load16(src + i));
    store16(dst + n - 16, tail);
#else
    std::memmove(dst, src, n);
#endif
    return;
  }
  if (n >= 8) {
    uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + n - 8, 8);
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + n - 8, &b, 8);
    return;
  }
  if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}

}  // namespace siplb::sip::small_copy
