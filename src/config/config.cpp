// Loading siplbd's configuration: the TOML tree (toml.hpp) is walked section by section, every
// key checked against the schema (unknown keys are errors, so typos do not pass silently), every
// value against its range, then the sections against each other. The first error wins and
// carries "FILE:LINE: reason".
#include "siplb/config/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "../balance/dispatcher_list.hpp"
#include "toml.hpp"
#include "siplb/registrar/binding.hpp"
#include "siplb/text/edit_distance.hpp"

namespace siplb::config {

using balance::Algorithm;
using balance::DestinationState;
using balance::HashKey;

namespace {

constexpr std::string_view kAlgorithmNames[] = {
#define SIPLB_X(e, name, number) name,
    SIPLB_ALGORITHMS(SIPLB_X)
#undef SIPLB_X
};
constexpr int kAlgorithmNumbers[] = {
#define SIPLB_X(e, name, number) number,
    SIPLB_ALGORITHMS(SIPLB_X)
#undef SIPLB_X
};

std::string_view algorithm_text(Algorithm a) { return kAlgorithmNames[static_cast<std::size_t>(a)]; }

// "hash-call-id (0), ..., maglev": the accepted algorithm names, for messages.
std::string algorithm_choices() {
  std::string out;
  for (std::size_t i = 0; i < std::size(kAlgorithmNames); ++i) {
    if (!out.empty()) out += ", ";
    out += kAlgorithmNames[i];
    if (kAlgorithmNumbers[i] >= 0) out += " (" + std::to_string(kAlgorithmNumbers[i]) + ")";
  }
  return out;
}

struct HashKeyName {
  HashKey key;
  std::string_view name;
};
constexpr HashKeyName kHashKeyNames[] = {
    {HashKey::call_id, "call-id"},         {HashKey::from_uri, "from-uri"},
    {HashKey::to_uri, "to-uri"},           {HashKey::request_uri, "request-uri"},
    {HashKey::auth_user, "auth-user"},
};

// [registrar] ranges (inclusive).
constexpr uint32_t kMaxRegistrarAors = 1u << 27;
constexpr uint32_t kMaxRegistrarContacts = 1u << 28;
constexpr uint32_t kMaxRegistrarExpires = 1u << 31;  // seconds: 68 years, "no maximum" in practice
constexpr uint32_t kMaxNonceLifetimeS = 3600;
constexpr uint32_t kMaxAuthRetries = 100;

constexpr std::pair<std::string_view, AuthMode> kAuthModes[] = {
    {"none", AuthMode::none}, {"register", AuthMode::register_only}, {"all", AuthMode::all}};
constexpr std::pair<std::string_view, MinExpiresMode> kMinExpiresModes[] = {
    {"reply", MinExpiresMode::reply}, {"raise", MinExpiresMode::raise}};
constexpr std::pair<std::string_view, MaxContactsMode> kMaxContactsModes[] = {
    {"reject", MaxContactsMode::reject}, {"replace_oldest", MaxContactsMode::replace_oldest}};

template <typename E, std::size_t N>
std::string_view choice_text(const std::pair<std::string_view, E> (&choices)[N], E value) {
  for (const auto& [name, v] : choices)
    if (v == value) return name;
  return "?";
}

struct StateName {
  DestinationState state;
  std::string_view name;
};
constexpr StateName kStateNames[] = {
    {DestinationState::active, "active"},
    {DestinationState::inactive, "inactive"},
    {DestinationState::probing, "probing"},
    {DestinationState::disabled, "disabled"},
};

// The key a hash-* algorithm implies; nullopt for the others.
std::optional<HashKey> implied_hash_key(Algorithm a) {
  switch (a) {
    case Algorithm::hash_call_id: return HashKey::call_id;
    case Algorithm::hash_from_uri: return HashKey::from_uri;
    case Algorithm::hash_to_uri: return HashKey::to_uri;
    case Algorithm::hash_request_uri: return HashKey::request_uri;
    case Algorithm::hash_auth_user: return HashKey::auth_user;
    default: return std::nullopt;
  }
}

bool is_prime(uint32_t n) {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (uint32_t d = 3; d <= n / d; d += 2) {
    if (n % d == 0) return false;
  }
  return true;
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && iequals_prefix(a, b);
}


// Text quoted for a message: "..." with control characters shown as \xNN.
std::string quoted(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

// Parses "IP/LEN". Family must match `family`; LEN 1..(32|128).
bool parse_prefix(std::string_view text, net::Family family, Prefix& out) {
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  std::optional<net::IpAddress> ip = net::parse_ip(text.substr(0, slash));
  if (!ip || ip->family != family) return false;
  std::string_view len = text.substr(slash + 1);
  if (len.empty() || len.size() > 3) return false;
  unsigned value = 0;
  for (char c : len) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (len.size() > 1 && len[0] == '0') return false;
  const unsigned max = family == net::Family::ipv4 ? 32 : 128;
  if (value < 1 || value > max) return false;
  out.ip = *ip;
  out.length = static_cast<uint8_t>(value);
  return true;
}

// True when `ip` lies inside prefix `p` (same family).
bool in_prefix(const net::IpAddress& ip, const Prefix& p) {
  if (ip.family != p.ip.family) return false;
  unsigned bits = p.length;
  for (std::size_t i = 0; i < ip.bytes.size() && bits > 0; ++i) {
    const unsigned n = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<uint8_t>(0xff << (8 - n));
    if ((ip.bytes[i] & mask) != (p.ip.bytes[i] & mask)) return false;
    bits -= n;
  }
  return true;
}

bool is_link_local_v6(const net::IpAddress& ip) {
  return ip.is_v6() && ip.bytes[0] == 0xfe && (ip.bytes[1] & 0xc0) == 0x80;
}

std::string parent_folder(std::string_view path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {};
  return std::string(path.substr(0, slash + 1));
}

// Kamailio's dispatcher attribute maxload=N (call load algorithm 10): the capacity, for every
// resource of a least-loaded set, of a destination read from dispatcher.list.
bool maxload_attr(std::string_view attrs, uint32_t& out, bool& present) {
  present = false;
  while (!attrs.empty()) {
    const std::size_t end = attrs.find(';');
    const std::string_view item = attrs.substr(0, end);
    attrs = end == std::string_view::npos ? std::string_view{} : attrs.substr(end + 1);
    if (item.substr(0, 8) != "maxload=") continue;
    const std::string_view value = item.substr(8);
    uint64_t v = 0;
    if (value.empty() || value.size() > 10) return false;
    for (char c : value) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > 1000000000) return false;
    out = static_cast<uint32_t>(v);
    present = true;
  }
  return true;
}

// Where a table sits, for messages: `name` for the table itself ("[balancer]", "interface 1"),
// `prefix` before a key ("balancer.", "interface 1: ").
struct Section {
  std::string name;
  std::string prefix;
  uint32_t line = 0;  // of its header
};

class Loader {
 public:
  Loader(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  ConfigResult run();

 private:
  bool fail(uint32_t line, std::string reason) {
    if (!failed_) {
      failed_ = true;
      error_.source = source_;
      error_.line = line;
      error_.reason = std::move(reason);
    }
    return false;
  }

  bool check_keys(const Section& s, const toml::Table& t, std::initializer_list<std::string_view> keys,
                  std::initializer_list<std::string_view> subtables = {});
  const toml::Table* single_table(const toml::Value& v, std::string_view name);

  bool get_int(const Section& s, const toml::Table& t, std::string_view key, int64_t min, int64_t max,
               int64_t& out);
  template <typename T>
  bool get_uint(const Section& s, const toml::Table& t, std::string_view key, int64_t min, int64_t max,
                T& out) {
    int64_t v = static_cast<int64_t>(out);
    if (!get_int(s, t, key, min, max, v)) return false;
    out = static_cast<T>(v);
    return true;
  }
  bool get_bool(const Section& s, const toml::Table& t, std::string_view key, bool& out);
  bool get_string(const Section& s, const toml::Table& t, std::string_view key, std::string& out,
                  const toml::Value** where = nullptr);
  bool get_required_string(const Section& s, const toml::Table& t, std::string_view key,
                           std::string& out, const toml::Value** where = nullptr);
  bool get_int_list(const Section& s, const toml::Table& t, std::string_view key, bool allow_scalar,
                    int64_t min, int64_t max, std::vector<uint16_t>& out);

  bool load_balancer(const toml::Table& t);
  bool load_interface(const toml::Table& t, std::size_t ordinal);
  bool load_workers(const toml::Table& t);
  bool load_tables(const toml::Table& t);
  bool load_probing(const toml::Table& t);
  bool load_dialogs(const toml::Table& t);
  bool load_store(const toml::Table& t);
  bool load_api(const toml::Table& t);
  bool load_metrics(const toml::Table& t);
  bool load_registrar(const toml::Table& t);
  bool load_peer(const toml::Table& t);
  bool load_registrar_domain(const toml::Value& v, std::size_t ordinal, AuthMode default_auth);
  template <typename E, std::size_t N>
  bool get_choice(const Section& s, const toml::Table& t, std::string_view key,
                  const std::pair<std::string_view, E> (&choices)[N], E& out);
  bool load_least_loaded(const Section& s, const toml::Table& t, SetConfig& c);
  bool load_capacity(const Section& s, const toml::Table& t, const SetConfig& c, balance::Destination& d);
  bool note_resource(uint32_t line, const std::string& where, const std::string& name);
  bool maxload_from_attrs(const SetConfig& c, balance::Destination& d, const std::string& where);
  bool load_match(const Section& s, const toml::Table& t, SetMatch& m);
  bool get_string_list(const Section& s, const toml::Table& t, std::string_view key, std::vector<std::string>& out,
                       std::vector<uint32_t>& lines);
  bool load_set(const toml::Table& t, std::size_t ordinal);
  bool load_destination(const Section& set, const toml::Table& t, std::size_t ordinal,
                        const SetConfig& c, balance::Destination& out);
  bool parse_destination_uri(const Section& s, const toml::Value& v, net::SocketAddress& out);
  bool cross_check();
  bool reject_top_level(const toml::Entry& e);

  std::string_view text_;
  std::string source_;
  Config config_;
  bool failed_ = false;
  ConfigError error_;
  bool from_uri_given_ = false;
  std::vector<std::vector<uint32_t>> destination_lines_;  // per set, per destination: its line
  // db_text sockets to check against the interfaces once all are known: the config line of the
  // dispatcher_list key, the text shown before the reason, the socket, its file line.
  struct PendingSocket {
    uint32_t config_line;
    std::string shown;
    std::string socket;
    uint32_t file_line;
    std::string file;
  };
  std::vector<PendingSocket> sockets_;
  uint32_t unregistered_set_line_ = 0;  // of registrar.unregistered_set, checked against the sets
  uint32_t store_durability_line_ = 0;  // of store.durability (durability "peer" needs a [peer])
};

bool Loader::check_keys(const Section& s, const toml::Table& t,
                        std::initializer_list<std::string_view> keys,
                        std::initializer_list<std::string_view> subtables) {
  for (const toml::Entry& e : t.entries) {
    const bool is_table = e.value.kind == toml::Kind::table || e.value.kind == toml::Kind::table_array;
    const auto& known = is_table ? subtables : keys;
    if (std::find(known.begin(), known.end(), e.key) != known.end()) continue;
    std::string reason = s.name + ": unknown " + (is_table ? "table '" : "key '") + e.key + "'";
    // A near miss is most likely a typo; name it. Otherwise list what the table takes.
    std::string_view best;
    std::size_t best_distance = 3;
    for (std::string_view k : known) {
      std::size_t d = text::edit_distance(e.key, k);
      if (d < best_distance) {
        best_distance = d;
        best = k;
      }
    }
    if (!best.empty()) {
      reason += " (did you mean '" + std::string(best) + "'?)";
    } else if (known.size() != 0) {
      reason += " (expected ";
      bool first = true;
      for (std::string_view k : known) {
        if (!first) reason += ", ";
        reason += k;
        first = false;
      }
      reason += ")";
    } else if (is_table) {
      reason += " (" + s.name + " has no sub-tables)";
    }
    return fail(e.value.line, std::move(reason));
  }
  return true;
}

bool Loader::get_int(const Section& s, const toml::Table& t, std::string_view key, int64_t min,
                     int64_t max, int64_t& out) {
  const toml::Value* v = t.find(key);
  if (v == nullptr) return true;
  if (v->kind != toml::Kind::integer) {
    return fail(v->line, s.prefix + std::string(key) + " must be an integer, got " +
                             std::string(toml::kind_name(v->kind)));
  }
  if (v->integer < min || v->integer > max) {
    return fail(v->line, s.prefix + std::string(key) + " must be " + std::to_string(min) + ".." +
                             std::to_string(max) + ", got " + std::to_string(v->integer));
  }
  out = v->integer;
  return true;
}

bool Loader::get_bool(const Section& s, const toml::Table& t, std::string_view key, bool& out) {
  const toml::Value* v = t.find(key);
  if (v == nullptr) return true;
  if (v->kind != toml::Kind::boolean) {
    return fail(v->line, s.prefix + std::string(key) + " must be true or false, got " +
                             std::string(toml::kind_name(v->kind)));
  }
  out = v->boolean;
  return true;
}

bool Loader::get_string(const Section& s, const toml::Table& t, std::string_view key,
                        std::string& out, const toml::Value** where) {
  const toml::Value* v = t.find(key);
  if (where != nullptr) *where = v;
  if (v == nullptr) return true;
  if (v->kind != toml::Kind::string) {
    return fail(v->line, s.prefix + std::string(key) + " must be a string, got " +
                             std::string(toml::kind_name(v->kind)));
  }
  out = v->string;
  return true;
}

bool Loader::get_required_string(const Section& s, const toml::Table& t, std::string_view key,
                                 std::string& out, const toml::Value** where) {
  const toml::Value* v = nullptr;
  if (!get_string(s, t, key, out, &v)) return false;
  if (where != nullptr) *where = v;
  if (v == nullptr) return fail(s.line, s.prefix + std::string(key) + " is required");
  if (out.empty()) return fail(v->line, s.prefix + std::string(key) + " must not be empty");
  return true;
}

// An array of integers in [min, max], without duplicates; a lone integer when allow_scalar.
bool Loader::get_int_list(const Section& s, const toml::Table& t, std::string_view key,
                          bool allow_scalar, int64_t min, int64_t max, std::vector<uint16_t>& out) {
  const toml::Value* v = t.find(key);
  if (v == nullptr) return true;
  const std::string name = s.prefix + std::string(key);
  std::vector<const toml::Value*> items;
  if (v->kind == toml::Kind::integer && allow_scalar) {
    items.push_back(v);
  } else if (v->kind == toml::Kind::array) {
    for (const toml::Value& item : v->items) items.push_back(&item);
  } else {
    return fail(v->line, name + " must be " + (allow_scalar ? "an integer or " : "") +
                             "an array of integers, got " + std::string(toml::kind_name(v->kind)));
  }
  out.clear();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const toml::Value& item = *items[i];
    const std::string which = v->kind == toml::Kind::array ? " item " + std::to_string(i + 1) : "";
    if (item.kind != toml::Kind::integer) {
      return fail(item.line, name + which + " must be an integer, got " +
                                 std::string(toml::kind_name(item.kind)));
    }
    if (item.integer < min || item.integer > max) {
      return fail(item.line, name + which + " must be " + std::to_string(min) + ".." +
                                 std::to_string(max) + ", got " + std::to_string(item.integer));
    }
    const auto value = static_cast<uint16_t>(item.integer);
    if (std::find(out.begin(), out.end(), value) != out.end()) {
      return fail(item.line, name + " lists " + std::to_string(value) + " twice");
    }
    out.push_back(value);
  }
  return true;
}

// A section that must be a single [table]; reports [[name]] (or a plain value) as an error.
const toml::Table* Loader::single_table(const toml::Value& v, std::string_view name) {
  if (v.kind == toml::Kind::table) return &v.tables.front();
  if (v.kind == toml::Kind::table_array) {
    fail(v.line, "[" + std::string(name) + "] is a single table: write [" + std::string(name) +
                     "], not [[" + std::string(name) + "]]");
  } else {
    fail(v.line, "'" + std::string(name) + "' must be the table [" + std::string(name) + "], got " +
                     std::string(toml::kind_name(v.kind)));
  }
  return nullptr;
}

bool Loader::load_balancer(const toml::Table& t) {
  const Section s{"[balancer]", "balancer.", t.line};
  BalancerConfig& b = config_.balancer;
  if (!check_keys(s, t, {"sip_ports", "max_message_size", "record_route", "double_record_route",
                         "max_forwards", "retry_after", "server_header"})) {
    return false;
  }
  if (!get_int_list(s, t, "sip_ports", true, 1, 65535, b.sip_ports)) return false;
  if (const toml::Value* v = t.find("sip_ports"); v != nullptr && b.sip_ports.empty()) {
    return fail(v->line, "balancer.sip_ports must list at least one port");
  }
  if (!get_uint(s, t, "max_message_size", limits::kMinMessageSize, limits::kMaxMessageSize,
                b.max_message_size) ||
      !get_bool(s, t, "record_route", b.record_route) ||
      !get_bool(s, t, "double_record_route", b.double_record_route) ||
      !get_uint(s, t, "max_forwards", 1, 255, b.max_forwards) ||
      !get_uint(s, t, "retry_after", 0, limits::kMaxRetryAfterS, b.retry_after_s)) {
    return false;
  }
  const toml::Value* v = nullptr;
  if (!get_string(s, t, "server_header", b.server_header, &v)) return false;
  if (v != nullptr) {
    if (b.server_header.size() > limits::kMaxServerHeaderLength) {
      return fail(v->line, "balancer.server_header must be at most " +
                               std::to_string(limits::kMaxServerHeaderLength) + " characters, got " +
                               std::to_string(b.server_header.size()));
    }
    for (char c : b.server_header) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) {
        return fail(v->line, "balancer.server_header must not contain control characters (it is "
                             "copied into SIP headers), got " + quoted(b.server_header));
      }
    }
  }
  return true;
}

