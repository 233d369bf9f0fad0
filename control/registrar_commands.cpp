// ControlPlane's registrar commands of the management API (docs/API.md, "Registrar"): bindings
// looked up, listed, added, removed and imported from an OpenSIPS/Kamailio location table, and the
// subscriber file reloaded. Control thread. A change is written to the binding table with
// Engine::write_binding (the whole AoR record) and persisted with persist_binding; a REGISTER a
// worker applies to the same AoR at the same moment may be overwritten by it, or overwrite it:
// the last writer wins, as with two REGISTERs.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

#include "api/api_args.hpp"
#include "control_plane.hpp"
#include "siplb/auth/subscriber.hpp"
#include "siplb/net/address.hpp"
#include "siplb/registrar/aor.hpp"
#include "siplb/registrar/location_import.hpp"
#include "siplb/registrar/register.hpp"

namespace siplb::control {
namespace {

using api::Arg;
using api::Json;
using api::Reply;

constexpr int64_t kDefaultBindingListLimit = 100;
constexpr int64_t kMaxBindingListLimit = 100000;
constexpr int64_t kMaxOperatorExpires = 10LL * 365 * 24 * 3600;  // ten years

const std::vector<std::string>& registrar_command_list() {
  static const std::vector<std::string> kNames = {"reg.lookup", "reg.show",  "reg.list",   "reg.add",
                                                  "reg.rm",     "reg.count", "reg.import", "subscribers.reload"};
  return kNames;
}

Reply no_registrar() {
  return Reply::failure(api::code::failed, "", "no [registrar] in the configuration: siplbd keeps no bindings");
}

std::string_view domain_of(std::string_view aor) {
  const auto at = aor.rfind('@');
  return at == std::string_view::npos ? std::string_view() : aor.substr(at + 1);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "192.0.2.10:5062", "[2001:db8::1]:5062"; empty when no source is recorded.
std::string source_text(const registrar::Source& s) {
  if (s.port == 0) return {};
  net::IpAddress ip;
  ip.family = s.v6 ? net::Family::ipv6 : net::Family::ipv4;
  std::copy(std::begin(s.ip), std::end(s.ip), ip.bytes.begin());
  const std::string address = net::format_ip(ip);
  return (s.v6 ? "[" + address + "]" : address) + ":" + std::to_string(s.port);
}

// "IP:PORT", "[IPv6]:PORT", "IP" (port 5060), with or without "sip:"; false when malformed.
bool parse_source(std::string_view text, registrar::Source& out) {
  if (text.size() >= 4 && lower(text.substr(0, 4)) == "sip:") text.remove_prefix(4);
  std::string_view host = text, port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port_text = rest.substr(1);
      if (port_text.empty()) return false;
    }
  } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.find(':') != colon) return false;  // an IPv6 address needs brackets here
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (port_text.empty()) return false;
  }
  const auto ip = net::parse_ip(host);
  if (!ip) return false;
  uint32_t port = 5060;
  if (!port_text.empty()) {
    port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9' || port > 65535) return false;
      port = port * 10 + static_cast<uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535) return false;
  }
  out = registrar::Source{};
  out.v6 = ip->is_v6();
  std::copy(ip->bytes.begin(), ip->bytes.end(), std::begin(out.ip));
  out.port = static_cast<uint16_t>(port);
  return true;
}

