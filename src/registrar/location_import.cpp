// OpenSIPS/Kamailio location table import (see include/siplb/registrar/location_import.hpp).
#include "siplb/registrar/location_import.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "siplb/net/address.hpp"
#include "siplb/registrar/aor.hpp"
#include "siplb/registrar/register.hpp"
#include "siplb/text/db_text.hpp"

namespace siplb::registrar {

namespace {

namespace db_text = text::db_text;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// (Appends rather than operator+: GCC 12 warns falsely (-Wrestrict) on "'" + std::string.)
std::string quoted(std::string_view s) {
  std::string q;
  q.reserve(s.size() + 2);
  q.push_back('\'');
  q.append(s);
  q.push_back('\'');
  return q;
}

bool parse_int64(std::string_view s, int64_t& out) {
  s = trim(s);
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = negative ? -v : v;
  return true;
}

// Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// A Unix time, or 'YYYY-MM-DD HH:MM:SS' (UTC) as Kamailio writes datetime columns.
bool parse_time(std::string_view s, int64_t& out) {
  s = trim(s);
  if (parse_int64(s, out)) return true;
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':')
    return false;
  auto number = [&](std::size_t at, std::size_t n, int64_t& v) {
    v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    return true;
  };
  int64_t y, mo, d, h, mi, se;
  if (!number(0, 4, y) || !number(5, 2, mo) || !number(8, 2, d) || !number(11, 2, h) || !number(14, 2, mi) ||
      !number(17, 2, se))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  out = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + se;
  return true;
}

// "sip:192.0.2.10:5062", "sip:[2001:db8::1]:5060;transport=udp", "192.0.2.10" -> Source.
bool parse_received(std::string_view s, Source& out) {
  s = trim(s);
  for (std::string_view scheme : {"sips:", "sip:"})
    if (s.size() > scheme.size() && std::equal(scheme.begin(), scheme.end(), s.begin(),
                                               [](char a, char b) { return a == lower(b); })) {
      s.remove_prefix(scheme.size());
      break;
    }
  s = s.substr(0, s.find_first_of(";?"));
  std::string_view host = s, port_text;
  if (!s.empty() && s.front() == '[') {
    const std::size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    host = s.substr(0, close + 1);
    if (close + 1 < s.size()) {
      if (s[close + 1] != ':') return false;
      port_text = s.substr(close + 2);
      if (port_text.empty()) return false;
    }
  } else if (const std::size_t colon = s.find(':'); colon != std::string_view::npos) {
    host = s.substr(0, colon);
    port_text = s.substr(colon + 1);
    if (port_text.empty()) return false;
  }
  const std::optional<net::IpAddress> ip = net::parse_ip(host);
  if (!ip) return false;
  int64_t port = 5060;
  if (!port_text.empty() && (!parse_int64(port_text, port) || port < 1 || port > 65535 || port_text[0] == '-' ||
                             port_text[0] == '+'))
    return false;
  out = Source{};
  out.v6 = ip->is_v6();
  std::memcpy(out.ip, ip->bytes.data(), 16);
  out.port = static_cast<uint16_t>(port);
  return true;
}

// q as usrloc stores it: a double, -1 for none.
bool parse_q(std::string_view s, bool& has_q, uint16_t& millis) {
  s = trim(s);
  if (!s.empty() && s[0] == '-') {
    int64_t whole = 0;
    const std::string_view w = s.substr(0, s.find('.'));
    if (!parse_int64(w, whole) || whole != -1) return false;
    for (char c : s.substr(w.size() + (w.size() < s.size() ? 1 : 0)))
      if (c != '0') return false;
    has_q = false;
    millis = 1000;
    return true;
  }
  const std::size_t dot = s.find('.');
  int64_t whole = 0;
  if (!parse_int64(s.substr(0, dot), whole) || whole < 0 || whole > 1 || s[0] == '+') return false;
  int64_t frac = 0;
  if (dot != std::string_view::npos) {
    const std::string_view f = s.substr(dot + 1);
    if (f.empty()) return false;
    int64_t scale = 100;
    for (char c : f) {
      if (c < '0' || c > '9') return false;
      frac += (c - '0') * scale;  // past three digits: cut
      scale /= 10;
    }
  }
  if (whole == 1 && frac != 0) return false;
  has_q = true;
  millis = static_cast<uint16_t>(whole * 1000 + frac);
  return true;
}

LocationImport failure(std::string_view source, uint32_t line, uint32_t column, std::string column_name,
                       std::string reason) {
  LocationImport r;
  r.error = LocationImportError{std::string(source), line, column, std::move(column_name), std::move(reason)};
  return r;
}

}  // namespace