bool Loader::load_interface(const toml::Table& t, std::size_t ordinal) {
  const std::string name = "interface " + std::to_string(ordinal);
  const Section s{name, name + ": ", t.line};
  if (!check_keys(s, t, {"port", "address", "address6", "gateway", "vip", "mtu", "rx_queues", "checksum_offload"}))
    return false;
  InterfaceConfig i;
  i.line = t.line;
  if (!get_required_string(s, t, "port", i.port)) return false;

  std::string text;
  const toml::Value* v = nullptr;
  if (!get_required_string(s, t, "address", text, &v)) return false;
  if (!parse_prefix(text, net::Family::ipv4, i.address)) {
    return fail(v->line, s.prefix + "address must be an IPv4 address with a prefix length 1..32, "
                                    "such as \"10.0.0.1/24\", got " + quoted(text));
  }
  if (i.address.length < 31) {
    const uint32_t host_mask = (uint32_t{1} << (32 - i.address.length)) - 1;
    const uint32_t host = i.address.ip.v4_host_order() & host_mask;
    if (host == 0 || host == host_mask) {
      return fail(v->line, s.prefix + "address " + quoted(text) + " is the " +
                               (host == 0 ? "network" : "broadcast") +
                               " address of its subnet, not a host address");
    }
  }

  text.clear();
  if (!get_string(s, t, "address6", text, &v)) return false;
  if (v != nullptr) {
    Prefix p;
    if (!parse_prefix(text, net::Family::ipv6, p)) {
      return fail(v->line, s.prefix + "address6 must be an IPv6 address with a prefix length "
                                      "1..128, such as \"fd00::1/64\", got " + quoted(text));
    }
    i.address6 = p;
  }

  text.clear();
  if (!get_string(s, t, "gateway", text, &v)) return false;
  if (v != nullptr) {
    std::optional<net::IpAddress> gw = net::parse_ip(text);
    if (!gw) {
      return fail(v->line, s.prefix + "gateway must be an IPv4 or IPv6 address, got " + quoted(text));
    }
    if (gw->is_v4()) {
      if (!in_prefix(*gw, i.address)) {
        return fail(v->line, s.prefix + "gateway " + quoted(text) +
                                 " is not inside the interface's subnet " + quoted(
                                     std::string_view(t.find("address")->string)));
      }
      if (*gw == i.address.ip) {
        return fail(v->line, s.prefix + "gateway " + quoted(text) + " is the interface's own address");
      }
    } else {
      if (!i.address6) {
        return fail(v->line, s.prefix + "gateway " + quoted(text) +
                                 " is IPv6 but the interface has no address6");
      }
      if (!is_link_local_v6(*gw) && !in_prefix(*gw, *i.address6)) {
        return fail(v->line, s.prefix + "gateway " + quoted(text) +
                                 " is neither link-local (fe80::/10) nor inside address6 " +
                                 quoted(std::string_view(t.find("address6")->string)));
      }
    }
    i.gateway = gw;
  }

  // The HA pair's virtual IP on this interface: the active node answers ARP for it and uses it
  // as its address; an IPv4 address of the subnet, not the interface's own.
  text.clear();
  if (!get_string(s, t, "vip", text, &v)) return false;
  if (v != nullptr) {
    std::optional<net::IpAddress> vip = net::parse_ip(text);
    if (!vip || !vip->is_v4()) return fail(v->line, s.prefix + "vip must be an IPv4 address, got " + quoted(text));
    if (!in_prefix(*vip, i.address)) {
      return fail(v->line, s.prefix + "vip " + quoted(text) + " is not inside the interface's subnet " +
                               quoted(std::string_view(t.find("address")->string)));
    }
    if (*vip == i.address.ip) return fail(v->line, s.prefix + "vip " + quoted(text) + " is the interface's own address");
    if (i.gateway && *vip == *i.gateway) return fail(v->line, s.prefix + "vip " + quoted(text) + " is the gateway");
    i.vip = vip;
  }

  if (!get_uint(s, t, "mtu", limits::kMinMtu, limits::kMaxMtu, i.mtu) ||
      !get_uint(s, t, "rx_queues", 1, limits::kMaxRxQueues, i.rx_queues) ||
      !get_bool(s, t, "checksum_offload", i.checksum_offload)) {
    return false;
  }
  if (i.address6 && i.mtu < limits::kMinMtuIpv6) {
    const toml::Value* mtu = t.find("mtu");
    return fail(mtu != nullptr ? mtu->line : t.line,
                s.prefix + "mtu must be at least " + std::to_string(limits::kMinMtuIpv6) +
                    " with an IPv6 address6, got " + std::to_string(i.mtu));
  }
  for (std::size_t k = 0; k < config_.interfaces.size(); ++k) {
    const InterfaceConfig& other = config_.interfaces[k];
    const std::string other_name = "interface " + std::to_string(k + 1) + " (line " +
                                   std::to_string(other.line) + ")";
    if (other.port == i.port) {
      return fail(t.find("port")->line, s.prefix + "port " + quoted(i.port) +
                                            " is already used by " + other_name);
    }
    if (other.address.ip == i.address.ip) {
      return fail(t.find("address")->line,
                  s.prefix + "address is already used by " + other_name);
    }
  }
  config_.interfaces.push_back(std::move(i));
  return true;
}