// Text that goes into a SIP header as it stands: no control characters.
bool header_safe(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

uint16_t effective_q(const registrar::Binding& b) { return b.has_q ? b.q_millis : 1000; }

// Live contacts in the order a call picks them (registrar::best_binding): highest q (none: 1.0),
// then the most recently written.
std::vector<const registrar::Binding*> live_in_call_order(const registrar::AorState& aor, int64_t now_ms) {
  std::vector<const registrar::Binding*> out;
  for (uint8_t i = 0; i < aor.count && i < registrar::kMaxContactsPerAor; ++i)
    if (registrar::binding_live(aor.bindings[i], now_ms)) out.push_back(&aor.bindings[i]);
  std::stable_sort(out.begin(), out.end(), [](const registrar::Binding* a, const registrar::Binding* b) {
    if (effective_q(*a) != effective_q(*b)) return effective_q(*a) > effective_q(*b);
    return a->updated_ms > b->updated_ms;
  });
  return out;
}

Json binding_json(const registrar::Binding& b, int64_t now_ms) {
  const int64_t left = b.expires_at - registrar::seconds_of(now_ms);
  const std::string received = source_text(b.received);
  Json j;
  j["contact"] = std::string(b.contact_uri());
  j["expires"] = left > 0 ? left : 0;
  j["q"] = b.has_q ? Json(static_cast<double>(b.q_millis) / 1000.0) : Json(nullptr);
  j["received"] = received.empty() ? Json(nullptr) : Json(received);
  j["path"] = b.path_length ? Json(std::string(b.path_text())) : Json(nullptr);
  j["instance"] = b.instance_length ? Json(std::string(b.instance_text())) : Json(nullptr);
  j["reg_id"] = b.reg_id;
  j["call_id"] = std::string(b.call_id_text());
  j["cseq"] = b.cseq;
  j["updated"] = b.updated_ms;
  return j;
}

Json contacts_json(const std::vector<const registrar::Binding*>& bindings, int64_t now_ms) {
  Json list = Json::array();
  for (const registrar::Binding* b : bindings) list.push_back(binding_json(*b, now_ms));
  return list;
}

void copy_text(std::string_view text, char* into, std::size_t room, uint8_t& length) {
  const std::size_t n = std::min(text.size(), room);
  std::memcpy(into, text.data(), n);
  length = static_cast<uint8_t>(n);
}

int find_contact(const registrar::AorState& aor, std::string_view contact) {
  for (uint8_t i = 0; i < aor.count && i < registrar::kMaxContactsPerAor; ++i)
    if (aor.bindings[i].contact_uri() == contact) return i;
  return -1;
}

void remove_at(registrar::AorState& aor, int index) {
  for (int i = index; i + 1 < aor.count; ++i) aor.bindings[i] = aor.bindings[i + 1];
  aor.bindings[aor.count - 1] = registrar::Binding{};
  --aor.count;
}

// The key of args.aor; a failure Reply naming it otherwise.
Reply registrar_aor(const Json& args, registrar::AorKey& key) {
  Reply error;
  std::string text;
  if (!api::get_string(args, "aor", Arg::required, text, error)) return error;
  if (!registrar::aor_key_from_text(text, key))
    return Reply::failure(api::code::bad_argument, "args.aor",
                          "\"" + text + "\" is not an address-of-record: sip:user@domain or user@domain");
  return Reply::success(nullptr);
}

}  // namespace

bool ControlPlane::is_registrar_command(const std::string& name) {
  const auto& names = registrar_command_list();
  return std::find(names.begin(), names.end(), name) != names.end();
}

const std::vector<std::string>& ControlPlane::registrar_command_names() { return registrar_command_list(); }

bool ControlPlane::serves_domain(std::string_view domain) const {
  for (const auto& d : running_.registrar.domains)
    if (d.name == domain) return true;
  return false;
}