std::string LocationImportError::message() const {
  std::string m = source;
  if (line != 0) m.append(":").append(std::to_string(line));
  m.append(": ");
  if (column != 0) {
    m.append("column ").append(std::to_string(column));
    if (!column_name.empty()) m.append(" (").append(column_name).append(")");
    m.append(": ");
  }
  return m.append(reason);
}

LocationImport parse_location_table(std::string_view text, std::string_view source_name,
                                    const LocationImportOptions& options) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  LocationImport result;
  std::unordered_map<std::string, std::size_t> index_of_aor;
  std::vector<db_text::Column> columns;
  std::vector<db_text::Field> fields;
  db_text::Error error;
  uint32_t line_number = 0;
  const int64_t now_s = seconds_of(options.now_ms);
  auto column_of = [&](std::string_view name) { return db_text::find_column(columns, name); };
  int c_username = -1, c_domain = -1, c_contact = -1, c_received = -1, c_path = -1, c_expires = -1, c_q = -1,
      c_callid = -1, c_cseq = -1, c_modified = -1, c_instance = -1, c_reg_id = -1;

  while (!text.empty()) {
    ++line_number;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty() || trim(line).front() == '#') continue;

    if (columns.empty()) {
      if (!db_text::parse_header(line, columns, error))
        return failure(source_name, line_number, error.column, "", error.reason());
      for (const char* required : {"username", "contact", "expires"})
        if (column_of(required) < 0)
          return failure(source_name, line_number, 0, "",
                         std::string("the header has no '") + required + "' column: not a location table");
      c_username = column_of("username");
      c_domain = column_of("domain");
      c_contact = column_of("contact");
      c_received = column_of("received");
      c_path = column_of("path");
      c_expires = column_of("expires");
      c_q = column_of("q");
      c_callid = column_of("callid");
      c_cseq = column_of("cseq");
      c_modified = column_of("last_modified");
      c_instance = column_of("instance") >= 0 ? column_of("instance") : column_of("sip_instance");  // OpenSIPS: sip_instance
      c_reg_id = column_of("reg_id");
      continue;
    }

    ++result.rows;
    if (!db_text::split_row(line, fields, error)) return failure(source_name, line_number, 0, "", error.reason());
    if (fields.size() != columns.size())
      return failure(source_name, line_number, 0, "",
                     "the row has " + std::to_string(fields.size()) + " fields, the header " +
                         std::to_string(columns.size()) + " columns");
    auto fail = [&](int column, std::string why) {
      return failure(source_name, line_number, static_cast<uint32_t>(column + 1), columns[column].name, std::move(why));
    };
    auto value = [&](int column) -> const db_text::Field* {
      return column < 0 || fields[column].null ? nullptr : &fields[column];
    };

    // Expiry first: expired and permanent rows are skipped whatever else they hold.
    int64_t expires = 0;
    const db_text::Field* f = value(c_expires);
    if (!f || !parse_time(f->text, expires))
      return fail(c_expires, (f ? quoted(f->text) : std::string("null")) +
                                 " is neither a Unix time nor 'YYYY-MM-DD HH:MM:SS'");
    if (expires == 0) {
      ++result.permanent;
      continue;
    }
    if (expires <= now_s) {
      ++result.expired;
      continue;
    }

    // The AoR.
    const db_text::Field* user = value(c_username);
    if (!user) return fail(c_username, "no username");
    std::string aor = user->text;
    if (aor.find('@') == std::string::npos) {
      const db_text::Field* domain = value(c_domain);
      const std::string d = domain ? domain->text : options.default_domain;
      if (d.empty())
        return c_domain >= 0 ? fail(c_domain, "no domain, and no default domain was given")
                             : fail(c_username, "no domain column, and no default domain was given");
      aor += "@" + d;
    }
    AorKey key;
    if (!aor_key_from_text(aor, key))
      return fail(c_username, quoted(aor) + " is not a user@domain address of record (or is longer than " +
                                  std::to_string(kAorKeySize - 1) + " octets)");

    Binding b;
    b.expires_at = expires;
    const db_text::Field* contact = value(c_contact);
    if (!contact) return fail(c_contact, "no contact");
    std::string_view uri = trim(contact->text);
    if (uri.size() >= 2 && uri.front() == '<' && uri.back() == '>') uri = uri.substr(1, uri.size() - 2);
    if (uri.empty()) return fail(c_contact, "no contact");
    if (uri.size() > kMaxContactUri)
      return fail(c_contact, "the contact is " + std::to_string(uri.size()) + " octets long, longer than " +
                                 std::to_string(kMaxContactUri));
    std::memcpy(b.contact, uri.data(), uri.size());
    b.contact_length = static_cast<uint8_t>(uri.size());
    if ((f = value(c_received)) && !parse_received(f->text, b.received))
      return fail(c_received, quoted(f->text) + " is not sip:address[:port] with a numeric IP address");
    if ((f = value(c_path))) {
      if (f->text.size() > kMaxPath)
        return fail(c_path, "the path is " + std::to_string(f->text.size()) + " octets long, longer than " +
                                std::to_string(kMaxPath));
      std::memcpy(b.path, f->text.data(), f->text.size());
      b.path_length = static_cast<uint8_t>(f->text.size());
    }
    if ((f = value(c_instance))) {
      if (f->text.size() > kMaxInstance)
        return fail(c_instance, "the instance is " + std::to_string(f->text.size()) + " octets long, longer than " +
                                    std::to_string(kMaxInstance));
      std::memcpy(b.instance, f->text.data(), f->text.size());
      b.instance_length = static_cast<uint8_t>(f->text.size());
    }
    if ((f = value(c_q)) && !parse_q(f->text, b.has_q, b.q_millis))
      return fail(c_q, quoted(f->text) + " is not a q value between 0 and 1 (or -1 for none)");
    if ((f = value(c_callid))) {
      b.call_id_hash = call_id_hash(f->text);
      const std::size_t n = std::min(f->text.size(), kMaxCallIdText);
      std::memcpy(b.call_id, f->text.data(), n);
      b.call_id_length = static_cast<uint8_t>(n);
    }
    int64_t n = 0;
    if ((f = value(c_cseq))) {
      if (!parse_int64(f->text, n) || n > UINT32_MAX) return fail(c_cseq, quoted(f->text) + " is not a CSeq number");
      b.cseq = n < 0 ? 0 : static_cast<uint32_t>(n);  // usrloc writes -1 for none
    }
    if ((f = value(c_reg_id))) {
      if (!parse_int64(f->text, n) || n < 0 || n > 0x7fffffff)
        return fail(c_reg_id, quoted(f->text) + " is not a reg-id between 0 and 2147483647");
      b.reg_id = static_cast<uint32_t>(n);
    }
    if ((f = value(c_modified))) {
      if (!parse_time(f->text, n))
        return fail(c_modified, quoted(f->text) + " is neither a Unix time nor 'YYYY-MM-DD HH:MM:SS'");
      b.updated_ms = n * 1000;
    }

    const auto [it, inserted] = index_of_aor.emplace(std::string(key.view()), result.aors.size());
    if (inserted) {
      result.aors.emplace_back();
      result.aors.back().key = key;
    }
    AorState& state = result.aors[it->second];
    if (state.count < kMaxContactsPerAor) {
      state.bindings[state.count++] = b;
      ++result.imported;
      continue;
    }
    // Full: the least recently modified binding gives way, if older than this one.
    ++result.over_limit;
    std::size_t oldest = 0;
    for (std::size_t i = 1; i < state.count; ++i)
      if (state.bindings[i].updated_ms < state.bindings[oldest].updated_ms) oldest = i;
    if (state.bindings[oldest].updated_ms < b.updated_ms) state.bindings[oldest] = b;
  }
  if (columns.empty()) return failure(source_name, 0, 0, "", "no header line: not a db_text table");
  return result;
}

LocationImport load_location_table(const std::string& path, const LocationImportOptions& options) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return failure(path, 0, 0, "", std::string("cannot open the file: ") + std::strerror(errno));
  std::string text;
  char buffer[8192];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  const int read_errno = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (read_errno != 0) return failure(path, 0, 0, "", std::string("cannot read the file: ") + std::strerror(read_errno));
  return parse_location_table(text, path, options);
}

}  // namespace siplb::registrar
