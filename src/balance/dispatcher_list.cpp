// dispatcher.list loader (see dispatcher_list.hpp for the format and the decisions taken).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <unordered_map>

#include "dispatcher_list.hpp"
#include "siplb/balance/selector.hpp"
#include "siplb/text/db_text.hpp"

namespace siplb::balance {
namespace {

constexpr uint16_t kDefaultSipPort = 5060;

// Kamailio dispatcher flags (dispatch.h).
constexpr uint64_t kFlagInactive = 1;
constexpr uint64_t kFlagTrying = 2;
constexpr uint64_t kFlagDisabled = 4;
constexpr uint64_t kFlagProbing = 8;
constexpr uint64_t kFlagNoDnsResolve = 16;
constexpr uint64_t kKnownFlags = kFlagInactive | kFlagTrying | kFlagDisabled | kFlagProbing | kFlagNoDnsResolve;

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// `s` equals `lower_text` ignoring ASCII case.
bool iequals(std::string_view s, std::string_view lower_text) {
  if (s.size() != lower_text.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (lower(s[i]) != lower_text[i]) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view lower_prefix) {
  return s.size() >= lower_prefix.size() && iequals(s.substr(0, lower_prefix.size()), lower_prefix);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// The next blank-separated field of `rest` (empty at the end or at a '#' comment).
std::string_view next_field(std::string_view& rest) {
  rest = trim(rest);
  if (rest.empty() || rest.front() == '#') {
    rest = {};
    return {};
  }
  std::size_t end = 0;
  while (end < rest.size() && !is_blank(rest[end])) ++end;
  const std::string_view field = rest.substr(0, end);
  rest.remove_prefix(end);
  return field;
}

// Decimal digits only, value <= max.
bool parse_unsigned(std::string_view text, uint64_t max, uint64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (digit > max || value > (max - digit) / 10) return false;  // (max - digit would wrap)
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

bool parse_int32(std::string_view text, int32_t& out) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  uint64_t magnitude = 0;
  if (!parse_unsigned(text, negative ? uint64_t{INT32_MAX} + 1 : uint64_t{INT32_MAX}, magnitude)) return false;
  out = negative ? static_cast<int32_t>(-static_cast<int64_t>(magnitude)) : static_cast<int32_t>(magnitude);
  return true;
}

bool is_ipv4_like(std::string_view host) {
  return host.find_first_not_of("0123456789.") == std::string_view::npos;
}

std::string quoted(std::string_view s) {
  std::string q;
  q.reserve(s.size() + 2);
  q.push_back('\'');
  q.append(s);
  q.push_back('\'');
  return q;
}

// sip:[user@]host[:port][;params] with a numeric host. On failure `reason` says why.
bool parse_destination(std::string_view uri, net::SocketAddress& out, std::string& reason) {
  if (istarts_with(uri, "sips:")) {
    reason = "destination " + quoted(uri) + " is a sips: URI (siplb forwards over UDP; use sip:)";
    return false;
  }
  if (!istarts_with(uri, "sip:")) {
    reason = "destination " + quoted(uri) + " is not a sip: URI";
    return false;
  }
  std::string_view rest = uri.substr(4);
  if (const std::size_t at = rest.find('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (rest.empty() || rest.front() == ':' || rest.front() == ';') {
    reason = "destination " + quoted(uri) + " has no host";
    return false;
  }

  std::string_view after;
  if (rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      reason = "destination " + quoted(uri) + " has an unclosed '[' in its IPv6 host";
      return false;
    }
    const std::string_view host = rest.substr(0, close + 1);
    const std::optional<net::IpAddress> ip = net::parse_ip(host);
    if (!ip) {
      reason = "destination host " + quoted(host) + " is not an IPv6 address";
      return false;
    }
    out.ip = *ip;
    after = rest.substr(close + 1);
  } else {
    const std::size_t end = rest.find_first_of(":;?");
    const std::string_view host = rest.substr(0, end);
    after = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    const std::optional<net::IpAddress> ip = net::parse_ip(host);
    if (!ip) {
      const std::string_view hostport = rest.substr(0, rest.find_first_of(";?"));
      if (net::parse_ip(hostport)) {
        reason = "destination " + quoted(uri) + " has an IPv6 host without brackets (write sip:[" +
                 std::string(hostport) + "])";
      } else if (is_ipv4_like(host)) {
        reason = "destination host " + quoted(host) + " is not a valid IPv4 address";
      } else {
        reason = "destination host " + quoted(host) +
                 " is not an IP address (siplb does not resolve names on the packet path)";
      }
      return false;
    }
    out.ip = *ip;
  }

  out.port = kDefaultSipPort;
  if (!after.empty() && after.front() == ':') {
    after.remove_prefix(1);
    const std::size_t end = after.find_first_of(";?");
    const std::string_view port_text = after.substr(0, end);
    uint64_t port = 0;
    if (!parse_unsigned(port_text, 65535, port) || port == 0) {
      reason = "destination port " + quoted(port_text) + " is not a number between 1 and 65535";
      return false;
    }
    out.port = static_cast<uint16_t>(port);
    after = end == std::string_view::npos ? std::string_view{} : after.substr(end);
  }
  if (!after.empty() && after.front() != ';') {
    reason = "unexpected " + quoted(after) + " after the host and port of destination " + quoted(uri);
    return false;
  }

  // URI parameters: only transport= matters to siplb.
  while (!after.empty()) {
    after.remove_prefix(1);  // ';'
    const std::size_t end = after.find(';');
    const std::string_view param = after.substr(0, end);
    after = end == std::string_view::npos ? std::string_view{} : after.substr(end);
    const std::size_t eq = param.find('=');
    const std::string_view name = param.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : param.substr(eq + 1);
    if (iequals(name, "transport") && !iequals(value, "udp")) {
      reason = "destination " + quoted(uri) + " asks for transport=" + std::string(value) +
               " (siplb forwards over UDP only)";
      return false;
    }
  }
  return true;
}

// ';'-separated name=value pairs; reads weight.
bool parse_attrs(std::string_view attrs, uint16_t& weight, std::string& reason) {
  bool weight_seen = false;
  while (!attrs.empty()) {
    const std::size_t end = attrs.find(';');
    const std::string_view item = attrs.substr(0, end);
    attrs = end == std::string_view::npos ? std::string_view{} : attrs.substr(end + 1);
    const std::size_t eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    if (!iequals(name, "weight")) continue;
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    if (weight_seen) {
      reason = "attribute weight given twice";
      return false;
    }
    weight_seen = true;
    uint64_t w = 0;
    if (!parse_unsigned(value, 65535, w)) {
      reason = "attribute " + quoted(item) + " is not weight=N with N between 0 and 65535";
      return false;
    }
    weight = static_cast<uint16_t>(w);
  }
  return true;
}

// State and probing from Kamailio's flags (see the header).
void apply_flags(uint64_t flags, const DispatcherListOptions& options, Destination& d) {
  if (flags & kFlagDisabled) {
    d.state = DestinationState::disabled;
  } else if (flags & kFlagInactive) {
    d.state = DestinationState::inactive;
  } else if (flags & kFlagTrying) {
    d.state = DestinationState::probing;
  } else {
    d.state = DestinationState::active;
  }
  d.probe = d.state != DestinationState::disabled && (options.probe_all || (flags & kFlagProbing) != 0);
}

bool check_flags(std::string_view text, uint64_t& flags, std::string& reason) {
  if (!parse_unsigned(text, UINT32_MAX, flags)) {
    reason = "flags " + quoted(text) + " is not a number";
    return false;
  }
  if ((flags & ~kKnownFlags) != 0) {
    reason = "flags " + std::string(text) +
             " has unknown bits (known: 1 inactive, 2 trying, 4 disabled, 8 probing, 16 no DNS)";
    return false;
  }
  return true;
}

struct SetBuilder {
  DestinationSet set;
  std::unordered_map<std::string, uint32_t> line_of_uri;  // duplicate check
};

// Parses one non-comment line into `d` and its set id.
bool parse_line(std::string_view line, const DispatcherListOptions& options, uint32_t& set_id,
                Destination& d, std::string& reason) {
  std::string_view rest = line;
  const std::string_view id_text = next_field(rest);
  uint64_t id = 0;
  if (!parse_unsigned(id_text, UINT32_MAX, id)) {
    reason = "set id " + quoted(id_text) + " is not a number between 0 and 4294967295";
    return false;
  }
  set_id = static_cast<uint32_t>(id);

  const std::string_view uri = next_field(rest);
  if (uri.empty()) {
    reason = "set " + std::string(id_text) + " has a line without a destination";
    return false;
  }
  if (!parse_destination(uri, d.address, reason)) return false;
  d.uri = std::string(uri);

  uint64_t flags = 0;
  if (const std::string_view flags_text = next_field(rest); !flags_text.empty()) {
    if (!check_flags(flags_text, flags, reason)) return false;
  }
  if (const std::string_view priority_text = next_field(rest); !priority_text.empty()) {
    if (!parse_int32(priority_text, d.priority)) {
      reason = "priority " + quoted(priority_text) + " is not a 32-bit integer";
      return false;
    }
  }
  if (const std::string_view attrs = next_field(rest); !attrs.empty()) {
    if (!parse_attrs(attrs, d.weight, reason)) return false;
    d.attrs = std::string(attrs);
  }
  if (const std::string_view extra = next_field(rest); !extra.empty()) {
    reason = "unexpected " + quoted(extra) + " after the attributes (attributes hold no blanks)";
    return false;
  }

  apply_flags(flags, options, d);
  return true;
}


// ---- db_text tables (the syntax is text::db_text's) ------------------------------------------
namespace db_text = text::db_text;

// The header line without a trailing "# comment" (a blank-separated field starting with '#'), as
// plain list lines end.
std::string_view without_comment(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i)
    if (line[i] == '#' && (i == 0 || is_blank(line[i - 1]))) return line.substr(0, i);
  return line;
}

// One db_text row into `d`: the columns found by name (OpenSIPS state/probe_mode/weight/socket,
// Kamailio flags, both setid/destination/priority/attrs). `column` names a column in errors.
bool parse_db_text_row(const std::vector<db_text::Column>& columns, const std::vector<db_text::Field>& fields,
                       const DispatcherListOptions& options, uint32_t& set_id, Destination& d,
                       std::string& socket, std::string& reason) {
  if (fields.size() != columns.size()) {
    reason = "the row has " + std::to_string(fields.size()) + " fields, the header " +
             std::to_string(columns.size()) + " columns";
    return false;
  }
  auto find = [&](std::string_view name) -> const db_text::Field* {
    const int i = db_text::find_column(columns, name);
    return i < 0 || fields[i].null ? nullptr : &fields[i];
  };
  auto where = [&](std::string_view name) {
    const int i = db_text::find_column(columns, name);
    if (i < 0) return std::string(name) + ": ";
    return "column " + std::to_string(i + 1) + " (" + std::string(name) + "): ";
  };
  const db_text::Field* setid = find("setid");
  uint64_t id = 0;
  if (!setid || !parse_unsigned(trim(setid->text), UINT32_MAX, id)) {
    reason = where("setid") + (setid ? quoted(setid->text) : std::string("null")) +
             " is not a set id between 0 and 4294967295";
    return false;
  }
  set_id = static_cast<uint32_t>(id);
  const db_text::Field* destination = find("destination");
  if (!destination) {
    reason = where("destination") + "no destination";
    return false;
  }
  if (!parse_destination(trim(destination->text), d.address, reason)) {
    reason = where("destination") + reason;
    return false;
  }
  d.uri = std::string(trim(destination->text));
  if (const db_text::Field* attrs = find("attrs")) {
    if (!parse_attrs(attrs->text, d.weight, reason)) {
      reason = where("attrs") + reason;
      return false;
    }
    d.attrs = attrs->text;
  }
  if (const db_text::Field* weight = find("weight")) {
    // OpenSIPS 2.x: an integer; 3.x: a string that may hold one, or a dynamic source siplb has not.
    uint64_t w = 0;
    if (!parse_unsigned(trim(weight->text), 65535, w)) {
      reason = where("weight") + quoted(weight->text) +
               (weight->text.find("://") != std::string::npos
                    ? " is a dynamic weight source, which siplb does not read: give a number 0..65535"
                    : " is not a number between 0 and 65535");
      return false;
    }
    d.weight = static_cast<uint16_t>(w);
  }
  if (const db_text::Field* priority = find("priority")) {
    if (!parse_int32(trim(priority->text), d.priority)) {
      reason = where("priority") + quoted(priority->text) + " is not a 32-bit integer";
      return false;
    }
  }
  uint64_t flags = 0;
  if (const db_text::Field* f = find("flags")) {  // Kamailio
    if (!check_flags(trim(f->text), flags, reason)) {
      reason = where("flags") + reason;
      return false;
    }
  }
  apply_flags(flags, options, d);
  if (const db_text::Field* state = find("state")) {  // OpenSIPS: 0 active, 1 inactive, 2 probing
    uint64_t v = 0;
    if (!parse_unsigned(trim(state->text), 2, v)) {
      reason = where("state") + quoted(state->text) + " is not 0 (active), 1 (inactive) or 2 (probing)";
      return false;
    }
    d.state = v == 0 ? DestinationState::active : v == 1 ? DestinationState::inactive : DestinationState::probing;
    d.probe = true;
  }
  if (const db_text::Field* mode = find("probe_mode")) {  // OpenSIPS 3.x: 0 when probing, 1 always
    uint64_t v = 0;
    if (!parse_unsigned(trim(mode->text), 1, v)) {
      reason = where("probe_mode") + quoted(mode->text) + " is not 0 or 1";
      return false;
    }
    d.probe = options.probe_all || v == 1 || d.state == DestinationState::probing;
  }
  if (const db_text::Field* s = find("socket")) socket = std::string(trim(s->text));
  return true;
}

DispatcherList failure(std::string_view source, uint32_t line, std::string reason) {
  DispatcherList result;
  result.error = DispatcherListError{std::string(source), line, std::move(reason)};
  return result;
}

}  // namespace

std::string DispatcherListError::message() const {
  if (line == 0) return source + ": " + reason;
  return source + ":" + std::to_string(line) + ": " + reason;
}

DispatcherList parse_dispatcher_list(std::string_view text, std::string_view source_name,
                                     const DispatcherListOptions& options) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  std::map<uint32_t, SetBuilder> sets;  // ordered by set id
  std::vector<DispatcherList::Socket> sockets;
  std::vector<db_text::Column> columns;  // a db_text table: its header
  bool first_line = true;
  std::vector<db_text::Field> fields;
  db_text::Error db_text_error;
  uint32_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;