bool Loader::load_workers(const toml::Table& t) {
  const Section s{"[workers]", "workers.", t.line};
  WorkersConfig& w = config_.workers;
  static constexpr std::pair<std::string_view, IdleMode> kIdleModes[] = {{"poll", IdleMode::poll},
                                                                          {"adaptive", IdleMode::adaptive}};
  return check_keys(s, t, {"count", "burst", "event_ring", "idle", "idle_polls", "idle_sleep_us"}) &&
         get_uint(s, t, "count", 1, limits::kMaxWorkers, w.count) &&
         get_uint(s, t, "burst", 1, limits::kMaxBurst, w.burst) &&
         get_uint(s, t, "event_ring", limits::kMinEventRing, limits::kMaxEventRing, w.event_ring) &&
         get_choice(s, t, "idle", kIdleModes, w.idle) &&
         get_uint(s, t, "idle_polls", 1, limits::kMaxIdlePolls, w.idle_polls) &&
         get_uint(s, t, "idle_sleep_us", 1, limits::kMaxIdleSleepUs, w.idle_sleep_us);
}

template <typename E, std::size_t N>
bool Loader::get_choice(const Section& s, const toml::Table& t, std::string_view key,
                        const std::pair<std::string_view, E> (&choices)[N], E& out) {
  std::string text;
  const toml::Value* v = nullptr;
  if (!get_string(s, t, key, text, &v)) return false;
  if (v == nullptr) return true;
  std::string allowed;
  for (const auto& [name, value] : choices) {
    if (name == text) {
      out = value;
      return true;
    }
    allowed += (allowed.empty() ? "" : ", ") + quoted(std::string(name));
  }
  return fail(v->line, s.prefix + std::string(key) + " must be one of " + allowed + ", got " + quoted(text));
}

bool Loader::load_store(const toml::Table& t) {
  const Section s{"[store]", "store.", t.line};
  static constexpr std::pair<std::string_view, Durability> kModes[] = {
      {"sync", Durability::sync}, {"async", Durability::async}, {"memory", Durability::memory},
      {"peer", Durability::peer}};
  const toml::Value* dir = nullptr;
  if (!check_keys(s, t, {"dir", "durability"}) || !get_string(s, t, "dir", config_.store.dir, &dir) ||
      !get_choice(s, t, "durability", kModes, config_.store.durability))
    return false;
  if (const toml::Value* d = t.find("durability")) store_durability_line_ = d->line;
  if (config_.store.durability != Durability::memory && config_.store.dir.empty())
    return fail(dir ? dir->line : t.line, s.prefix + "dir must not be empty (durability \"memory\" keeps no files)");
  return true;
}

bool Loader::load_api(const toml::Table& t) {
  const Section s{"[api]", "api.", t.line};
  const toml::Value* v = nullptr;
  if (!check_keys(s, t, {"socket"}) || !get_string(s, t, "socket", config_.api.socket, &v)) return false;
  if (v && config_.api.socket.size() >= 108)  // sockaddr_un.sun_path
    return fail(v->line, s.prefix + "socket path is longer than a Unix socket address holds (107 octets)");
  return true;
}

bool Loader::load_metrics(const toml::Table& t) {
  const Section s{"[metrics]", "metrics.", t.line};
  const toml::Value* v = nullptr;
  if (!check_keys(s, t, {"address", "port"}) || !get_string(s, t, "address", config_.metrics.address, &v) ||
      !get_uint(s, t, "port", 0, 65535, config_.metrics.port))
    return false;
  if (v && !net::parse_ip(config_.metrics.address))
    return fail(v->line, s.prefix + "address must be an IPv4 or IPv6 address, got " + quoted(config_.metrics.address));
  return true;
}

