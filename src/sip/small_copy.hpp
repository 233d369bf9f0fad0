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
#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace siplb::sip::small_copy {

#if defined(__SSE2__)
inline __m128i load16(const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline void store16(char* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
#endif
#if defined(__AVX2__)
inline __m256i load32(const char* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
inline void store32(char* p, __m256i v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
#endif

// Fewer than 16 octets, in either direction: everything is loaded before anything is stored.
inline void copy_short(char* dst, const char* src, std::size_t n) {
  if (n >= 8) {
    uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + n - 8, 8);
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else if (n > 0) {
    char a = src[0], b = src[n / 2], c = src[n - 1];  // n = 1..3: these three cover it
    dst[0] = a;
    dst[n / 2] = b;
    dst[n - 1] = c;
  }
}

// Copies n octets from src to dst. The ranges may overlap when dst <= src (moving text down):
// going forward, a store at dst + i ends before the next load at src + i + block size, and the
// last block is loaded before any store. Blocks of 32 octets with AVX2, else 16.
inline void copy_down(char* dst, const char* src, std::size_t n) {
#if defined(__AVX2__)
  if (n >= 32) {
    __m256i tail = load32(src + n - 32);
    for (std::size_t i = 0; i + 32 < n; i += 32) store32(dst + i, load32(src + i));
    store32(dst + n - 32, tail);
    return;
  }
#endif
#if defined(__SSE2__)
  if (n >= 16) {
    __m128i tail = load16(src + n - 16);
    for (std::size_t i = 0; i + 16 < n; i += 16) store16(dst + i, load16(src + i));
    store16(dst + n - 16, tail);
    return;
  }
#else
  if (n >= 16) return static_cast<void>(std::memmove(dst, src, n));
#endif
  copy_short(dst, src, n);
}

// The mirror of copy_down for dst >= src (moving text up): backward from the end, the first
// block loaded before any store.
inline void copy_up(char* dst, const char* src, std::size_t n) {
#if defined(__AVX2__)
  if (n >= 32) {
    __m256i head = load32(src);
    for (std::size_t i = n; i > 32; i -= 32) store32(dst + i - 32, load32(src + i - 32));
    store32(dst, head);
    return;
  }
#endif
#if defined(__SSE2__)
  if (n >= 16) {
    __m128i head = load16(src);
    for (std::size_t i = n; i > 16; i -= 16) store16(dst + i - 16, load16(src + i - 16));
    store16(dst, head);
    return;
  }
#else
  if (n >= 16) return static_cast<void>(std::memmove(dst, src, n));
#endif
  copy_short(dst, src, n);
}

}  // namespace siplb::sip::small_copy