    uint32_t set_id = 0;
    Destination d;
    std::string reason;
    if (first_line && db_text::is_header(line)) {
      first_line = false;
      if (!db_text::parse_header(without_comment(line), columns, db_text_error))
        return failure(source_name, line_number, db_text_error.message());
      for (const char* required : {"setid", "destination"})
        if (db_text::find_column(columns, required) < 0)
          return failure(source_name, line_number,
                         std::string("the db_text header has no '") + required + "' column");
      continue;
    }
    first_line = false;
    if (!columns.empty()) {
      std::string socket;
      if (!db_text::split_row(line, fields, db_text_error))
        return failure(source_name, line_number, db_text_error.message());
      if (!parse_db_text_row(columns, fields, options, set_id, d, socket, reason))
        return failure(source_name, line_number, std::move(reason));
      if (!socket.empty()) sockets.push_back({set_id, d.uri, std::move(socket), line_number});
    } else if (!parse_line(line, options, set_id, d, reason)) {
      return failure(source_name, line_number, std::move(reason));
    }

    SetBuilder& b = sets[set_id];
    if (b.set.destinations.empty()) {
      b.set.id = set_id;
      b.set.name = std::to_string(set_id);
      b.set.algorithm = options.algorithm;
    }
    const auto [it, inserted] = b.line_of_uri.emplace(d.uri, line_number);
    if (!inserted) {
      return failure(source_name, line_number,
                     "destination " + quoted(d.uri) + " appears twice in set " + std::to_string(set_id) +
                         " (first on line " + std::to_string(it->second) + ")");
    }
    if (b.set.destinations.size() == kMaxSetDestinations) {
      return failure(source_name, line_number,
                     "set " + std::to_string(set_id) + " has more than " + std::to_string(kMaxSetDestinations) +
                         " destinations");
    }
    b.set.destinations.push_back(std::move(d));
  }

  DispatcherList result;
  result.sets.reserve(sets.size());
  for (auto& [id, b] : sets) result.sets.push_back(std::move(b.set));
  result.sockets = std::move(sockets);
  return result;
}

DispatcherList load_dispatcher_list(const std::string& path, const DispatcherListOptions& options) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return failure(path, 0, std::string("cannot open the file: ") + std::strerror(errno));
  std::string text;
  char buffer[8192];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  const int read_errno = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (read_errno != 0) return failure(path, 0, std::string("cannot read the file: ") + std::strerror(read_errno));
  return parse_dispatcher_list(text, path, options);
}

}  // namespace siplb::balance