// A domain as a registrar serves it (the Request-URI/To host of REGISTERs): a host name or IPv4
// address of letters, digits, '-' and '.', or an IPv6 address in brackets. Empty when plausible,
// otherwise why not.
std::string domain_problem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.front() == '[') {
    const std::size_t close = name.find(']');
    if (close == std::string_view::npos) return "has no ']' after the IPv6 address";
    if (close + 1 != name.size()) {
      return name[close + 1] == ':' ? "must not name a port" : "has text after ']'";
    }
    const std::optional<net::IpAddress> ip = net::parse_ip(name.substr(1, close - 1));
    if (!ip || !ip->is_v6()) return "must hold an IPv6 address between the brackets";
    return {};
  }
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return "must not contain spaces or control characters";
    if (c == '@') return "is a domain, not a user@domain address (no '@')";
    if (c == ':') {
      return std::count(name.begin(), name.end(), ':') > 1
                 ? "must write an IPv6 address in brackets, e.g. \"[fd00::1]\""
                 : "must not name a port or a scheme (no ':')";
    }
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
      return "is not a host name (letters, digits, '-' and '.'), got '" + std::string(1, c) + "'";
    }
  }
  if (name.front() == '.' || name.back() == '.' || name.find("..") != std::string_view::npos) {
    return "has an empty label (a leading, trailing or double '.')";
  }
  return {};
}

// One item of registrar.domains: "name" (the section's auth) or { name = "...", auth = "...",
// realm = "..." }.
bool Loader::load_registrar_domain(const toml::Value& v, std::size_t ordinal, AuthMode default_auth) {
  const std::string name = "registrar.domains item " + std::to_string(ordinal);
  const Section s{name, name + ": ", v.line};
  RegistrarDomainConfig d;
  d.line = v.line;
  d.auth = default_auth;
  const toml::Value* name_value = &v;
  if (v.kind == toml::Kind::string) {
    d.name = v.string;
  } else if (v.kind == toml::Kind::table) {
    const toml::Table& t = v.tables.front();
    if (!check_keys(s, t, {"name", "auth", "realm"}) || !get_required_string(s, t, "name", d.name, &name_value) ||
        !get_choice(s, t, "auth", kAuthModes, d.auth)) {
      return false;
    }
    const toml::Value* realm = nullptr;
    if (!get_string(s, t, "realm", d.realm, &realm)) return false;
    if (realm != nullptr) {
      if (d.realm.empty()) return fail(realm->line, s.prefix + "realm must not be empty (leave it out for the domain name)");
      for (char c : d.realm) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
          return fail(realm->line, s.prefix + "realm must not contain control characters, '\"' or '\\' (it is "
                                              "quoted in WWW-Authenticate), got " + quoted(d.realm));
        }
      }
    }
  } else {
    return fail(v.line, s.prefix + "must be a domain name or an inline table { name = \"...\", auth = \"...\", "
                                   "realm = \"...\" }, got " + std::string(toml::kind_name(v.kind)));
  }
  for (char& c : d.name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (std::string why = domain_problem(d.name); !why.empty()) {
    return fail(name_value->line, s.prefix + "domain " + quoted(d.name) + " " + why);
  }
  if (d.realm.empty()) d.realm = d.name;
  for (const RegistrarDomainConfig& other : config_.registrar.domains) {
    if (other.name == d.name) {
      return fail(d.line, s.prefix + "domain " + quoted(d.name) + " is listed twice (first at line " +
                              std::to_string(other.line) + ")");
    }
  }
  config_.registrar.domains.push_back(std::move(d));
  return true;
}

bool Loader::load_peer(const toml::Table& t) {
  const Section s{"[peer]", "peer.", t.line};
  PeerConfig& p = config_.peer;
  p.line = t.line;
  if (!check_keys(s, t, {"node_id", "peer_node_id", "priority", "address", "peer_address", "heartbeat_port",
                         "replication_port", "key_file", "heartbeat_interval_us", "dead_time_us", "ring"}) ||
      !get_uint(s, t, "node_id", 1, 0x7fffffff, p.node_id) ||
      !get_uint(s, t, "peer_node_id", 1, 0x7fffffff, p.peer_node_id) ||
      !get_uint(s, t, "priority", 0, 255, p.priority) ||
      !get_uint(s, t, "heartbeat_port", 1, 65535, p.heartbeat_port) ||
      !get_uint(s, t, "replication_port", 1, 65535, p.replication_port) ||
      !get_uint(s, t, "heartbeat_interval_us", 500, 1000000, p.heartbeat_interval_us) ||
      !get_uint(s, t, "dead_time_us", 1000, 10000000, p.dead_time_us) ||
      !get_uint(s, t, "ring", 1024, 1u << 26, p.ring))
    return false;
  for (const char* key : {"node_id", "peer_node_id", "address", "peer_address", "key_file"})
    if (t.find(key) == nullptr) return fail(t.line, s.prefix + key + " is required in [peer]");
  if (p.node_id == p.peer_node_id)
    return fail(t.find("peer_node_id")->line, s.prefix + "peer_node_id must differ from node_id (" +
                                                  std::to_string(p.node_id) + ")");
  for (auto [key, out] : {std::pair{"address", &p.address}, std::pair{"peer_address", &p.peer_address}}) {
    std::string text;
    const toml::Value* v = nullptr;
    if (!get_string(s, t, key, text, &v)) return false;
    *out = net::parse_ip(text);
    if (!*out) return fail(v->line, s.prefix + key + " must be an IPv4 or IPv6 address, got " + quoted(text));
  }
  if (*p.address == *p.peer_address)
    return fail(t.find("peer_address")->line, s.prefix + "peer_address is this node's own address");
  if (p.heartbeat_port == p.replication_port)
    return fail(t.find("replication_port") ? t.find("replication_port")->line : t.line,
                s.prefix + "heartbeat_port and replication_port must differ");
  if (p.dead_time_us < 3 * p.heartbeat_interval_us)
    return fail(t.find("dead_time_us") ? t.find("dead_time_us")->line : t.line,
                s.prefix + "dead_time_us (" + std::to_string(p.dead_time_us) +
                    ") must be at least three heartbeat intervals (" + std::to_string(3 * p.heartbeat_interval_us) + ")");
  const toml::Value* key_file = nullptr;
  if (!get_string(s, t, "key_file", p.key_file, &key_file)) return false;
  if (p.key_file.empty()) return fail(key_file->line, s.prefix + "key_file must not be empty");
  if (p.key_file[0] != '/') p.key_file = parent_folder(source_) + p.key_file;
  return true;
}

