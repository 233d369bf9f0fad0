// The subscribers a registrar authenticates: (username, domain) -> HA1 values. Built whole by the
// control thread (allocates; from the loaders of subscriber_loader.hpp or add() directly), then
// published immutable; workers call find() concurrently without allocating or locking (a hash
// map with heterogeneous string_view lookup). Usernames compare exactly, domains case-insensitively
// (kept lower-case).
//
// HA1 = H(username ":" realm ":" password) (RFC 7616 3.4.2), with realm = the subscriber's domain
// as OpenSIPS and Kamailio compute it by default. ha1b is the same over "username@domain" (what
// UAs send as username when they put the domain in it). Each is kept for MD5 and SHA-256 when
// known: from a plain password all four are computed; a table that holds only MD5 ha1 columns has
// no SHA-256 for that user, and verify() then asks for MD5 only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "siplb/auth/digest_hash.hpp"

namespace siplb::auth {

// One HA1 as lower-case hex; empty when unknown.
struct Ha1 {
  HexDigest hex;
  bool known() const { return hex.length != 0; }
  std::string_view view() const { return hex.view(); }
};

struct Subscriber {
  std::string username;
  std::string domain;  // lower case
  Ha1 ha1[2];          // by Algorithm: md5, sha256 (over username)
  Ha1 ha1b[2];         // by Algorithm (over username@domain)
  uint32_t line = 0;   // where its source defined it (0: added by code)

  const Ha1& for_user(Algorithm a) const { return ha1[static_cast<int>(a)]; }
  const Ha1& for_user_at_domain(Algorithm a) const { return ha1b[static_cast<int>(a)]; }
};

// What a source gives for one subscriber; every field optional except username and domain.
// Hex values are checked (length, digits) and lower-cased by add().
struct SubscriberSpec {
  std::string_view username;
  std::string_view domain;
  std::string_view password;
  std::string_view ha1;         // MD5, 32 hex digits
  std::string_view ha1b;        // MD5 over username@domain, 32 hex digits
  std::string_view ha1_sha256;  // 64 hex digits
  std::string_view ha1b_sha256;
  bool has_password = false;    // an empty password is a password
  uint32_t line = 0;
};

// Why add() refused a subscriber: the field concerned (empty for the row as a whole) and why.
struct SubscriberError {
  std::string field;
  std::string reason;
  bool ok() const { return reason.empty(); }
  std::string message() const { return field.empty() ? reason : field + ": " + reason; }
};

class SubscriberTable {
 public:
  SubscriberTable() = default;
  SubscriberTable(SubscriberTable&&) = default;
  SubscriberTable& operator=(SubscriberTable&&) = default;

  // Control thread, before publishing. ok() on success; else e.g. {"ha1", "'12x' is not 32 hex
  // digits"}, {"", "neither password nor ha1"}, {"", "alice@example.com is already defined on
  // line 3"}.
  SubscriberError add(const SubscriberSpec& spec);

  // Any thread once published. nullptr when unknown.
  const Subscriber* find(std::string_view username, std::string_view domain) const;

  std::size_t size() const { return subscribers_.size(); }

 private:
  struct Key {
    std::string_view username, domain;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(const Key& k) const;
    std::size_t operator()(const Subscriber& s) const { return (*this)(Key{s.username, s.domain}); }
  };
  struct Equal {
    using is_transparent = void;
    static bool eq(const Key& a, const Key& b);
    bool operator()(const Subscriber& a, const Subscriber& b) const { return eq({a.username, a.domain}, {b.username, b.domain}); }
    bool operator()(const Key& a, const Subscriber& b) const { return eq(a, {b.username, b.domain}); }
    bool operator()(const Subscriber& a, const Key& b) const { return eq({a.username, a.domain}, b); }
  };
  std::unordered_set<Subscriber, Hash, Equal> subscribers_;
};

// HA1 for `algorithm` from a password: H(username ":" realm ":" password).
HexDigest compute_ha1(Algorithm algorithm, std::string_view username, std::string_view realm,
                      std::string_view password);

}  // namespace siplb::auth
