// The configuration of siplbd (the DPDK dataplane daemon): what the TOML file says, parsed and
// validated off the packet path. A Config is a plain value owned by the control plane, which
// builds the interfaces, worker tables and destination selectors from it at start-up and on
// reload; workers never read it. Loading allocates and may read files: control-plane threads
// only, any one of them (no shared state).
//
// Every key is documented, with its default, in docs/siplbd.example.toml; the defaults live in
// `defaults` below and the accepted ranges in `limits`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "siplb/balance/destination.hpp"
#include "siplb/balance/selector.hpp"
#include "siplb/net/address.hpp"
#include "siplb/sip/message.hpp"

namespace siplb::config {

// The value of every optional key when the file leaves it out.
namespace defaults {
// [balancer]
inline constexpr uint16_t kSipPort = 5060;              // sip_ports = [5060]
inline constexpr uint32_t kMaxMessageSize = 8192;       // larger requests get 513
inline constexpr bool kRecordRoute = true;
inline constexpr bool kDoubleRecordRoute = true;        // two Record-Routes when in and out differ
inline constexpr uint8_t kMaxForwards = 70;             // inserted when a request has none
inline constexpr uint32_t kRetryAfterS = 5;             // Retry-After of our 503s
inline constexpr std::string_view kServerHeader = "siplb";
// [[interface]]
inline constexpr uint16_t kMtu = 1500;
inline constexpr uint16_t kRxQueues = 0;                // 0: one per worker
// [workers]
inline constexpr uint16_t kWorkerCount = 0;             // 0: every EAL worker lcore
inline constexpr uint16_t kBurst = 32;
inline constexpr uint32_t kEventRing = 16384;           // events per worker ring to control
inline constexpr uint32_t kIdlePolls = 256;             // adaptive: empty polls before pausing
inline constexpr uint32_t kIdleSleepUs = 20;            // adaptive: length of one pause
// [store]
inline constexpr std::string_view kStoreDir = "/var/lib/siplb";
// [api]
inline constexpr std::string_view kApiSocket = "/run/siplb/siplbd.sock";
// [metrics]
inline constexpr std::string_view kMetricsAddress = "127.0.0.1";
inline constexpr uint16_t kMetricsPort = 9465;          // 0: no metrics endpoint
// [tables]
inline constexpr uint32_t kTransactions = 65536;
inline constexpr uint32_t kTransactionTtlMs = 32000;    // 64*T1 (RFC 3261 Timer B/F)
inline constexpr uint32_t kArpTimeoutS = 300;
inline constexpr uint32_t kArpPendingPackets = 64;
// [dialogs]
inline constexpr uint32_t kDialogs = 1u << 20;          // room for 1M concurrent dialogs
inline constexpr uint32_t kEarlyTimeoutS = 180;         // Timer C (RFC 3261 16.6 11): 3 minutes
inline constexpr uint32_t kMaxLifetimeS = 14400;        // a BYE never seen: released after 4 hours
inline constexpr uint32_t kIdleTimeoutS = 0;            // 0: off
// [probing]
inline constexpr bool kProbingEnabled = true;
inline constexpr uint32_t kProbeIntervalMs = 1000;
inline constexpr uint32_t kProbeTimeoutMs = 500;
inline constexpr uint32_t kFailureThreshold = 3;
inline constexpr uint32_t kRecoveryThreshold = 2;
inline constexpr std::string_view kProbeFromUser = "siplb";  // from_uri = sip:siplb@<first interface address>
// [[set]]
inline constexpr balance::Algorithm kAlgorithm = balance::Algorithm::maglev;
inline constexpr balance::HashKey kHashKey = balance::HashKey::call_id;
inline constexpr uint32_t kMaglevTableSize = 65537;
inline constexpr std::string_view kResource = "calls";  // least-loaded sets without resources
inline constexpr balance::LoadMode kLoadMode = balance::LoadMode::absolute;
inline constexpr bool kOvercommit = false;
// [[set.destination]]
inline constexpr uint32_t kRegistrarAors = 1u << 20;    // room for 1M AoRs
inline constexpr uint32_t kRegistrarContacts = 1u << 20;
inline constexpr uint32_t kDefaultExpires = 3600;       // a REGISTER naming no expiry
inline constexpr uint32_t kMinExpires = 60;
inline constexpr uint32_t kMaxExpires = 86400;
inline constexpr uint32_t kMaxContacts = 0;             // 0: up to registrar::kMaxContactsPerAor
inline constexpr uint32_t kNonceLifetimeS = 30;
inline constexpr uint32_t kAuthRetries = 3;             // failed answers to one nonce before 403
inline constexpr uint16_t kDestinationPort = 5060;      // when the URI names none
inline constexpr uint16_t kWeight = 1;
inline constexpr int32_t kPriority = 0;
inline constexpr bool kProbe = true;
inline constexpr balance::DestinationState kState = balance::DestinationState::active;
}  // namespace defaults

// What the loader accepts (inclusive ranges).
namespace limits {
inline constexpr uint32_t kMinMessageSize = 1024;
inline constexpr uint32_t kMaxMessageSize = 65535;      // sip::kMaxMessageSize: 16-bit offsets
inline constexpr uint32_t kMaxRetryAfterS = 86400;
inline constexpr std::size_t kMaxServerHeaderLength = 128;
inline constexpr uint16_t kMinMtu = 576;
inline constexpr uint16_t kMinMtuIpv6 = 1280;           // RFC 8200
inline constexpr uint16_t kMaxMtu = 9216;
inline constexpr uint16_t kMaxRxQueues = 1024;          // RTE_MAX_QUEUES_PER_PORT
inline constexpr uint16_t kMaxWorkers = 128;            // RTE_MAX_LCORE of Debian's DPDK
inline constexpr uint16_t kMaxBurst = 512;
inline constexpr uint32_t kMinEventRing = 1024;
inline constexpr uint32_t kMaxEventRing = 1u << 22;
inline constexpr uint32_t kMaxIdlePolls = 1u << 20;
inline constexpr uint32_t kMaxIdleSleepUs = 10000;
inline constexpr uint32_t kMinTransactions = 1024;
inline constexpr uint32_t kMaxTransactions = 1u << 24;
inline constexpr uint32_t kMinTransactionTtlMs = 1000;
inline constexpr uint32_t kMaxTransactionTtlMs = 600000;
inline constexpr uint32_t kMaxArpTimeoutS = 86400;
inline constexpr uint32_t kMaxArpPendingPackets = 4096;
inline constexpr uint32_t kMinDialogs = 1024;
inline constexpr uint32_t kMaxDialogs = 1u << 26;
inline constexpr uint32_t kMaxDialogTimeoutS = 7 * 86400;
inline constexpr uint32_t kMinProbeIntervalMs = 100;
inline constexpr uint32_t kMaxProbeIntervalMs = 3600000;
inline constexpr uint32_t kMinProbeTimeoutMs = 10;      // and at most interval_ms
inline constexpr uint32_t kMaxThreshold = 100;
inline constexpr uint32_t kMinMaglevTableSize = 3;
inline constexpr uint32_t kMaxMaglevTableSize = 16777213;  // largest prime below 2^24
inline constexpr std::size_t kMaxFileSize = 4u << 20;
}  // namespace limits

// An address with its prefix length, e.g. 10.0.0.1/24.
struct Prefix {
  net::IpAddress ip;
  uint8_t length = 0;
};

struct BalancerConfig {
  std::vector<uint16_t> sip_ports{defaults::kSipPort};  // UDP ports we take SIP on
  uint32_t max_message_size = defaults::kMaxMessageSize;
  bool record_route = defaults::kRecordRoute;
  // With record_route: a request that arrives on one address and leaves from another (another
  // interface, or IPv4 in and IPv6 out) gets a Record-Route for each side (RFC 5658).
  bool double_record_route = defaults::kDoubleRecordRoute;
  uint8_t max_forwards = defaults::kMaxForwards;
  uint32_t retry_after_s = defaults::kRetryAfterS;      // 0: no Retry-After header
  std::string server_header{defaults::kServerHeader};   // empty: no Server header
};

struct InterfaceConfig {
  std::string port;                       // DPDK port as EAL probes it ("net_af_packet0", "0000:03:00.0")
  Prefix address;                         // IPv4
  std::optional<Prefix> address6;         // IPv6
  std::optional<net::IpAddress> gateway;  // next hop off the subnet (IPv4 or IPv6)
  std::optional<net::IpAddress> vip;      // HA virtual IPv4 address (the active node's)
  uint16_t mtu = defaults::kMtu;
  uint16_t rx_queues = defaults::kRxQueues;  // 0: one per worker
  bool checksum_offload = true;           // the NIC's IPv4/UDP checksum offloads, where it has them
  uint32_t line = 0;                      // of its [[interface]] header
};

// What a worker does when no packet comes: poll on (lowest latency, a core at 100 %), or pause
// for idle_sleep_us after idle_polls empty polls (a small site's cores stay free).
enum class IdleMode : uint8_t { poll, adaptive };

struct WorkersConfig {
  uint16_t count = defaults::kWorkerCount;  // 0: every EAL worker lcore
  uint16_t burst = defaults::kBurst;
  uint32_t event_ring = defaults::kEventRing;  // events each worker can queue for control
  IdleMode idle = IdleMode::poll;
  uint32_t idle_polls = defaults::kIdlePolls;
  uint32_t idle_sleep_us = defaults::kIdleSleepUs;
};

// Where dialogs and destinations' runtime state are kept across restarts (RocksDB).
// peer: as sync, and a REGISTER's 200 OK also waits for the HA peer's acknowledgement.
enum class Durability : uint8_t { sync, async, memory, peer };
struct StoreConfig {
  std::string dir{defaults::kStoreDir};  // created (mode 0700) if absent; its parent must exist
  Durability durability = Durability::sync;
};

struct ApiConfig {
  std::string socket{defaults::kApiSocket};  // Unix socket of the management API; empty: none
};

struct MetricsConfig {
  std::string address{defaults::kMetricsAddress};  // Prometheus /metrics over HTTP
  uint16_t port = defaults::kMetricsPort;          // 0: off
};

struct TablesConfig {
  uint32_t transactions = defaults::kTransactions;
  uint32_t transaction_ttl_ms = defaults::kTransactionTtlMs;
  uint32_t arp_timeout_s = defaults::kArpTimeoutS;
  uint32_t arp_pending_packets = defaults::kArpPendingPackets;
};

// The dialog table of least-loaded sets (allocated only when a set uses least-loaded).
struct DialogsConfig {
  uint32_t capacity = defaults::kDialogs;            // a full table answers new calls 503
  uint32_t early_timeout_s = defaults::kEarlyTimeoutS;
  uint32_t max_lifetime_s = defaults::kMaxLifetimeS;
  uint32_t idle_timeout_s = defaults::kIdleTimeoutS;  // 0: off
};

struct ProbingConfig {
  bool enabled = defaults::kProbingEnabled;
  uint32_t interval_ms = defaults::kProbeIntervalMs;
  uint32_t timeout_ms = defaults::kProbeTimeoutMs;
  uint32_t failure_threshold = defaults::kFailureThreshold;
  uint32_t recovery_threshold = defaults::kRecoveryThreshold;
  std::vector<uint16_t> success_codes;  // counted as success besides 2xx
  std::string from_uri;                 // filled in by the loader (default from the first interface)
  // from_uri was not given: siplbd then names, per probe, the interface the probe leaves from.
  bool from_uri_is_default = true;
};

// Which initial requests a set takes: every key given must match (a key left out matches all).
struct SetMatch {
  std::vector<sip::Method> methods;         // e.g. INVITE
  std::vector<std::string> domains;         // Request-URI host, compared without case (lowercase here)
  std::vector<std::string> user_prefixes;   // Request-URI user starts with one of them ("+1", "00")
  bool any() const { return methods.empty() && domains.empty() && user_prefixes.empty(); }
};

struct SetConfig {
  balance::DestinationSet set;  // id, name, algorithm, destinations (dispatcher_list ones appended)
  SetMatch match;               // the first set (in file order) that matches a request takes it
  balance::HashKey hash_key = defaults::kHashKey;  // implied by hash-* algorithms
  uint32_t maglev_table_size = defaults::kMaglevTableSize;
  std::string dispatcher_list;  // path as resolved against the config file's folder; empty: none
  uint32_t line = 0;            // of its [[set]] header
};

// [registrar]: the domains siplb is the registrar of. Without any, REGISTERs are balanced like
// any request.
enum class AuthMode : uint8_t { none, register_only, all };  // "none", "register", "all"
enum class MinExpiresMode : uint8_t { reply, raise };        // 423 Interval Too Brief, or raise
enum class MaxContactsMode : uint8_t { reject, replace_oldest };

struct RegistrarDomainConfig {
  std::string name;   // lower-cased
  AuthMode auth = AuthMode::none;
  std::string realm;  // digest realm; the name when not given
  uint32_t line = 0;
};

struct RegistrarConfig {
  std::vector<RegistrarDomainConfig> domains;  // empty: no registrar
  uint32_t aors = defaults::kRegistrarAors;
  uint32_t contacts = defaults::kRegistrarContacts;
  uint32_t default_expires = defaults::kDefaultExpires;
  uint32_t min_expires = defaults::kMinExpires;
  uint32_t max_expires = defaults::kMaxExpires;
  MinExpiresMode min_expires_mode = MinExpiresMode::reply;
  uint32_t max_contacts = defaults::kMaxContacts;
  MaxContactsMode max_contacts_mode = MaxContactsMode::reject;
  // The set that takes requests for users of a served domain who are not registered; empty: 404.
  std::string unregistered_set;
  std::string subscribers;  // subscriber file (db_text or .toml), resolved against the config's folder
  uint32_t nonce_lifetime_s = defaults::kNonceLifetimeS;
  uint32_t auth_retries = defaults::kAuthRetries;
  // auth_algorithms: the digest algorithms challenges offer (both by default, SHA-256 first as
  // RFC 8760 asks; ["MD5"] for clients that only know MD5, which read the first challenge).
  bool auth_sha256 = true;
  bool auth_md5 = true;
  uint32_t line = 0;  // of [registrar]
  bool enabled() const { return !domains.empty(); }
};

// [peer]: the other node of an HA pair. Heartbeats (UDP) and replication (TCP) go between the
// nodes' own addresses (a management network, or kernel addresses beside the DPDK port); the
// interfaces' vip is what the active node holds.
struct PeerConfig {
  uint32_t node_id = 0;            // this node's id, 1..2^31, unlike the peer's
  uint32_t peer_node_id = 0;       // the peer's id
  uint32_t priority = 100;         // 0..255, higher is preferred (election at start, split brain)
  std::optional<net::IpAddress> address;       // this node's address for the pair (listens only there)
  std::optional<net::IpAddress> peer_address;  // the other node's
  uint16_t heartbeat_port = 7401;
  uint16_t replication_port = 7402;
  std::string key_file;            // shared secret; must not be readable by group or others
  uint32_t heartbeat_interval_us = 5000;
  uint32_t dead_time_us = 30000;
  uint32_t ring = 1u << 20;        // changes buffered for the peer (records)
  uint32_t line = 0;               // of [peer]
  bool enabled() const { return node_id != 0; }
};

struct Config {
  std::string source;  // the file name it was loaded from
  BalancerConfig balancer;
  std::vector<InterfaceConfig> interfaces;  // at least one
  WorkersConfig workers;
  TablesConfig tables;
  ProbingConfig probing;
  DialogsConfig dialogs;
  StoreConfig store;
  ApiConfig api;
  MetricsConfig metrics;
  RegistrarConfig registrar;
  PeerConfig peer;
  std::vector<SetConfig> sets;  // at least one; each with at least one destination
  // Every resource name the sets and destinations use, in the order first seen (LoadBoard columns).
  std::vector<std::string> resource_names;