bool Loader::load_registrar(const toml::Table& t) {
  const Section s{"[registrar]", "registrar.", t.line};
  RegistrarConfig& r = config_.registrar;
  r.line = t.line;
  AuthMode default_auth = AuthMode::none;
  if (!check_keys(s, t, {"domains", "auth", "aors", "contacts", "default_expires", "min_expires", "max_expires",
                         "min_expires_mode", "max_contacts", "max_contacts_mode", "unregistered_set",
                         "subscribers", "nonce_lifetime", "auth_retries", "auth_algorithms"}) ||
      !get_choice(s, t, "auth", kAuthModes, default_auth) ||
      !get_uint(s, t, "aors", 1, kMaxRegistrarAors, r.aors) ||
      !get_uint(s, t, "contacts", 1, kMaxRegistrarContacts, r.contacts) ||
      !get_uint(s, t, "default_expires", 1, kMaxRegistrarExpires, r.default_expires) ||
      !get_uint(s, t, "min_expires", 0, kMaxRegistrarExpires, r.min_expires) ||
      !get_uint(s, t, "max_expires", 1, kMaxRegistrarExpires, r.max_expires) ||
      !get_choice(s, t, "min_expires_mode", kMinExpiresModes, r.min_expires_mode) ||
      !get_choice(s, t, "max_contacts_mode", kMaxContactsModes, r.max_contacts_mode) ||
      !get_uint(s, t, "nonce_lifetime", 1, kMaxNonceLifetimeS, r.nonce_lifetime_s) ||
      !get_uint(s, t, "auth_retries", 0, kMaxAuthRetries, r.auth_retries)) {
    return false;
  }
  constexpr auto kContactLimit = static_cast<int64_t>(registrar::kMaxContactsPerAor);
  if (const toml::Value* v = t.find("max_contacts")) {
    if (v->kind == toml::Kind::integer && (v->integer < 0 || v->integer > kContactLimit)) {
      return fail(v->line, s.prefix + "max_contacts must be 0.." + std::to_string(kContactLimit) +
                               " (a binding holds at most " + std::to_string(kContactLimit) +
                               " contacts per AoR; 0 means " + std::to_string(kContactLimit) + "), got " +
                               std::to_string(v->integer));
    }
    if (!get_uint(s, t, "max_contacts", 0, kContactLimit, r.max_contacts)) return false;
  }

  // Expiries: min_expires <= default_expires <= max_expires.
  auto line_of = [&](std::string_view key) {
    const toml::Value* v = t.find(key);
    return v != nullptr ? v->line : t.line;
  };
  if (r.max_expires < r.min_expires) {
    return fail(line_of(t.find("max_expires") ? "max_expires" : "min_expires"),
                s.prefix + "max_expires (" + std::to_string(r.max_expires) + ") must not be below min_expires (" +
                    std::to_string(r.min_expires) + ")");
  }
  if (r.default_expires < r.min_expires || r.default_expires > r.max_expires) {
    // The defaults agree with each other, so a key that was given is at fault: default_expires if
    // it was, otherwise the bound it falls outside of.
    const std::string_view key = t.find("default_expires") != nullptr     ? "default_expires"
                                 : r.default_expires < r.min_expires ? "min_expires"
                                                                     : "max_expires";
    return fail(line_of(key), s.prefix + "default_expires (" + std::to_string(r.default_expires) +
                                  ") must lie within min_expires..max_expires (" + std::to_string(r.min_expires) +
                                  ".." + std::to_string(r.max_expires) + ")");
  }

  // The set for users who are not registered: checked against the sets once all are read.
  const toml::Value* v = nullptr;
  if (!get_string(s, t, "unregistered_set", r.unregistered_set, &v)) return false;
  if (v != nullptr) {
    if (r.unregistered_set.empty()) {
      return fail(v->line, s.prefix + "unregistered_set must not be empty (leave it out: 404 for users not registered)");
    }
    unregistered_set_line_ = v->line;
  }

  // Digest algorithms the challenges offer (SHA-256 first when both, RFC 8760; sipp knows only MD5).
  std::vector<std::string> algorithms;
  std::vector<uint32_t> algorithm_lines;
  if (!get_string_list(s, t, "auth_algorithms", algorithms, algorithm_lines)) return false;
  if (!algorithms.empty()) {
    r.auth_sha256 = r.auth_md5 = false;
    for (std::size_t i = 0; i < algorithms.size(); ++i) {
      if (algorithms[i] == "SHA-256") {
        r.auth_sha256 = true;
      } else if (algorithms[i] == "MD5") {
        r.auth_md5 = true;
      } else {
        return fail(algorithm_lines[i], s.prefix + "auth_algorithms: " + quoted(algorithms[i]) +
                                            " is not a digest algorithm siplb offers (\"SHA-256\", \"MD5\")");
      }
    }
  }

  const toml::Value* subscribers = nullptr;
  if (!get_string(s, t, "subscribers", r.subscribers, &subscribers)) return false;
  if (subscribers != nullptr) {
    if (r.subscribers.empty()) return fail(subscribers->line, s.prefix + "subscribers must not be empty");
    if (r.subscribers[0] != '/') r.subscribers = parent_folder(source_) + r.subscribers;
  }

  const toml::Value* domains = t.find("domains");
  if (domains == nullptr) {
    return fail(t.line, s.prefix + "domains is required (the domains siplb is the registrar of; leave out "
                                   "[registrar] to balance REGISTERs like other requests)");
  }
  if (domains->kind == toml::Kind::string) {
    if (!load_registrar_domain(*domains, 1, default_auth)) return false;
  } else if (domains->kind == toml::Kind::array) {
    if (domains->items.empty()) {
      return fail(domains->line, s.prefix + "domains must list at least one domain (leave out [registrar] "
                                            "to balance REGISTERs like other requests)");
    }
    for (std::size_t i = 0; i < domains->items.size(); ++i) {
      if (!load_registrar_domain(domains->items[i], i + 1, default_auth)) return false;
    }
  } else {
    return fail(domains->line, s.prefix + "domains must be an array of domain names and { name = \"...\" } "
                                          "tables, got " + std::string(toml::kind_name(domains->kind)));
  }
  if (subscribers == nullptr) {
    for (const RegistrarDomainConfig& d : r.domains) {
      if (d.auth != AuthMode::none) {
        return fail(d.line, "registrar.domains: " + quoted(d.name) + " has auth " +
                                quoted(auth_mode_text(d.auth)) +
                                " but registrar.subscribers (the file of users and their passwords) is not set");
      }
    }
  }
  return true;
}

bool Loader::load_tables(const toml::Table& t) {
  const Section s{"[tables]", "tables.", t.line};
  TablesConfig& c = config_.tables;
  return check_keys(s, t, {"transactions", "transaction_ttl_ms", "arp_timeout_s",
                           "arp_pending_packets"}) &&
         get_uint(s, t, "transactions", limits::kMinTransactions, limits::kMaxTransactions,
                  c.transactions) &&
         get_uint(s, t, "transaction_ttl_ms", limits::kMinTransactionTtlMs,
                  limits::kMaxTransactionTtlMs, c.transaction_ttl_ms) &&
         get_uint(s, t, "arp_timeout_s", 1, limits::kMaxArpTimeoutS, c.arp_timeout_s) &&
         get_uint(s, t, "arp_pending_packets", 1, limits::kMaxArpPendingPackets,
                  c.arp_pending_packets);
}

bool Loader::maxload_from_attrs(const SetConfig& c, balance::Destination& d, const std::string& where) {
  uint32_t maxload = 0;
  bool present = false;
  if (!maxload_attr(d.attrs, maxload, present)) {
    return fail(c.line, where + quoted(d.uri) + ": attribute maxload must be a number 0..1000000000");
  }
  if (present)
    for (const std::string& r : c.set.resources) d.capacities.push_back({r, maxload});
  return true;
}

// An array of non-empty strings without duplicates (a lone string is one item).
bool Loader::get_string_list(const Section& s, const toml::Table& t, std::string_view key,
                             std::vector<std::string>& out, std::vector<uint32_t>& lines) {
  const toml::Value* v = t.find(key);
  if (v == nullptr) return true;
  const std::string name = s.prefix + std::string(key);
  std::vector<const toml::Value*> items;
  if (v->kind == toml::Kind::string) {
    items.push_back(v);
  } else if (v->kind == toml::Kind::array && !v->items.empty()) {
    for (const toml::Value& item : v->items) items.push_back(&item);
  } else {
    return fail(v->line, name + " must be a string or a non-empty array of strings, got " +
                             std::string(toml::kind_name(v->kind)));
  }
  for (const toml::Value* item : items) {
    if (item->kind != toml::Kind::string || item->string.empty()) {
      return fail(item->line, name + ": items must be non-empty strings");
    }
    if (std::find(out.begin(), out.end(), item->string) != out.end()) {
      return fail(item->line, name + " lists " + quoted(item->string) + " twice");
    }
    out.push_back(item->string);
    lines.push_back(item->line);
  }
  return true;
}

// methods, domains, user_prefixes: which initial requests the set takes.
bool Loader::load_match(const Section& s, const toml::Table& t, SetMatch& m) {
  std::vector<std::string> methods;
  std::vector<uint32_t> lines;
  if (!get_string_list(s, t, "methods", methods, lines)) return false;
  for (std::size_t i = 0; i < methods.size(); ++i) {
    const sip::Method method = sip::method_from_text(methods[i]);
    if (method == sip::Method::extension) {
      return fail(lines[i], s.prefix + "methods: " + quoted(methods[i]) +
                                " is not a SIP method siplb knows (upper case, e.g. INVITE, MESSAGE)");
    }
    if (method == sip::Method::ack || method == sip::Method::cancel) {
      return fail(lines[i], s.prefix + "methods: " + methods[i] +
                                " follows its INVITE and is never balanced on its own; leave it out");
    }
    m.methods.push_back(method);
  }
  lines.clear();
  if (!get_string_list(s, t, "domains", m.domains, lines)) return false;
  for (std::string& d : m.domains)
    for (char& c : d) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  lines.clear();
  return get_string_list(s, t, "user_prefixes", m.user_prefixes, lines);
}

bool Loader::load_dialogs(const toml::Table& t) {
  const Section s{"[dialogs]", "dialogs.", t.line};
  DialogsConfig& d = config_.dialogs;
  if (!check_keys(s, t, {"capacity", "early_timeout_s", "max_lifetime_s", "idle_timeout_s"}) ||
      !get_uint(s, t, "capacity", limits::kMinDialogs, limits::kMaxDialogs, d.capacity) ||
      !get_uint(s, t, "early_timeout_s", 1, limits::kMaxDialogTimeoutS, d.early_timeout_s) ||
      !get_uint(s, t, "max_lifetime_s", 1, limits::kMaxDialogTimeoutS, d.max_lifetime_s) ||
      !get_uint(s, t, "idle_timeout_s", 0, limits::kMaxDialogTimeoutS, d.idle_timeout_s)) {
    return false;
  }
  if (d.max_lifetime_s < d.early_timeout_s) {
    return fail(t.find("max_lifetime_s") ? t.find("max_lifetime_s")->line : t.line,
                s.prefix + "max_lifetime_s (" + std::to_string(d.max_lifetime_s) +
                    ") must not be shorter than early_timeout_s (" + std::to_string(d.early_timeout_s) + ")");
  }
  return true;
}

// Resource names become LoadBoard columns: at most balance::kMaxResources in one configuration.
bool Loader::note_resource(uint32_t line, const std::string& where, const std::string& name) {
  auto& names = config_.resource_names;
  if (std::find(names.begin(), names.end(), name) != names.end()) return true;
  if (names.size() == balance::kMaxResources) {
    return fail(line, where + "resource " + quoted(name) + " is one more than the " +
                          std::to_string(balance::kMaxResources) + " resource names siplb tracks");
  }
  names.push_back(name);
  return true;
}

