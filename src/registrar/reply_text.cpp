// Reply header lines (see include/siplb/registrar/reply_text.hpp).
#include "siplb/registrar/reply_text.hpp"

#include <cstring>

#include "siplb/sip/accessors.hpp"

namespace siplb::registrar {

namespace {

// Appends to a fixed buffer; remembers running out instead of writing past it.
struct Writer {
  char* out;
  std::size_t capacity;
  std::size_t length = 0;
  bool overflow = false;

  void put(std::string_view s) {
    if (s.empty()) return;  // an empty view may hold a null pointer, which memcpy must not get
    if (overflow || s.size() > capacity - length) {
      overflow = true;
      return;
    }
    std::memcpy(out + length, s.data(), s.size());
    length += s.size();
  }
  void put_uint(uint64_t v, int min_digits = 1) {
    char digits[20];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n < min_digits) digits[n++] = '0';
    char text[20];
    for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
    put({text, static_cast<std::size_t>(n)});
  }
  std::size_t result() const { return overflow ? 0 : length; }
};

// q as RFC 3261 writes it: "1", "0", "0.5", "0.05", "0.123".
void put_q(Writer& w, uint16_t millis) {
  if (millis >= 1000) return w.put("1");
  if (millis == 0) return w.put("0");
  char text[5] = {'0', '.', static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                  static_cast<char>('0' + millis % 10)};
  std::size_t n = 5;
  while (text[n - 1] == '0') --n;
  w.put({text, n});
}

void contact_lines(Writer& w, const AorState& state, int64_t now_ms) {
  const int64_t now_s = seconds_of(now_ms);
  const uint8_t n = state.count <= kMaxContactsPerAor ? state.count : kMaxContactsPerAor;
  for (uint8_t i = 0; i < n; ++i) {
    const Binding& b = state.bindings[i];
    if (!binding_live(b, now_ms)) continue;
    w.put("Contact: <");
    w.put(b.contact_uri());
    w.put(">;expires=");
    w.put_uint(static_cast<uint64_t>(b.expires_at - now_s));
    if (b.has_q) {
      w.put(";q=");
      put_q(w, b.q_millis);
    }
    if (b.instance_length) {
      w.put(";+sip.instance=");
      w.put(b.instance_text());
    }
    if (b.reg_id) {
      w.put(";reg-id=");
      w.put_uint(b.reg_id);
    }
    w.put("\r\n");
  }
}

// Days since 1970-01-01 -> year, month, day (H. Hinnant's civil_from_days).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

void date_line(Writer& w, int64_t now_ms) {
  static constexpr const char* kDays[7] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // from 1970-01-01
  static constexpr const char* kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int64_t s = seconds_of(now_ms);
  int64_t days = s / 86400, rest = s % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  int64_t year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  if (year < 0 || year > 9999) {  // no four-digit year to write
    w.overflow = true;
    return;
  }
  w.put("Date: ");
  w.put(kDays[((days % 7) + 7) % 7]);
  w.put(", ");
  w.put_uint(day, 2);
  w.put(" ");
  w.put(kMonths[month - 1]);
  w.put(" ");
  w.put_uint(static_cast<uint64_t>(year), 4);
  w.put(" ");
  w.put_uint(static_cast<uint64_t>(rest / 3600), 2);
  w.put(":");
  w.put_uint(static_cast<uint64_t>(rest / 60 % 60), 2);
  w.put(":");
  w.put_uint(static_cast<uint64_t>(rest % 60), 2);
  w.put(" GMT\r\n");
}

void path_line(Writer& w, const sip::Message& request) {
  sip::ValueIterator it(request, sip::HeaderId::path);
  sip::Span value;
  bool first = true;
  while (it.next(value)) {
    w.put(first ? "Path: " : ",");
    w.put(request.text(value));
    first = false;
  }
  if (!first) w.put("\r\n");
}

}  // namespace

std::size_t write_contact_lines(const AorState& state, int64_t now_ms, char* out, std::size_t capacity) {
  Writer w{out, capacity};
  contact_lines(w, state, now_ms);
  return w.result();
}

std::size_t write_date_line(int64_t now_ms, char* out, std::size_t capacity) {
  Writer w{out, capacity};
  date_line(w, now_ms);
  return w.result();
}

std::size_t write_min_expires_line(uint32_t seconds, char* out, std::size_t capacity) {
  Writer w{out, capacity};
  w.put("Min-Expires: ");
  w.put_uint(seconds);
  w.put("\r\n");
  return w.result();
}

std::size_t write_path_line(const sip::Message& request, char* out, std::size_t capacity) {
  Writer w{out, capacity};
  path_line(w, request);
  return w.result();
}

bool write_register_reply(const RegisterResult& result, const AorState& next, const sip::Message& request,
                          int64_t now_ms, char* out, std::size_t capacity, std::size_t& written) {
  Writer w{out, capacity};
  if (result.code == 200) {
    contact_lines(w, next, now_ms);
    date_line(w, now_ms);
    path_line(w, request);
  } else if (result.code == 423) {
    w.put("Min-Expires: ");
    w.put_uint(result.min_expires);
    w.put("\r\n");
  }
  written = w.result();
  return !w.overflow;
}

}  // namespace siplb::registrar