  bool uses_least_loaded() const {
    for (const SetConfig& s : sets)
      if (s.set.algorithm == balance::Algorithm::least_loaded) return true;
    return false;
  }

  // The first set in the file (the one requests go to when no set has match keys).
  const SetConfig& default_set() const { return sets.front(); }
};

struct ConfigError {
  std::string source;
  uint32_t line = 0;  // 0 when the error concerns the whole file
  std::string reason;
  std::string message;  // "FILE:LINE: reason" (or "FILE: reason" when line is 0)
};

struct ConfigResult {
  std::optional<Config> config;  // set when the file is valid
  ConfigError error;             // set otherwise
  bool ok() const { return config.has_value(); }
};

// Parses and validates a configuration text; `source_name` names it in errors and is the folder
// that relative dispatcher_list paths are resolved against. Never throws; stops at the first error.
ConfigResult load_config_text(std::string_view text, std::string_view source_name);
// Reads the file, then load_config_text(contents, path).
ConfigResult load_config_file(const std::string& path);

// The config names of hash keys ("call-id", "from-uri", ...).
std::string_view hash_key_text(balance::HashKey key);
// A destination URI as the file and the API take it ("sip:IP[:port]", IPv6 in brackets, only the
// parameter transport=udp): false with `reason` ("uri \"...\" ...") otherwise.
bool parse_destination_uri(std::string_view uri, net::SocketAddress& out, std::string& reason);

// The config names of durability modes ("sync", "async", "memory") and idle modes.
std::string_view durability_text(Durability durability);
std::string_view idle_mode_text(IdleMode mode);
std::string_view auth_mode_text(AuthMode mode);                  // "none", "register", "all"
std::string_view min_expires_mode_text(MinExpiresMode mode);     // "reply", "raise"
std::string_view max_contacts_mode_text(MaxContactsMode mode);   // "reject", "replace_oldest"
// The config names of destination states ("active", ...).
std::string_view state_text(balance::DestinationState state);

}  // namespace siplb::config