Reply ControlPlane::registrar_command(const std::string& name, const Json& args) {
  Reply error;
  if (!engine_.serves_registrar()) {
    if (!api::check_known(args, {"aor", "contact", "expires", "q", "path", "received", "domain", "limit", "file"},
                          error))
      return error;
    return no_registrar();
  }
  const int64_t now = wall_clock_ms();

  if (name == "reg.lookup" || name == "reg.show") {
    registrar::AorKey key;
    if (!api::check_known(args, {"aor"}, error)) return error;
    if (Reply r = registrar_aor(args, key); !r.ok) return r;
    registrar::AorState aor;
    const bool found = engine_.find_binding(key, aor);
    const std::string aor_text(key.view());
    if (name == "reg.lookup") {
      const auto live = found ? live_in_call_order(aor, now) : std::vector<const registrar::Binding*>{};
      if (live.empty())
        return Reply::failure(api::code::not_found, "args.aor", aor_text + " has no live contact (not registered)");
      return Reply::success({{"aor", aor_text}, {"contacts", contacts_json(live, now)}});
    }
    if (!found || aor.count == 0) return Reply::failure(api::code::not_found, "args.aor", "no bindings of " + aor_text);
    std::vector<const registrar::Binding*> all;
    for (uint8_t i = 0; i < aor.count && i < registrar::kMaxContactsPerAor; ++i) all.push_back(&aor.bindings[i]);
    return Reply::success({{"aor", aor_text}, {"contacts", contacts_json(all, now)}});
  }

  if (name == "reg.list") {
    std::optional<std::string> domain;
    int64_t limit = kDefaultBindingListLimit;
    if (!api::check_known(args, {"domain", "limit"}, error) || !api::get_string(args, "domain", domain, error) ||
        !api::get_integer(args, "limit", Arg::optional, 1, kMaxBindingListLimit, limit, error))
      return error;
    const std::string wanted = domain ? lower(*domain) : std::string();
    Json aors = Json::array();
    bool truncated = false;
    uint64_t contacts = 0;
    registrar::AorState aor;
    for (int32_t p = engine_.next_binding(0, aor); p >= 0; p = engine_.next_binding(static_cast<uint32_t>(p) + 1, aor)) {
      if (domain && domain_of(aor.key.view()) != wanted) continue;
      const auto live = live_in_call_order(aor, now);
      if (live.empty()) continue;
      if (aors.size() >= static_cast<std::size_t>(limit)) {
        truncated = true;
        break;
      }
      contacts += live.size();
      aors.push_back({{"aor", std::string(aor.key.view())}, {"contacts", contacts_json(live, now)}});
    }
    return Reply::success({{"aors", aors},
                           {"shown_contacts", contacts},
                           {"truncated", truncated},
                           {"total_aors", engine_.binding_aors()},
                           {"total_contacts", engine_.binding_contacts()}});
  }

  if (name == "reg.count") {
    if (!api::check_known(args, {}, error)) return error;
    return Reply::success({{"aors", engine_.binding_aors()},
                           {"contacts", engine_.binding_contacts()},
                           {"capacity", engine_.binding_capacity()}});
  }

  if (name == "reg.add") {
    registrar::AorKey key;
    std::string contact;
    int64_t expires = running_.registrar.default_expires;
    double q = -1;
    std::optional<std::string> path, received;
    if (!api::check_known(args, {"aor", "contact", "expires", "q", "path", "received"}, error)) return error;
    if (Reply r = registrar_aor(args, key); !r.ok) return r;
    if (!api::get_string(args, "contact", Arg::required, contact, error) ||
        !api::get_integer(args, "expires", Arg::optional, 1, kMaxOperatorExpires, expires, error) ||
        !api::get_number(args, "q", Arg::optional, 0, 1, q, error) || !api::get_string(args, "path", path, error) ||
        !api::get_string(args, "received", received, error))
      return error;
    if (!serves_domain(domain_of(key.view())))
      return Reply::failure(api::code::bad_argument, "args.aor",
                            std::string(domain_of(key.view())) + " is not a domain of [registrar]");
    if (contact.size() >= 2 && contact.front() == '<' && contact.back() == '>')
      contact = contact.substr(1, contact.size() - 2);
    const std::string scheme = lower(contact.substr(0, contact.find(':') == std::string::npos ? 0 : contact.find(':')));
    if (scheme != "sip" && scheme != "sips")
      return Reply::failure(api::code::bad_argument, "args.contact",
                            "a contact is a sip: or sips: URI, got \"" + contact + "\"");
    if (contact.size() > registrar::kMaxContactUri || !header_safe(contact) ||
        contact.find_first_of(" <>\"") != std::string::npos)
      return Reply::failure(api::code::bad_argument, "args.contact",
                            "a contact URI has at most " + std::to_string(registrar::kMaxContactUri) +
                                " octets and no blanks, quotes, <, > or control characters");
    if (path && (path->size() > registrar::kMaxPath || !header_safe(*path)))
      return Reply::failure(api::code::bad_argument, "args.path",
                            "a path has at most " + std::to_string(registrar::kMaxPath) +
                                " octets and no control characters (\"<sip:p1.example.com;lr>,<sip:p2...>\")");
    registrar::Binding b;
    if (received && !received->empty() && !parse_source(*received, b.received))
      return Reply::failure(api::code::bad_argument, "args.received",
                            "received is IP:PORT or [IPv6]:PORT, got \"" + *received + "\"");
    b.expires_at = registrar::seconds_of(now) + expires;
    b.updated_ms = now;
    if (q >= 0) {
      b.has_q = true;
      b.q_millis = static_cast<uint16_t>(std::lround(q * 1000));
    }
    copy_text(contact, b.contact, registrar::kMaxContactUri, b.contact_length);
    if (path) copy_text(*path, b.path, registrar::kMaxPath, b.path_length);
    // A Call-ID of its own: a phone's next REGISTER of the same contact replaces this binding.
    const std::string call_id = "siplb-api-" + std::to_string(now);
    copy_text(call_id, b.call_id, registrar::kMaxCallIdText, b.call_id_length);
    b.call_id_hash = registrar::call_id_hash(call_id);
    b.cseq = 0;

    registrar::AorState aor;
    if (!engine_.find_binding(key, aor)) {
      aor = registrar::AorState{};
      aor.key = key;
    }
    // Contacts already expired go (a sweep would remove them).
    for (int i = aor.count - 1; i >= 0; --i)
      if (!registrar::binding_live(aor.bindings[i], now)) remove_at(aor, i);
    const int at = find_contact(aor, b.contact_uri());
    const uint32_t max_contacts =
        running_.registrar.max_contacts ? running_.registrar.max_contacts : registrar::kMaxContactsPerAor;
    if (at < 0 && aor.count >= max_contacts)
      return Reply::failure(api::code::conflict, "args.contact",
                            std::string(key.view()) + " has " + std::to_string(aor.count) +
                                " contacts already ([registrar] max_contacts): remove one first");
    if (at >= 0) aor.bindings[at] = b;
    else aor.bindings[aor.count++] = b;
    uint64_t version = 0;
    const int32_t position = engine_.write_binding(aor, version);
    if (position < 0)
      return Reply::failure(api::code::failed, "", "the binding table is full (" +
                                                       std::to_string(engine_.binding_capacity()) + " AoRs)");
    persist_binding(position);
    if (logs(LogLevel::info)) {
      std::printf("siplbd: api: reg.add %s %s (%lld s)\n", aor.key.text, contact.c_str(), static_cast<long long>(expires));
      std::fflush(stdout);
    }
    return Reply::success({{"aor", std::string(key.view())},
                           {"replaced", at >= 0},
                           {"contacts", contacts_json(live_in_call_order(aor, now), now)}});
  }

  if (name == "reg.rm") {
    registrar::AorKey key;
    std::optional<std::string> contact;
    if (!api::check_known(args, {"aor", "contact"}, error)) return error;
    if (Reply r = registrar_aor(args, key); !r.ok) return r;
    if (!api::get_string(args, "contact", contact, error)) return error;
    if (contact && contact->size() >= 2 && contact->front() == '<' && contact->back() == '>')
      *contact = contact->substr(1, contact->size() - 2);
    registrar::AorState aor;
    const std::string aor_text(key.view());
    if (!engine_.find_binding(key, aor) || aor.count == 0)
      return Reply::failure(api::code::not_found, "args.aor", "no bindings of " + aor_text);
    uint32_t removed = 0;
    if (contact) {
      const int at = find_contact(aor, *contact);
      if (at < 0)
        return Reply::failure(api::code::not_found, "args.contact",
                              aor_text + " has no contact " + *contact + " (siplbctl reg show lists them)");
      remove_at(aor, at);
      removed = 1;
    } else {
      removed = aor.count;
      aor.count = 0;
    }
    uint64_t version = 0;
    const int32_t position = engine_.write_binding(aor, version);
    if (position < 0) return Reply::failure(api::code::failed, "", "the binding table refused the change");
    persist_binding(position);
    if (logs(LogLevel::info)) {
      std::printf("siplbd: api: reg.rm %s%s%s\n", aor_text.c_str(), contact ? " " : "",
                  contact ? contact->c_str() : "");
      std::fflush(stdout);
    }
    return Reply::success({{"aor", aor_text}, {"removed", removed}, {"contacts_left", aor.count}});
  }

  if (name == "reg.import") {
    std::string file;
    std::optional<std::string> domain;
    if (!api::check_known(args, {"file", "domain"}, error) ||
        !api::get_string(args, "file", Arg::required, file, error) || !api::get_string(args, "domain", domain, error))
      return error;
    registrar::LocationImportOptions options;
    if (domain) options.default_domain = lower(*domain);
    options.now_ms = now;
    const registrar::LocationImport loaded = registrar::load_location_table(file, options);
    if (loaded.error)
      return Reply::failure(api::code::failed, "args.file", "nothing imported: " + loaded.error->message());
    const uint32_t max_contacts =
        running_.registrar.max_contacts ? running_.registrar.max_contacts : registrar::kMaxContactsPerAor;
    uint64_t aors = 0, bindings = 0, over_limit = loaded.over_limit, not_served = 0, full = 0, replaced = 0;
    for (const registrar::AorState& in : loaded.aors) {
      if (!serves_domain(domain_of(in.key.view()))) {
        not_served += in.count;
        continue;
      }
      // Merged into what the table holds: an imported contact replaces the same contact URI.
      registrar::AorState aor;
      if (!engine_.find_binding(in.key, aor)) {
        aor = registrar::AorState{};
        aor.key = in.key;
      }
      for (int i = aor.count - 1; i >= 0; --i)
        if (!registrar::binding_live(aor.bindings[i], now)) remove_at(aor, i);
      for (uint8_t i = 0; i < in.count; ++i) {
        const int at = find_contact(aor, in.bindings[i].contact_uri());
        if (at >= 0) {
          aor.bindings[at] = in.bindings[i];
          ++replaced;
        } else if (aor.count < registrar::kMaxContactsPerAor) {
          aor.bindings[aor.count++] = in.bindings[i];
        } else {
          ++over_limit;
        }
      }
      // Past max_contacts the most recently written contacts stay.
      if (aor.count > max_contacts) {
        std::sort(aor.bindings, aor.bindings + aor.count,
                  [](const registrar::Binding& a, const registrar::Binding& b) { return a.updated_ms > b.updated_ms; });
        over_limit += aor.count - max_contacts;
        for (uint8_t i = static_cast<uint8_t>(max_contacts); i < aor.count; ++i) aor.bindings[i] = registrar::Binding{};
        aor.count = static_cast<uint8_t>(max_contacts);
      }
      uint64_t version = 0;
      const int32_t position = engine_.write_binding(aor, version);
      if (position < 0) {
        ++full;
        continue;
      }
      persist_binding(position);
      ++aors;
      bindings += in.count;
    }
    if (logs(LogLevel::info)) {
      std::printf("siplbd: api: reg.import %s: %llu binding(s) of %llu AoR(s)\n", file.c_str(),
                  static_cast<unsigned long long>(bindings), static_cast<unsigned long long>(aors));
      std::fflush(stdout);
    }
    return Reply::success({{"file", file},
                           {"rows", loaded.rows},
                           {"imported", bindings},
                           {"aors", aors},
                           {"replaced", replaced},
                           {"expired", loaded.expired},
                           {"permanent", loaded.permanent},
                           {"over_limit", over_limit},
                           {"not_served", not_served},
                           {"table_full", full}});
  }

  if (name == "subscribers.reload") {
    if (!api::check_known(args, {}, error)) return error;
    const std::string& file = running_.registrar.subscribers;
    if (file.empty())
      return Reply::failure(api::code::failed, "", "[registrar] names no subscribers file: nothing to reload");
    const std::shared_ptr<const auth::SubscriberTable> before = subscribers_;
    std::string why;
    if (!load_subscribers(running_, why)) {
      subscribers_ = before;
      return Reply::failure(api::code::failed, "", "subscribers not reloaded, the running table stays: " + why);
    }
    if (!publish_snapshot(running_, why)) {
      subscribers_ = before;
      return Reply::failure(api::code::failed, "", "subscribers not reloaded, the running table stays: " + why);
    }
    ++subscriber_reloads_;
    const std::size_t count = subscribers_ ? subscribers_->size() : 0;
    if (logs(LogLevel::info)) {
      std::printf("siplbd: api: subscribers.reload %s: %zu subscriber(s)\n", file.c_str(), count);
      std::fflush(stdout);
    }
    return Reply::success({{"file", file}, {"subscribers", count}});
  }
  return Reply::failure(api::code::unknown_command, "command", "no command " + name);
}

}  // namespace siplb::control