// resources, load_mode, overcommit: keys of least-loaded sets only.
bool Loader::load_least_loaded(const Section& s, const toml::Table& t, SetConfig& c) {
  const bool least_loaded = c.set.algorithm == Algorithm::least_loaded;
  for (std::string_view key : {"resources", "load_mode", "overcommit"}) {
    const toml::Value* v = t.find(key);
    if (v != nullptr && !least_loaded) {
      return fail(v->line, s.prefix + std::string(key) + " applies to algorithm \"least-loaded\" only, not " +
                               quoted(algorithm_text(c.set.algorithm)));
    }
  }
  if (!least_loaded) return true;
  c.set.load_mode = defaults::kLoadMode;
  c.set.overcommit = defaults::kOvercommit;
  c.set.resources.clear();
  std::vector<uint32_t> lines;
  if (!get_string_list(s, t, "resources", c.set.resources, lines)) return false;
  for (std::size_t i = 0; i < c.set.resources.size(); ++i) {
    std::vector<balance::Capacity> probe;
    std::string error;
    if (!balance::parse_capacities(c.set.resources[i] + "=1", probe, error)) {
      return fail(lines[i], s.prefix + "resources: " + quoted(c.set.resources[i]) + " is not a resource name");
    }
    if (!note_resource(lines[i], s.prefix, c.set.resources[i])) return false;
  }
  if (c.set.resources.empty()) {
    c.set.resources.emplace_back(defaults::kResource);
    if (!note_resource(t.line, s.prefix, c.set.resources.back())) return false;
  }
  std::string mode;
  const toml::Value* v = nullptr;
  if (!get_string(s, t, "load_mode", mode, &v)) return false;
  if (v != nullptr) {
    if (mode == "absolute") c.set.load_mode = balance::LoadMode::absolute;
    else if (mode == "relative") c.set.load_mode = balance::LoadMode::relative;
    else return fail(v->line, s.prefix + "load_mode must be absolute or relative, got " + quoted(mode));
  }
  return get_bool(s, t, "overcommit", c.set.overcommit);
}

// capacity = "pstn=32;transcoding=10" (OpenSIPS load_balancer syntax), or a number that every
// resource of the set gets.
bool Loader::load_capacity(const Section& s, const toml::Table& t, const SetConfig& c, balance::Destination& d) {
  const toml::Value* v = t.find("capacity");
  if (v == nullptr) return true;
  if (v->kind == toml::Kind::integer) {
    if (v->integer < 0 || v->integer > 1000000000) {
      return fail(v->line, s.prefix + "capacity must be 0..1000000000, got " + std::to_string(v->integer));
    }
    if (c.set.resources.empty()) {
      return fail(v->line, s.prefix + "a capacity number needs a least-loaded set (or write \"name=N\")");
    }
    for (const std::string& r : c.set.resources)
      d.capacities.push_back({r, static_cast<uint32_t>(v->integer)});
    return true;
  }
  if (v->kind != toml::Kind::string) {
    return fail(v->line, s.prefix + "capacity must be \"resource=N;...\" or a number, got " +
                             std::string(toml::kind_name(v->kind)));
  }
  std::string error;
  if (!balance::parse_capacities(v->string, d.capacities, error)) {
    return fail(v->line, s.prefix + "capacity: " + error);
  }
  for (const balance::Capacity& cap : d.capacities)
    if (!note_resource(v->line, s.prefix, cap.resource)) return false;
  return true;
}

bool Loader::load_probing(const toml::Table& t) {
  const Section s{"[probing]", "probing.", t.line};
  ProbingConfig& p = config_.probing;
  if (!check_keys(s, t, {"enabled", "interval_ms", "timeout_ms", "failure_threshold",
                         "recovery_threshold", "success_codes", "from_uri"}) ||
      !get_bool(s, t, "enabled", p.enabled) ||
      !get_uint(s, t, "interval_ms", limits::kMinProbeIntervalMs, limits::kMaxProbeIntervalMs,
                p.interval_ms) ||
      !get_uint(s, t, "timeout_ms", limits::kMinProbeTimeoutMs, limits::kMaxProbeIntervalMs,
                p.timeout_ms) ||
      !get_uint(s, t, "failure_threshold", 1, limits::kMaxThreshold, p.failure_threshold) ||
      !get_uint(s, t, "recovery_threshold", 1, limits::kMaxThreshold, p.recovery_threshold) ||
      !get_int_list(s, t, "success_codes", false, 100, 699, p.success_codes)) {
    return false;
  }
  if (p.timeout_ms > p.interval_ms) {
    const toml::Value* v = t.find("timeout_ms");
    if (v == nullptr) v = t.find("interval_ms");
    return fail(v->line, "probing.timeout_ms (" + std::to_string(p.timeout_ms) +
                             ") must not exceed probing.interval_ms (" +
                             std::to_string(p.interval_ms) + ")");
  }
  const toml::Value* v = nullptr;
  if (!get_string(s, t, "from_uri", p.from_uri, &v)) return false;
  if (v != nullptr) {
    from_uri_given_ = true;
    if (!iequals_prefix(p.from_uri, "sip:") || p.from_uri.size() == 4) {
      return fail(v->line, "probing.from_uri must be a sip: URI such as \"sip:siplb@10.0.0.1\", got " +
                               quoted(p.from_uri));
    }
    for (char c : p.from_uri) {
      auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7f) {
        return fail(v->line, "probing.from_uri must not contain spaces or control characters, got " +
                                 quoted(p.from_uri));
      }
    }
  }
  return true;
}

// "sip:IP[:port][;transport=udp]"; IPv6 in brackets. Hosts must be IP addresses: the data path
// does no DNS.
bool Loader::parse_destination_uri(const Section& s, const toml::Value& v, net::SocketAddress& out) {
  std::string reason;
  if (config::parse_destination_uri(v.string, out, reason)) return true;
  return fail(v.line, s.prefix + reason);
}

bool Loader::load_destination(const Section& set, const toml::Table& t, std::size_t ordinal,
                              const SetConfig& c, balance::Destination& d) {
  const std::string name = set.name + " destination " + std::to_string(ordinal);
  const Section s{name, name + ": ", t.line};
  if (!check_keys(s, t, {"uri", "weight", "priority", "probe", "state", "attrs", "capacity"})) return false;
  if (!load_capacity(s, t, c, d)) return false;
  const toml::Value* v = nullptr;
  if (!get_required_string(s, t, "uri", d.uri, &v) || !parse_destination_uri(s, *v, d.address)) {
    return false;
  }
  d.weight = defaults::kWeight;
  d.priority = defaults::kPriority;
  d.probe = defaults::kProbe;
  d.state = defaults::kState;
  if (!get_uint(s, t, "weight", 0, 65535, d.weight) ||
      !get_uint(s, t, "priority", INT32_MIN, INT32_MAX, d.priority) ||
      !get_bool(s, t, "probe", d.probe) || !get_string(s, t, "attrs", d.attrs)) {
    return false;
  }
  std::string state;
  if (!get_string(s, t, "state", state, &v)) return false;
  if (v != nullptr) {
    bool found = false;
    for (const StateName& n : kStateNames) {
      if (n.name == state) {
        d.state = n.state;
        found = true;
      }
    }
    if (!found) {
      return fail(v->line, s.prefix + "state must be active, inactive, probing or disabled, got " +
                               quoted(state));
    }
  }
  return true;
}

