// The scanning and copying helpers of src/sip (scan.hpp, small_copy.hpp), checked against plain
// byte loops for every length and hit position around the 8- and 16-octet block sizes, so that
// the block tails (overlapping loads inside the range) are covered.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "sip/header_lookup.hpp"
#include "sip/scan.hpp"
#include "sip/small_copy.hpp"

namespace siplb::sip {
namespace {

constexpr std::size_t kMaxLen = 70;

// Runs `check` on every range of 0..kMaxLen octets of filler with `hit` placed at each position
// (and once without it), each in its own exactly-sized heap buffer so ASan sees any over-read.
template <class Check>
void for_each_range(char filler, char hit, Check check) {
  for (std::size_t n = 0; n <= kMaxLen; ++n) {
    for (std::size_t at = 0; at <= n; ++at) {  // at == n: no hit
      std::unique_ptr<char[]> buf(new char[n == 0 ? 1 : n]);
      std::memset(buf.get(), filler, n);
      if (at < n) buf[at] = hit;
      check(buf.get(), n, at);
    }
  }
}

TEST(Scan, FindersStopAtTheFirstHitOrTheEnd) {
  for (char hit : {'\n', ':', ' ', '\t', '\r'})
    for_each_range('a', hit, [&](const char* p, std::size_t n, std::size_t at) {
      EXPECT_EQ(scan::find_name_end(p, p + n), p + at) << n << " " << at;
      if (hit == '\n') {
        EXPECT_EQ(scan::find_lf(p, p + n), p + at) << n << " " << at;
      }
      EXPECT_EQ(scan::has_no_lws(p, p + n), at == n || hit == ':') << n << " " << at;
    });
  for (char hit : {',', '"', '<', '>'})
    for_each_range('a', hit, [&](const char* p, std::size_t n, std::size_t at) {
      EXPECT_EQ(scan::find_value_delimiter(p, p + n), p + at) << n << " " << at;
      EXPECT_EQ(scan::find_uri_stop(p, p + n), hit == ',' ? p + n : p + at) << n << " " << at;
    });
  for (char hit : {' ', '\x01', '\x7f', '\x1f'})
    for_each_range('x', hit, [&](const char* p, std::size_t n, std::size_t at) {
      EXPECT_EQ(scan::find_uri_stop(p, p + n), p + at) << n << " " << at;
    });
}

TEST(Scan, ClassSkipsAgreeWithTheTableForEveryOctet) {
  for (uint8_t cls : {scan::kToken, scan::kLws, scan::kDigit, scan::kHostChar, scan::kUriStop, scan::kParamValue}) {
    char filler = 0;
    while (!scan::is(filler, cls)) ++filler;
    for (int octet = 0; octet < 256; ++octet) {
      char hit = static_cast<char>(octet);
      for_each_range(filler, hit, [&](const char* p, std::size_t n, std::size_t at) {
        std::size_t expect = at < n && !scan::is(hit, cls) ? at : n;
        ASSERT_EQ(scan::skip_class(p, p + n, cls), p + expect) << int{cls} << " " << octet << " " << n << " " << at;
        if (cls == scan::kToken) {
          ASSERT_EQ(scan::skip_token(p, p + n), p + expect);
        }
      });
    }
  }
  for_each_range('a', '@', [&](const char* p, std::size_t n, std::size_t at) {
    EXPECT_EQ(scan::find_octet(p, p + n, '@'), p + at) << n << " " << at;
  });
}

// With a floor, a short range is read as the block ending at its end: the octets before the range
// (here all hits) must not count.
TEST(Scan, ShortRangesAboveAFloor) {
  for (std::size_t n = 0; n <= 40; ++n)
    for (std::size_t at = 0; at <= n; ++at) {
      std::unique_ptr<char[]> buf(new char[20 + n]);
      std::memset(buf.get(), '@', 20);
      std::memset(buf.get() + 20, 'a', n);
      if (at < n) buf[20 + at] = '@';
      const char* p = buf.get() + 20;
      EXPECT_EQ(scan::find_octet(p, p + n, '@', buf.get()), p + at) << n << " " << at;
      EXPECT_EQ(scan::skip_class(p, p + n, scan::kToken, buf.get()), p + at) << n << " " << at;
    }
}

TEST(Scan, ParseUintSaturatesAtTheLimit) {
  struct Case {
    const char* text;
    uint64_t limit;
    uint64_t value;
    bool overflow;
    std::size_t used;
  };
  const Case cases[] = {
      {"0", 255, 0, false, 1},
      {"70;", 255, 70, false, 2},
      {"255", 255, 255, false, 3},
      {"256", 255, 256, true, 3},
      {"65535 x", 65535, 65535, false, 5},
      {"65536", 65535, 65536, true, 5},
      {"0000000000000000000000000000000042", 65535, 42, false, 34},  // leading zeros past 19 digits
      {"99999999999999999999999", 0xffffffffu, 0x100000000u, true, 23},
      {"18446744073709551615", 0xffffffffffffffffull - 1, 0xffffffffffffffffull, true, 20},
      {"9999999999999999999", 0xffffffffu, 0x100000000u, true, 19},
  };
  for (const Case& c : cases) {
    std::string text = c.text;
    uint64_t v = 7;
    bool overflow = false;
    const char* e = scan::parse_uint(text.data(), text.data() + text.size(), c.limit, v, overflow);
    ASSERT_NE(e, nullptr) << c.text;
    EXPECT_EQ(static_cast<std::size_t>(e - text.data()), c.used) << c.text;
    EXPECT_EQ(v, c.value) << c.text;
    EXPECT_EQ(overflow, c.overflow) << c.text;
  }
  uint64_t v = 0;
  bool overflow = true;
  std::string none = "x1";
  EXPECT_EQ(scan::parse_uint(none.data(), none.data() + none.size(), 10, v, overflow), nullptr);
}

TEST(Scan, NameEndAndLineEndAsTheSeparateScans) {
  for (char hit : {'\x01', '\x1f', ':', ' ', '\t', '\r', '\n', '\x7f', '\x80', 'x'})
    for_each_range('a', hit, [&](const char* p, std::size_t n, std::size_t at) {
      auto both = scan::find_name_end_and_lf(p, p + n);
      EXPECT_EQ(both.name_end, scan::find_name_end(p, p + n)) << int{hit} << " " << n << " " << at;
      EXPECT_EQ(both.lf, scan::find_lf(p, p + n)) << int{hit} << " " << n << " " << at;
    });
  // A control octet in the name, then the real stop and the LF.
  std::string line = "Na\x01me: value that is long enough for a block\r\nX";
  auto both = scan::find_name_end_and_lf(line.data(), line.data() + line.size());
  EXPECT_EQ(both.name_end - line.data(), 5);  // the colon
  EXPECT_EQ(both.lf - line.data(), static_cast<std::ptrdiff_t>(line.find('\n')));
}

// The parser's lookup (16 octets compared at once inside the message) and the plain one agree on
// every known name in three cases, on near misses, and on names running to the buffer's end.
TEST(HeaderLookup, InBufferAsPlain) {
  std::vector<std::string> names;
  for (std::size_t id = 0; id < kHeaderIdCount; ++id) {
    std::string full(header_full_name(static_cast<HeaderId>(id)));
    if (full.empty()) continue;
    std::string lower = full, upper = full;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const std::string& n : {full, lower, upper}) {
      names.push_back(n);
      std::string last = n, first = n, longer = n, middle = n;
      last.back() = 'x';  // last octet differs
      first[0] = 'x';     // first octet differs
      longer += 's';
      middle[n.size() / 2] = '_';
      for (const std::string& v : {last, first, longer, middle}) names.push_back(v);
    }
  }
  for (const char* other : {"v", "V", "X-Custom", "Via-", "Contact\x80", "To\x01", "Max-Forwardz"}) names.push_back(other);
  for (const std::string& n : names)
    for (const std::string& after : {std::string(": value that runs past sixteen octets\r\n"), std::string()}) {
      std::string buf = n + after;
      std::unique_ptr<char[]> exact(new char[buf.size()]);  // ASan sees any read past the buffer
      std::memcpy(exact.get(), buf.data(), buf.size());
      EXPECT_EQ(header_lookup::find_in_buffer(exact.get(), n.size(), exact.get() + buf.size()),
                header_lookup::find(n.data(), n.size()))
          << n;
    }
}

TEST(Scan, LineBreakCheckSeesEveryPosition) {
  for (char hit : {'\r', '\n', '\x0b', '\x8d'})
    for_each_range('a', hit, [&](const char* p, std::size_t n, std::size_t at) {
      bool is_break = hit == '\r' || hit == '\n';
      EXPECT_EQ(scan::has_no_line_break(p, p + n), at == n || !is_break) << n << " " << at;
    });
}

TEST(SmallCopy, CopiesApartAndOverlappingInTheirDirection) {
  for (std::size_t n = 0; n <= kMaxLen; ++n) {
    for (std::size_t shift = 0; shift <= 40; ++shift) {
      std::string a(kMaxLen + 96, '\0');
      for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<char>('A' + i % 61);
      // Down by `shift` inside one buffer (shift 0: onto itself).
      std::string down = a, expect = a;
      small_copy::copy_down(down.data() + 4, down.data() + 4 + shift, n);
      std::memmove(expect.data() + 4, expect.data() + 4 + shift, n);
      EXPECT_EQ(down, expect) << "down " << n << " " << shift;
      // Up by `shift`.
      std::string up = a;
      expect = a;
      small_copy::copy_up(up.data() + 4 + shift, up.data() + 4, n);
      std::memmove(expect.data() + 4 + shift, expect.data() + 4, n);
      EXPECT_EQ(up, expect) << "up " << n << " " << shift;
    }
    // Between two buffers.
    std::string src(n, 'q'), dst(n + 2, '-');
    for (std::size_t i = 0; i < n; ++i) src[i] = static_cast<char>('a' + i % 26);
    small_copy::copy_down(dst.data() + 1, src.data(), n);
    EXPECT_EQ(dst, "-" + src + "-");
    std::string dst2(n + 2, '-');
    small_copy::copy_up(dst2.data() + 1, src.data(), n);
    EXPECT_EQ(dst2, "-" + src + "-");
  }
}

}  // namespace
}  // namespace siplb::sip