bool Loader::load_set(const toml::Table& t, std::size_t ordinal) {
  const std::string name = "set " + std::to_string(ordinal);
  const Section s{name, name + ": ", t.line};
  if (!check_keys(s, t, {"id", "name", "algorithm", "hash_key", "maglev_table_size", "dispatcher_list",
                         "resources", "load_mode", "overcommit", "methods", "domains", "user_prefixes"},
                  {"destination"})) {
    return false;
  }
  SetConfig c;
  c.line = t.line;
  const toml::Value* id = t.find("id");
  if (id == nullptr) return fail(t.line, s.prefix + "id is required");
  if (!get_uint(s, t, "id", 0, UINT32_MAX, c.set.id)) return false;
  for (std::size_t k = 0; k < config_.sets.size(); ++k) {
    if (config_.sets[k].set.id == c.set.id) {
      return fail(id->line, s.prefix + "id " + std::to_string(c.set.id) + " is already used by set " +
                                std::to_string(k + 1) + " (line " +
                                std::to_string(config_.sets[k].line) + ")");
    }
  }
  if (!get_string(s, t, "name", c.set.name)) return false;

  c.set.algorithm = defaults::kAlgorithm;
  if (const toml::Value* v = t.find("algorithm")) {
    std::string text;
    if (v->kind == toml::Kind::string) {
      text = v->string;
    } else if (v->kind == toml::Kind::integer) {
      text = std::to_string(v->integer);
    } else {
      return fail(v->line, s.prefix + "algorithm must be a name or an OpenSIPS number, got " +
                               std::string(toml::kind_name(v->kind)));
    }
    if (!balance::algorithm_from_text(text, c.set.algorithm)) {
      return fail(v->line, s.prefix + "unknown algorithm " + quoted(text) + " (expected one of " +
                               algorithm_choices() + ")");
    }
  }

  const std::optional<HashKey> implied = implied_hash_key(c.set.algorithm);
  c.hash_key = implied.value_or(defaults::kHashKey);
  if (const toml::Value* v = t.find("hash_key")) {
    if (c.set.algorithm != Algorithm::maglev) {
      return fail(v->line, s.prefix + "hash_key applies to algorithm \"maglev\" only, not " +
                               quoted(algorithm_text(c.set.algorithm)) +
                               (implied ? " (which always hashes its own key)" : ""));
    }
    if (v->kind != toml::Kind::string) {
      return fail(v->line, s.prefix + "hash_key must be a string, got " +
                               std::string(toml::kind_name(v->kind)));
    }
    bool found = false;
    for (const HashKeyName& n : kHashKeyNames) {
      if (n.name == v->string) {
        c.hash_key = n.key;
        found = true;
      }
    }
    if (!found) {
      return fail(v->line, s.prefix + "hash_key must be call-id, from-uri, to-uri, request-uri or "
                                      "auth-user, got " + quoted(v->string));
    }
  }

  if (!load_least_loaded(s, t, c) || !load_match(s, t, c.match)) return false;

  if (!get_uint(s, t, "maglev_table_size", limits::kMinMaglevTableSize,
                limits::kMaxMaglevTableSize, c.maglev_table_size)) {
    return false;
  }
  if (!is_prime(c.maglev_table_size)) {
    return fail(t.find("maglev_table_size")->line,
                s.prefix + "maglev_table_size must be a prime, got " +
                    std::to_string(c.maglev_table_size) + " (for example 65537, 131071, 262147)");
  }

  std::vector<uint32_t> lines;  // of each destination's uri (dispatcher_list ones: of that key)

  // Inline destinations.
  if (const toml::Value* v = t.find("destination")) {
    if (v->kind != toml::Kind::table_array) {
      return fail(v->line, s.prefix + "destinations are an array of tables: write [[set.destination]]");
    }
    for (std::size_t k = 0; k < v->tables.size(); ++k) {
      balance::Destination d;
      if (!load_destination(s, v->tables[k], k + 1, c, d)) return false;
      for (std::size_t j = 0; j < c.set.destinations.size(); ++j) {
        if (c.set.destinations[j].address == d.address) {
          return fail(v->tables[k].find("uri")->line,
                      s.name + " destination " + std::to_string(k + 1) + ": " + quoted(d.uri) +
                          " is the same address as destination " + std::to_string(j + 1) +
                          " (line " + std::to_string(v->tables[j].find("uri")->line) + ")");
        }
      }
      c.set.destinations.push_back(std::move(d));
      lines.push_back(v->tables[k].find("uri")->line);
    }
  }

  // Destinations from a dispatcher.list file.
  const toml::Value* list = nullptr;
  if (!get_string(s, t, "dispatcher_list", c.dispatcher_list, &list)) return false;
  if (list != nullptr) {
    if (c.dispatcher_list.empty()) return fail(list->line, s.prefix + "dispatcher_list must not be empty");
    if (c.dispatcher_list[0] != '/') c.dispatcher_list = parent_folder(source_) + c.dispatcher_list;
    const std::string shown = s.prefix + "dispatcher_list " + quoted(c.dispatcher_list) + ": ";
    balance::DispatcherListOptions options;
    options.algorithm = c.set.algorithm;
    balance::DispatcherList loaded = balance::load_dispatcher_list(c.dispatcher_list, options);
    if (!loaded.ok()) return fail(list->line, shown + loaded.error->message());
    for (const auto& socket : loaded.sockets)
      if (socket.set_id == c.set.id)
        sockets_.push_back({list->line, shown, socket.socket, socket.line, c.dispatcher_list});
    for (balance::DestinationSet& from_list : loaded.sets) {
      if (from_list.id != c.set.id) continue;  // other sets' lines are for other [[set]]s
      for (balance::Destination& d : from_list.destinations) {
        for (std::size_t j = 0; j < c.set.destinations.size(); ++j) {
          if (c.set.destinations[j].address == d.address) {
            return fail(list->line, shown + quoted(d.uri) + " is the same address as destination " +
                                        std::to_string(j + 1) + " (line " +
                                        std::to_string(lines[j]) + ")");
          }
        }
        if (!maxload_from_attrs(c, d, shown)) return false;
        c.set.destinations.push_back(std::move(d));
        lines.push_back(list->line);
      }
    }
  }

  if (c.set.destinations.empty()) {
    return fail(t.line, s.prefix + "has no destinations (add a [[set.destination]]" +
                            (list != nullptr ? ", or entries for set id " + std::to_string(c.set.id) +
                                                   " to its dispatcher_list)"
                                             : " or a dispatcher_list)"));
  }
  if (c.maglev_table_size <= c.set.destinations.size()) {
    return fail(t.find("maglev_table_size")->line,
                s.prefix + "maglev_table_size " + std::to_string(c.maglev_table_size) +
                    " must be larger than the number of destinations (" +
                    std::to_string(c.set.destinations.size()) + ")");
  }
  if (c.set.algorithm == Algorithm::least_loaded) {
    // Some destination must be able to take a call: a capacity for every resource of the set.
    const bool any = std::any_of(c.set.destinations.begin(), c.set.destinations.end(), [&](const balance::Destination& d) {
      return std::all_of(c.set.resources.begin(), c.set.resources.end(), [&](const std::string& r) {
        return std::any_of(d.capacities.begin(), d.capacities.end(),
                           [&](const balance::Capacity& cap) { return cap.resource == r && cap.max > 0; });
      });
    });
    if (!any) {
      std::string names;
      for (const std::string& r : c.set.resources) names += (names.empty() ? "" : ", ") + r;
      return fail(t.line, s.prefix + "least-loaded, but no destination declares a capacity for " + names +
                              " (add capacity = \"" + c.set.resources.front() + "=N\" to the destinations)");
    }
  }
  config_.sets.push_back(std::move(c));
  destination_lines_.push_back(std::move(lines));
  return true;
}

bool Loader::cross_check() {
  if (config_.interfaces.empty()) {
    return fail(0, "no [[interface]]: at least one interface is required");
  }
  if (config_.store.durability == Durability::peer && !config_.peer.enabled())
    return fail(store_durability_line_, "store.durability \"peer\" needs a [peer] to acknowledge changes");
  // A dispatcher table's socket column must name one of our addresses ("udp:IP[:port]").
  for (const PendingSocket& p : sockets_) {
    std::string_view text = p.socket;
    const std::string where = p.shown + p.file + ":" + std::to_string(p.file_line) + ": socket " + quoted(p.socket);
    if (iequals_prefix(text, "udp:")) {
      text.remove_prefix(4);
    } else if (text.find(':') != std::string_view::npos && text.find(':') < 6 && text.front() != '[' &&
               !net::parse_ip(text.substr(0, text.find(':')))) {
      return fail(p.config_line, where + ": siplb forwards SIP over UDP only");
    }
    std::string_view host = text;
    if (!host.empty() && host.front() == '[') {
      host = host.substr(1, host.find(']') == std::string_view::npos ? 0 : host.find(']') - 1);
    } else if (std::count(host.begin(), host.end(), ':') == 1) {
      host = host.substr(0, host.find(':'));
    }
    const std::optional<net::IpAddress> ip = net::parse_ip(host);
    const bool ours = ip && std::any_of(config_.interfaces.begin(), config_.interfaces.end(), [&](const InterfaceConfig& i) {
      return i.address.ip == *ip || (i.address6 && i.address6->ip == *ip);
    });
    if (!ours) return fail(p.config_line, where + " names no address of an [[interface]] of siplbd");
  }
  if (config_.sets.empty()) {
    return fail(0, "no [[set]]: at least one destination set is required");
  }
  const RegistrarConfig& registrar = config_.registrar;
  if (!registrar.unregistered_set.empty()) {
    const bool found = std::any_of(config_.sets.begin(), config_.sets.end(),
                                   [&](const SetConfig& c) { return c.set.name == registrar.unregistered_set; });
    if (!found) {
      std::string known;
      for (const SetConfig& c : config_.sets) {
        if (!c.set.name.empty()) known += (known.empty() ? "" : ", ") + quoted(c.set.name);
      }
      return fail(unregistered_set_line_,
                  "registrar.unregistered_set " + quoted(registrar.unregistered_set) + " names no [[set]] (" +
                      (known.empty() ? std::string("no [[set]] has a name") : "known: " + known) + ")");
    }
  }
  const bool has_ipv6 = std::any_of(config_.interfaces.begin(), config_.interfaces.end(),
                                    [](const InterfaceConfig& i) { return i.address6.has_value(); });
  if (!has_ipv6) {
    for (std::size_t k = 0; k < config_.sets.size(); ++k) {
      const auto& dests = config_.sets[k].set.destinations;
      for (std::size_t j = 0; j < dests.size(); ++j) {
        if (dests[j].address.ip.is_v6()) {
          return fail(destination_lines_[k][j],
                      "set " + std::to_string(k + 1) + " destination " + std::to_string(j + 1) + ": " +
                          quoted(dests[j].uri) + " is IPv6 but no [[interface]] has an address6");
        }
      }
    }
  }
  return true;
}

// A top-level key or table the schema does not have; suggests the section a typo was meant for.
bool Loader::reject_top_level(const toml::Entry& e) {
  const toml::Value& v = e.value;
  const bool is_table = v.kind == toml::Kind::table || v.kind == toml::Kind::table_array;
  if (!is_table) {
    return fail(v.line, "unknown key '" + e.key + "' at the top level (keys go inside a [table])");
  }
  static constexpr std::string_view kSections[] = {"[balancer]", "[[interface]]", "[workers]", "[tables]",
                                                   "[probing]",  "[dialogs]",     "[[set]]",
                                                   "[store]",    "[api]",         "[metrics]",
                                                   "[registrar]", "[peer]"};
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view section : kSections) {
    const std::string_view bare = section.substr(section.find_first_not_of('['),
                                                 section.find(']') - section.find_first_not_of('['));
    if (std::size_t d = text::edit_distance(e.key, bare); d < best_distance) {
      best_distance = d;
      best = section;
    }
  }
  std::string reason = "unknown table [" + e.key + "]";
  if (!best.empty()) {
    reason += " (did you mean " + std::string(best) + "?)";
  } else {
    reason += " (expected [balancer], [[interface]], [workers], [tables], [probing], [dialogs], [[set]])";
  }
  return fail(v.line, std::move(reason));
}

ConfigResult Loader::run() {
  ConfigResult result;
  // Inline tables only as array items: registrar.domains entries such as { name = "...", auth = "..." }.
  toml::ParseResult doc = toml::parse(text_, toml::ParseOptions{.inline_tables_in_arrays = true});
  if (!doc.ok()) {
    fail(doc.error.line, doc.error.reason);
  } else {
    for (const toml::Entry& e : doc.root.entries) {
      const toml::Value& v = e.value;
      bool ok = true;
      if (e.key == "balancer" || e.key == "workers" || e.key == "tables" || e.key == "probing" ||
          e.key == "dialogs" || e.key == "store" || e.key == "api" || e.key == "metrics" ||
          e.key == "registrar" || e.key == "peer") {
        const toml::Table* t = single_table(v, e.key);
        if (t == nullptr) break;
        if (e.key == "balancer") ok = load_balancer(*t);
        if (e.key == "workers") ok = load_workers(*t);
        if (e.key == "tables") ok = load_tables(*t);
        if (e.key == "probing") ok = load_probing(*t);
        if (e.key == "dialogs") ok = load_dialogs(*t);
        if (e.key == "store") ok = load_store(*t);
        if (e.key == "api") ok = load_api(*t);
        if (e.key == "metrics") ok = load_metrics(*t);
        if (e.key == "registrar") ok = load_registrar(*t);
        if (e.key == "peer") ok = load_peer(*t);
      } else if (e.key == "interface" || e.key == "set") {
        if (v.kind == toml::Kind::table && v.tables.front().implicit && e.key == "set") {
          ok = fail(v.line, "[[set.destination]] must follow the [[set]] it belongs to");
        } else if (v.kind != toml::Kind::table_array) {
          ok = fail(v.line, e.key + " is an array of tables: write [[" + e.key + "]], not " +
                                (v.kind == toml::Kind::table ? "[" + e.key + "]"
                                                             : std::string(toml::kind_name(v.kind))));
        } else {
          for (std::size_t k = 0; ok && k < v.tables.size(); ++k) {
            ok = e.key == "interface" ? load_interface(v.tables[k], k + 1) : load_set(v.tables[k], k + 1);
          }
        }
      } else {
        ok = reject_top_level(e);
      }
      if (!ok) break;
    }
    if (!failed_) cross_check();
    config_.probing.from_uri_is_default = !from_uri_given_;
    if (!failed_ && !from_uri_given_) {
      // sip:siplb@ + the first interface's address as written, without its prefix length.
      const toml::Value* iface = doc.root.find("interface");
      std::string_view written = iface->tables.front().find("address")->string;
      written = written.substr(0, written.find('/'));
      config_.probing.from_uri =
          "sip:" + std::string(defaults::kProbeFromUser) + "@" + std::string(written);
    }
  }
  if (failed_) {
    error_.message = error_.source + ":" +
                     (error_.line != 0 ? std::to_string(error_.line) + ":" : std::string()) + " " +
                     error_.reason;
    result.error = std::move(error_);
    return result;
  }
  config_.source = source_;
  result.config = std::move(config_);
  return result;
}

}  // namespace

std::string_view hash_key_text(HashKey key) {
  for (const HashKeyName& n : kHashKeyNames) {
    if (n.key == key) return n.name;
  }
  return "?";
}

std::string_view state_text(DestinationState state) {
  for (const StateName& n : kStateNames) {
    if (n.state == state) return n.name;
  }
  return "?";
}

bool parse_destination_uri(std::string_view uri, net::SocketAddress& out, std::string& reason) {
  auto fail = [&reason](std::string why) {
    reason = std::move(why);
    return false;
  };
  const std::string bad = "uri " + quoted(uri);
  const std::string form = " (expected \"sip:IP[:port]\", e.g. \"sip:10.0.0.11:5060\" or \"sip:[fd00::11]:5060\")";
  if (iequals_prefix(uri, "sips:")) {
    return fail(bad + ": sips: (TLS) is not supported; siplb forwards SIP over UDP");
  }
  if (!iequals_prefix(uri, "sip:")) return fail(bad + " is not a sip: URI" + form);
  std::string_view rest = uri.substr(4);
  if (std::size_t semi = rest.find(';'); semi != std::string_view::npos) {
    std::string_view params = rest.substr(semi + 1);
    rest = rest.substr(0, semi);
    if (!iequals(params, "transport=udp")) {
      return fail(bad + ": URI parameters other than transport=udp are not supported");
    }
  }
  if (rest.find('@') != std::string_view::npos) {
    return fail(bad + ": a destination URI has no user part" + form);
  }
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!rest.empty() && rest[0] == '[') {
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return fail(bad + ": no ']' after the IPv6 address");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail(bad + ": unexpected text after ']'" + form);
      port = after.substr(1);
      has_port = true;
    }
  } else {
    std::size_t colon = rest.find(':');
    if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos) {
      return fail(bad + ": an IPv6 host must be written in brackets, e.g. \"sip:[fd00::11]:5060\"");
    }
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      has_port = true;
    }
  }
  if (host.empty()) return fail(bad + " has no host" + form);
  std::optional<net::IpAddress> ip = net::parse_ip(host);
  if (!ip) {
    return fail(bad + ": the host must be an IP address (no DNS on the data path), got " +
                            quoted(host));
  }
  if (rest[0] == '[' && !ip->is_v6()) {
    return fail(bad + ": only IPv6 addresses go in brackets");
  }
  out.ip = *ip;
  out.port = defaults::kDestinationPort;
  if (has_port) {
    uint32_t value = 0;
    bool digits = !port.empty() && port.size() <= 5;
    for (char c : port) {
      if (c < '0' || c > '9') {
        digits = false;
        break;
      }
      value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    if (!digits || value < 1 || value > 65535) {
      return fail(bad + ": port must be 1..65535, got " + quoted(port));
    }
    out.port = static_cast<uint16_t>(value);
  }
  return true;
}

std::string_view durability_text(Durability durability) {
  switch (durability) {
    case Durability::sync: return "sync";
    case Durability::async: return "async";
    case Durability::memory: return "memory";
    case Durability::peer: return "peer";
  }
  return "?";
}

std::string_view idle_mode_text(IdleMode mode) { return mode == IdleMode::adaptive ? "adaptive" : "poll"; }

std::string_view auth_mode_text(AuthMode mode) { return choice_text(kAuthModes, mode); }
std::string_view min_expires_mode_text(MinExpiresMode mode) { return choice_text(kMinExpiresModes, mode); }
std::string_view max_contacts_mode_text(MaxContactsMode mode) { return choice_text(kMaxContactsModes, mode); }

ConfigResult load_config_text(std::string_view text, std::string_view source_name) {
  Loader loader(text, source_name);
  return loader.run();
}

ConfigResult load_config_file(const std::string& path) {
  auto failure = [&](std::string reason) {
    ConfigResult r;
    r.error.source = path;
    r.error.reason = std::move(reason);
    r.error.message = path + ": " + r.error.reason;
    return r;
  };
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return failure(std::string("cannot open: ") + std::strerror(errno));
  std::string text;
  char buffer[16384];
  bool too_large = false;
  for (;;) {
    std::size_t n = std::fread(buffer, 1, sizeof buffer, f);
    text.append(buffer, n);
    if (text.size() > limits::kMaxFileSize) {
      too_large = true;
      break;
    }
    if (n < sizeof buffer) break;
  }
  const bool read_error = std::ferror(f) != 0;
  const int read_errno = errno;
  std::fclose(f);
  if (read_error) return failure(std::string("cannot read: ") + std::strerror(read_errno));
  if (too_large) {
    return failure("larger than " + std::to_string(limits::kMaxFileSize) +
                   " bytes; is this really a configuration file?");
  }
  return load_config_text(text, path);
}

}  // namespace siplb::config
