// siplbd's configuration loader (include/siplb/config/config.hpp): the example file of docs/,
// every default, every accepted form, and every error with its exact "FILE:LINE: reason".
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "siplb/config/config.hpp"

#ifndef SIPLB_SOURCE_ROOT
#error "SIPLB_SOURCE_ROOT must name the source tree (set by tests/unit/meson.build)"
#endif

namespace siplb::config {
namespace {

using balance::Algorithm;
using balance::DestinationState;
using balance::HashKey;

constexpr char kSource[] = "test.toml";

// The smallest valid file: one interface, one set, one destination.
constexpr std::string_view kMinimal =
    "[[interface]]\n"              // 1
    "port = \"net_ring0\"\n"       // 2
    "address = \"10.0.0.1/24\"\n"  // 3
    "\n"                           // 4
    "[[set]]\n"                    // 5
    "id = 1\n"                     // 6
    "\n"                           // 7
    "[[set.destination]]\n"        // 8
    "uri = \"sip:10.0.0.11\"\n";   // 9

// A set (and its destinations) after a valid interface: the set's lines start at line 4.
constexpr std::string_view kInterface =
    "[[interface]]\n"
    "port = \"net_ring0\"\n"
    "address = \"10.0.0.1/24\"\n";

// An interface's keys after its header and port (they start at line 3), then a valid set.
std::string interface_with(std::string_view keys) {
  return "[[interface]]\nport = \"net_ring0\"\n" + std::string(keys) +
         "\n[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n";
}

ConfigResult load(std::string_view text) { return load_config_text(text, kSource); }

Config load_ok(std::string_view text) {
  ConfigResult r = load(text);
  EXPECT_TRUE(r.ok()) << r.error.message << "\n--- text:\n" << text;
  return r.ok() ? *r.config : Config{};
}

// 1-based line of the first line of `text` that contains `needle`.
uint32_t line_of(std::string_view text, std::string_view needle) {
  std::size_t at = text.find(needle);
  EXPECT_NE(at, std::string_view::npos) << needle;
  uint32_t line = 1;
  for (std::size_t i = 0; i < at && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

// The load fails with exactly `message`.
void expect_error(std::string_view text, std::string_view message) {
  ConfigResult r = load(text);
  ASSERT_FALSE(r.ok()) << "loaded:\n" << text;
  EXPECT_EQ(r.error.message, message);
  EXPECT_EQ(r.error.source, kSource);
}

// The load fails on the line holding `needle`, with "test.toml:LINE: reason".
void expect_error_at(std::string_view text, std::string_view needle, std::string_view reason) {
  const uint32_t line = line_of(text, needle);
  ConfigResult r = load(text);
  ASSERT_FALSE(r.ok()) << "loaded:\n" << text;
  EXPECT_EQ(r.error.line, line) << r.error.message;
  EXPECT_EQ(r.error.reason, reason);
  EXPECT_EQ(r.error.message, std::string(kSource) + ":" + std::to_string(line) + ": " + std::string(reason));
}

// Prepends `extra` (its lines count from 1) to the minimal file.
std::string before_minimal(std::string_view extra) { return std::string(extra) + std::string(kMinimal); }

// ---------------------------------------------------------------------------------------------
// The example file

TEST(ConfigExample, ParsesAndSaysWhatItDocuments) {
  const std::string path = SIPLB_SOURCE_ROOT "/docs/siplbd.example.toml";
  ConfigResult r = load_config_file(path);
  ASSERT_TRUE(r.ok()) << r.error.message;
  const Config& c = *r.config;
  EXPECT_EQ(c.source, path);

  EXPECT_EQ(c.balancer.sip_ports, std::vector<uint16_t>{5060});
  EXPECT_EQ(c.balancer.max_message_size, 8192u);
  EXPECT_TRUE(c.balancer.record_route);
  EXPECT_TRUE(c.balancer.double_record_route);
  EXPECT_EQ(c.balancer.max_forwards, 70);
  EXPECT_EQ(c.balancer.retry_after_s, 5u);
  EXPECT_EQ(c.balancer.server_header, "siplb");

  ASSERT_EQ(c.interfaces.size(), 1u);
  const InterfaceConfig& i = c.interfaces[0];
  EXPECT_EQ(i.port, "net_af_packet0");
  EXPECT_EQ(i.address.ip, *net::parse_ip("10.0.0.1"));
  EXPECT_EQ(i.address.length, 24);
  ASSERT_TRUE(i.address6.has_value());
  EXPECT_EQ(i.address6->ip, *net::parse_ip("fd00::1"));
  EXPECT_EQ(i.address6->length, 64);
  ASSERT_TRUE(i.gateway.has_value());
  EXPECT_EQ(*i.gateway, *net::parse_ip("10.0.0.254"));
  EXPECT_EQ(i.mtu, 1500);
  EXPECT_EQ(i.rx_queues, 0);  // commented out: one per worker

  EXPECT_EQ(c.workers.count, 0);  // commented out: every EAL worker lcore
  EXPECT_EQ(c.workers.burst, 32);
  EXPECT_EQ(c.tables.transactions, 65536u);
  EXPECT_EQ(c.tables.transaction_ttl_ms, 32000u);
  EXPECT_EQ(c.tables.arp_timeout_s, 300u);
  EXPECT_EQ(c.tables.arp_pending_packets, 64u);
  EXPECT_TRUE(c.probing.enabled);
  EXPECT_EQ(c.probing.interval_ms, 1000u);
  EXPECT_EQ(c.probing.timeout_ms, 500u);
  EXPECT_EQ(c.probing.failure_threshold, 3u);
  EXPECT_EQ(c.probing.recovery_threshold, 2u);
  EXPECT_TRUE(c.probing.success_codes.empty());
  EXPECT_EQ(c.probing.from_uri, "sip:siplb@10.0.0.1");
  EXPECT_TRUE(c.probing.from_uri_is_default);  // siplbd names each probe's own interface

  ASSERT_EQ(c.sets.size(), 2u);
  const SetConfig& pbx = c.default_set();
  EXPECT_EQ(pbx.set.id, 1u);
  EXPECT_EQ(pbx.set.name, "pbx");
  EXPECT_EQ(pbx.set.algorithm, Algorithm::maglev);
  EXPECT_EQ(pbx.hash_key, HashKey::call_id);
  EXPECT_EQ(pbx.maglev_table_size, 65537u);
  EXPECT_TRUE(pbx.dispatcher_list.empty());
  ASSERT_EQ(pbx.set.destinations.size(), 3u);
  EXPECT_EQ(pbx.set.destinations[0].uri, "sip:10.0.0.11:5060");
  EXPECT_EQ(pbx.set.destinations[0].address.ip, *net::parse_ip("10.0.0.11"));
  EXPECT_EQ(pbx.set.destinations[0].address.port, 5060);
  EXPECT_EQ(pbx.set.destinations[1].weight, 2);
  EXPECT_EQ(pbx.set.destinations[1].address.port, 5060);
  EXPECT_EQ(pbx.set.destinations[2].address.ip, *net::parse_ip("fd00::13"));
  EXPECT_EQ(pbx.set.destinations[2].address.port, 5080);
  EXPECT_EQ(pbx.set.destinations[2].state, DestinationState::probing);

  const SetConfig& vm = c.sets[1];
  EXPECT_EQ(vm.set.id, 2u);
  EXPECT_EQ(vm.set.algorithm, Algorithm::round_robin);
  ASSERT_EQ(vm.set.destinations.size(), 2u);
  EXPECT_EQ(vm.set.destinations[0].priority, 10);
  EXPECT_FALSE(vm.set.destinations[1].probe);
  EXPECT_EQ(vm.set.destinations[1].state, DestinationState::disabled);
}

// Every line of the example that sets a key also documents it: a comment right above, or the key
// follows an earlier occurrence of itself (the second destination, the second set).
TEST(ConfigExample, EveryKeyOfTheSchemaAppears) {
  std::ifstream in(SIPLB_SOURCE_ROOT "/docs/siplbd.example.toml");
  ASSERT_TRUE(in);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* key :
       {"sip_ports", "max_message_size", "record_route", "double_record_route", "max_forwards",
        "retry_after", "server_header", "port", "address", "address6", "gateway", "mtu", "rx_queues",
        "checksum_offload",
        "count", "burst", "transactions", "transaction_ttl_ms", "arp_timeout_s", "arp_pending_packets",
        "enabled", "interval_ms", "timeout_ms", "failure_threshold", "recovery_threshold",
        "success_codes", "from_uri", "id", "name", "algorithm", "hash_key", "maglev_table_size",
        "dispatcher_list", "uri", "weight", "priority", "probe", "state", "attrs", "capacity", "resources", "load_mode", "overcommit",
        "early_timeout_s", "max_lifetime_s", "idle_timeout_s", "methods", "domains", "user_prefixes",
        "event_ring", "idle", "idle_polls", "idle_sleep_us", "dir", "durability", "socket"}) {
    EXPECT_NE(text.find(std::string(key) + " = "), std::string::npos) << key;
  }
}

// ---------------------------------------------------------------------------------------------
// Defaults

TEST(ConfigDefaults, ValuesOfTheDefaultsBlock) {
  // The numbers the documentation promises; a change here is a change of behaviour.
  EXPECT_EQ(defaults::kSipPort, 5060);
  EXPECT_EQ(defaults::kMaxMessageSize, 8192u);
  EXPECT_TRUE(defaults::kRecordRoute);
  EXPECT_EQ(defaults::kMaxForwards, 70);
  EXPECT_EQ(defaults::kRetryAfterS, 5u);
  EXPECT_EQ(defaults::kServerHeader, "siplb");
  EXPECT_EQ(defaults::kMtu, 1500);
  EXPECT_EQ(defaults::kRxQueues, 0);
  EXPECT_EQ(defaults::kWorkerCount, 0);
  EXPECT_EQ(defaults::kBurst, 32);
  EXPECT_EQ(defaults::kTransactions, 65536u);
  EXPECT_EQ(defaults::kTransactionTtlMs, 32000u);
  EXPECT_EQ(defaults::kArpTimeoutS, 300u);
  EXPECT_EQ(defaults::kArpPendingPackets, 64u);
  EXPECT_TRUE(defaults::kProbingEnabled);
  EXPECT_EQ(defaults::kProbeIntervalMs, 1000u);
  EXPECT_EQ(defaults::kProbeTimeoutMs, 500u);
  EXPECT_EQ(defaults::kFailureThreshold, 3u);
  EXPECT_EQ(defaults::kRecoveryThreshold, 2u);
  EXPECT_EQ(defaults::kAlgorithm, Algorithm::maglev);
  EXPECT_EQ(defaults::kHashKey, HashKey::call_id);
  EXPECT_EQ(defaults::kMaglevTableSize, 65537u);
  EXPECT_EQ(defaults::kDestinationPort, 5060);
  EXPECT_EQ(defaults::kWeight, 1);
  EXPECT_EQ(defaults::kPriority, 0);
  EXPECT_TRUE(defaults::kProbe);
  EXPECT_EQ(defaults::kState, DestinationState::active);
}

TEST(ConfigDefaults, MinimalFileGetsEveryDefault) {
  Config c = load_ok(kMinimal);
  EXPECT_EQ(c.source, kSource);
  EXPECT_EQ(c.balancer.sip_ports, std::vector<uint16_t>{defaults::kSipPort});
  EXPECT_EQ(c.balancer.max_message_size, defaults::kMaxMessageSize);
  EXPECT_EQ(c.balancer.record_route, defaults::kRecordRoute);
  EXPECT_EQ(c.balancer.double_record_route, defaults::kDoubleRecordRoute);
  EXPECT_EQ(c.balancer.max_forwards, defaults::kMaxForwards);
  EXPECT_EQ(c.balancer.retry_after_s, defaults::kRetryAfterS);
  EXPECT_EQ(c.balancer.server_header, defaults::kServerHeader);

  ASSERT_EQ(c.interfaces.size(), 1u);
  EXPECT_EQ(c.interfaces[0].port, "net_ring0");
  EXPECT_EQ(c.interfaces[0].line, 1u);
  EXPECT_FALSE(c.interfaces[0].address6.has_value());
  EXPECT_FALSE(c.interfaces[0].gateway.has_value());
  EXPECT_EQ(c.interfaces[0].mtu, defaults::kMtu);
  EXPECT_EQ(c.interfaces[0].rx_queues, defaults::kRxQueues);

  EXPECT_EQ(c.workers.count, defaults::kWorkerCount);
  EXPECT_EQ(c.workers.burst, defaults::kBurst);
  EXPECT_EQ(c.tables.transactions, defaults::kTransactions);
  EXPECT_EQ(c.tables.transaction_ttl_ms, defaults::kTransactionTtlMs);
  EXPECT_EQ(c.tables.arp_timeout_s, defaults::kArpTimeoutS);
  EXPECT_EQ(c.tables.arp_pending_packets, defaults::kArpPendingPackets);
  EXPECT_EQ(c.probing.enabled, defaults::kProbingEnabled);
  EXPECT_EQ(c.probing.interval_ms, defaults::kProbeIntervalMs);
  EXPECT_EQ(c.probing.timeout_ms, defaults::kProbeTimeoutMs);
  EXPECT_EQ(c.probing.failure_threshold, defaults::kFailureThreshold);
  EXPECT_EQ(c.probing.recovery_threshold, defaults::kRecoveryThreshold);
  EXPECT_TRUE(c.probing.success_codes.empty());
  EXPECT_EQ(c.probing.from_uri, "sip:siplb@10.0.0.1");

  ASSERT_EQ(c.sets.size(), 1u);
  const SetConfig& s = c.sets[0];
  EXPECT_EQ(s.line, 5u);
  EXPECT_EQ(s.set.id, 1u);
  EXPECT_EQ(s.set.name, "");
  EXPECT_EQ(s.set.algorithm, defaults::kAlgorithm);
  EXPECT_EQ(s.hash_key, defaults::kHashKey);
  EXPECT_EQ(s.maglev_table_size, defaults::kMaglevTableSize);
  EXPECT_TRUE(s.dispatcher_list.empty());
  ASSERT_EQ(s.set.destinations.size(), 1u);
  const balance::Destination& d = s.set.destinations[0];
  EXPECT_EQ(d.uri, "sip:10.0.0.11");
  EXPECT_EQ(d.address.ip, *net::parse_ip("10.0.0.11"));
  EXPECT_EQ(d.address.port, defaults::kDestinationPort);
  EXPECT_EQ(d.weight, defaults::kWeight);
  EXPECT_EQ(d.priority, defaults::kPriority);
  EXPECT_EQ(d.probe, defaults::kProbe);
  EXPECT_EQ(d.state, defaults::kState);
  EXPECT_EQ(d.attrs, "");
}

TEST(ConfigDefaults, FromUriUsesTheFirstInterfaceAddressAsWritten) {
  Config c = load_ok(
      "[[interface]]\nport = \"a\"\naddress = \"192.168.7.9/16\"\n"
      "[[interface]]\nport = \"b\"\naddress = \"10.9.9.9/8\"\n"
      "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n");
  EXPECT_EQ(c.probing.from_uri, "sip:siplb@192.168.7.9");
}

// ---------------------------------------------------------------------------------------------
// Accepted forms

TEST(ConfigBalancer, AllKeys) {
  Config c = load_ok(before_minimal(
      "[balancer]\n"
      "sip_ports = [5060, 5080,\n  5070,]\n"
      "max_message_size = 65535\n"
      "record_route = false\n"
      "double_record_route = false\n"
      "max_forwards = 255\n"
      "retry_after = 0\n"
      "server_header = \"\"\n"));
  EXPECT_EQ(c.balancer.sip_ports, (std::vector<uint16_t>{5060, 5080, 5070}));
  EXPECT_EQ(c.balancer.max_message_size, 65535u);
  EXPECT_FALSE(c.balancer.record_route);
  EXPECT_FALSE(c.balancer.double_record_route);
  EXPECT_EQ(c.balancer.max_forwards, 255);
  EXPECT_EQ(c.balancer.retry_after_s, 0u);
  EXPECT_EQ(c.balancer.server_header, "");
}

TEST(ConfigBalancer, SipPortsMayBeOneInteger) {
  Config c = load_ok(before_minimal("[balancer]\nsip_ports = 5_070\n"));
  EXPECT_EQ(c.balancer.sip_ports, std::vector<uint16_t>{5070});
}

TEST(ConfigSections, WorkersTablesProbing) {
  Config c = load_ok(before_minimal(
      "[workers]\ncount = 4\nburst = 64\n"
      "[tables]\ntransactions = 1_048_576\ntransaction_ttl_ms = 64000\narp_timeout_s = 60\n"
      "arp_pending_packets = 8\n"
      "[probing]\nenabled = false\ninterval_ms = 5000\ntimeout_ms = 5000\nfailure_threshold = 1\n"
      "recovery_threshold = 100\nsuccess_codes = [404, 403]\nfrom_uri = \"sip:lb@example.com\"\n"));
  EXPECT_EQ(c.workers.count, 4);
  EXPECT_EQ(c.workers.burst, 64);
  EXPECT_EQ(c.tables.transactions, 1048576u);
  EXPECT_EQ(c.tables.transaction_ttl_ms, 64000u);
  EXPECT_EQ(c.tables.arp_timeout_s, 60u);
  EXPECT_EQ(c.tables.arp_pending_packets, 8u);
  EXPECT_FALSE(c.probing.enabled);
  EXPECT_EQ(c.probing.interval_ms, 5000u);
  EXPECT_EQ(c.probing.timeout_ms, 5000u);
  EXPECT_EQ(c.probing.failure_threshold, 1u);
  EXPECT_EQ(c.probing.recovery_threshold, 100u);
  EXPECT_EQ(c.probing.success_codes, (std::vector<uint16_t>{404, 403}));
  EXPECT_EQ(c.probing.from_uri, "sip:lb@example.com");
  EXPECT_FALSE(c.probing.from_uri_is_default);
}

TEST(ConfigSections, OrderInTheFileDoesNotMatter) {
  Config c = load_ok(
      "[[set]]\nid = 3\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"
      "[probing]\nenabled = false\n"
      "[[interface]]\nport = \"p\"\naddress = \"10.0.0.1/24\"\n"
      "[balancer]\nmax_forwards = 10\n");
  EXPECT_EQ(c.sets[0].set.id, 3u);
  EXPECT_FALSE(c.probing.enabled);
  EXPECT_EQ(c.balancer.max_forwards, 10);
  EXPECT_EQ(c.probing.from_uri, "sip:siplb@10.0.0.1");
}

TEST(ConfigInterface, AllKeysAndSeveralInterfaces) {
  Config c = load_ok(
      "[[interface]]\nport = \"0000:03:00.0\"\naddress = \"10.0.0.1/24\"\naddress6 = \"fd00::1/64\"\n"
      "gateway = \"10.0.0.254\"\nmtu = 9000\nrx_queues = 4\nchecksum_offload = false\n"
      "[[interface]]\nport = \"net_af_xdp0\"\naddress = \"192.168.1.1/32\"\naddress6 = \"fd01::1/64\"\n"
      "gateway = \"fe80::1\"\n"
      "[[interface]]\nport = \"net_memif0\"\naddress = \"172.16.0.0/31\"\naddress6 = \"fd02::1/64\"\n"
      "gateway = \"fd02::fe\"\n"
      "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n");
  ASSERT_EQ(c.interfaces.size(), 3u);
  EXPECT_EQ(c.interfaces[0].port, "0000:03:00.0");
  EXPECT_EQ(c.interfaces[0].mtu, 9000);
  EXPECT_EQ(c.interfaces[0].rx_queues, 4);
  EXPECT_FALSE(c.interfaces[0].checksum_offload);
  EXPECT_TRUE(c.interfaces[1].checksum_offload);  // the default
  EXPECT_EQ(*c.interfaces[0].gateway, *net::parse_ip("10.0.0.254"));
  EXPECT_EQ(c.interfaces[1].address.length, 32);
  EXPECT_EQ(*c.interfaces[1].gateway, *net::parse_ip("fe80::1"));
  EXPECT_EQ(c.interfaces[2].address.length, 31);  // point-to-point: no network/broadcast address
  EXPECT_EQ(*c.interfaces[2].gateway, *net::parse_ip("fd02::fe"));
  EXPECT_EQ(c.interfaces[2].line, 14u);
}

TEST(ConfigSet, AlgorithmsByNameAndNumber) {
  struct Case {
    const char* value;
    Algorithm algorithm;
    HashKey key;
  };
  const Case cases[] = {
      {"\"hash-call-id\"", Algorithm::hash_call_id, HashKey::call_id},
      {"0", Algorithm::hash_call_id, HashKey::call_id},
      {"\"1\"", Algorithm::hash_from_uri, HashKey::from_uri},
      {"2", Algorithm::hash_to_uri, HashKey::to_uri},
      {"\"hash-request-uri\"", Algorithm::hash_request_uri, HashKey::request_uri},
      {"4", Algorithm::round_robin, HashKey::call_id},
      {"\"round-robin\"", Algorithm::round_robin, HashKey::call_id},
      {"5", Algorithm::hash_auth_user, HashKey::auth_user},
      {"6", Algorithm::random, HashKey::call_id},
      {"9", Algorithm::weighted, HashKey::call_id},
      {"\"weighted\"", Algorithm::weighted, HashKey::call_id},
      {"\"maglev\"", Algorithm::maglev, HashKey::call_id},
  };
  for (const Case& k : cases) {
    Config c = load_ok(std::string(kInterface) + "[[set]]\nid = 1\nalgorithm = " + k.value +
                       "\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n");
    if (c.sets.empty()) continue;
    EXPECT_EQ(c.sets[0].set.algorithm, k.algorithm) << k.value;
    EXPECT_EQ(c.sets[0].hash_key, k.key) << k.value;
  }
}

TEST(ConfigSet, MaglevHashKeys) {
  for (HashKey key : {HashKey::call_id, HashKey::from_uri, HashKey::to_uri, HashKey::request_uri,
                      HashKey::auth_user}) {
    Config c = load_ok(std::string(kInterface) + "[[set]]\nid = 1\nhash_key = \"" +
                       std::string(hash_key_text(key)) +
                       "\"\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n");
    if (!c.sets.empty()) {
      EXPECT_EQ(c.sets[0].hash_key, key);
    }
  }
}

TEST(ConfigSet, DestinationForms) {
  Config c = load_ok(std::string(kInterface) +
                     "address6 = \"fd00::1/64\"\n"
                     "[[set]]\nid = 7\nname = \"pbx\"\nmaglev_table_size = 7\n"
                     "[[set.destination]]\nuri = \"sip:10.0.0.11:5070\"\nweight = 0\npriority = -5\n"
                     "probe = false\nstate = \"inactive\"\nattrs = \"weight=2;socket=udp:1.2.3.4\"\n"
                     "[[set.destination]]\nuri = \"SIP:10.0.0.11;transport=UDP\"\nstate = \"probing\"\n"
                     "[[set.destination]]\nuri = \"sip:[fd00::11]:65535\"\nweight = 65535\n"
                     "state = \"disabled\"\npriority = 2147483647\n"
                     "[[set.destination]]\nuri = \"sip:[fd00::12]\"\nstate = \"active\"\n");
  ASSERT_EQ(c.sets.size(), 1u);
  const auto& d = c.sets[0].set.destinations;
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(c.sets[0].set.name, "pbx");
  EXPECT_EQ(c.sets[0].maglev_table_size, 7u);
  EXPECT_EQ(d[0].address.port, 5070);
  EXPECT_EQ(d[0].weight, 0);
  EXPECT_EQ(d[0].priority, -5);
  EXPECT_FALSE(d[0].probe);
  EXPECT_EQ(d[0].state, DestinationState::inactive);
  EXPECT_EQ(d[0].attrs, "weight=2;socket=udp:1.2.3.4");
  EXPECT_EQ(d[1].uri, "SIP:10.0.0.11;transport=UDP");
  EXPECT_EQ(d[1].address.port, 5060);  // same IP as d[0], other port: a different destination
  EXPECT_EQ(d[1].state, DestinationState::probing);
  EXPECT_EQ(d[2].address.ip, *net::parse_ip("fd00::11"));
  EXPECT_EQ(d[2].address.port, 65535);
  EXPECT_EQ(d[2].weight, 65535);
  EXPECT_EQ(d[2].state, DestinationState::disabled);
  EXPECT_EQ(d[2].priority, 2147483647);
  EXPECT_EQ(d[3].address.port, 5060);
  EXPECT_EQ(d[3].state, DestinationState::active);
}

TEST(ConfigSet, TheFirstSetIsTheDefaultWhateverItsId) {
  Config c = load_ok(std::string(kInterface) +
                     "[[set]]\nid = 9\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"
                     "[[set]]\nid = 0\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n");
  ASSERT_EQ(c.sets.size(), 2u);
  EXPECT_EQ(c.default_set().set.id, 9u);
  EXPECT_EQ(c.sets[1].set.id, 0u);
}

TEST(ConfigNames, HashKeysAndStates) {
  EXPECT_EQ(hash_key_text(HashKey::call_id), "call-id");
  EXPECT_EQ(hash_key_text(HashKey::from_uri), "from-uri");
  EXPECT_EQ(hash_key_text(HashKey::to_uri), "to-uri");
  EXPECT_EQ(hash_key_text(HashKey::request_uri), "request-uri");
  EXPECT_EQ(hash_key_text(HashKey::auth_user), "auth-user");
  EXPECT_EQ(state_text(DestinationState::active), "active");
  EXPECT_EQ(state_text(DestinationState::inactive), "inactive");
  EXPECT_EQ(state_text(DestinationState::probing), "probing");
  EXPECT_EQ(state_text(DestinationState::disabled), "disabled");
}

// ---------------------------------------------------------------------------------------------
// Errors: whole file, TOML syntax, unknown keys and tables

TEST(ConfigErrors, WholeFile) {
  expect_error("", "test.toml: no [[interface]]: at least one interface is required");
  expect_error("[balancer]\n", "test.toml: no [[interface]]: at least one interface is required");
  expect_error(kInterface, "test.toml: no [[set]]: at least one destination set is required");
  expect_error("[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n",
               "test.toml: no [[interface]]: at least one interface is required");
}

TEST(ConfigErrors, TomlSyntaxCarriesItsLine) {
  expect_error(before_minimal("[balancer]\nmax_forwards = 1.5\n"),
               "test.toml:2: floating-point values are not supported, got '1.5'");
  expect_error(before_minimal("[balancer]\nserver_header = \"open\n"),
               "test.toml:2: unterminated string (a basic string ends on its line with '\"')");
  expect_error(before_minimal("[balancer]\n[balancer]\n"),
               "test.toml:2: table [balancer] is defined twice (first at line 1)");
  expect_error(before_minimal("[balancer]\nrecord_route = true\nrecord_route = false\n"),
               "test.toml:3: duplicate key 'record_route' in [balancer] (first at line 2)");
}

TEST(ConfigErrors, UnknownKeys) {
  expect_error(before_minimal("[balancer]\nsip_port = 5060\n"),
               "test.toml:2: [balancer]: unknown key 'sip_port' (did you mean 'sip_ports'?)");
  expect_error(before_minimal("[balancer]\n\nfoo_bar_baz = 1\n"),
               "test.toml:3: [balancer]: unknown key 'foo_bar_baz' (expected sip_ports, "
               "max_message_size, record_route, double_record_route, max_forwards, retry_after, "
               "server_header)");
  expect_error(before_minimal("[workers]\ncuont = 2\n"),
               "test.toml:2: [workers]: unknown key 'cuont' (did you mean 'count'?)");
  expect_error(before_minimal("[tables]\ntransaction = 5\n"),
               "test.toml:2: [tables]: unknown key 'transaction' (did you mean 'transactions'?)");
  expect_error(before_minimal("[probing]\ninterval = 5\n"),
               "test.toml:2: [probing]: unknown key 'interval' (expected enabled, interval_ms, "
               "timeout_ms, failure_threshold, recovery_threshold, success_codes, from_uri)");
  expect_error(interface_with("adress = \"10.0.0.1/24\"\n"),
               "test.toml:3: interface 1: unknown key 'adress' (did you mean 'address'?)");
  expect_error(std::string(kInterface) + "[[set]]\nid = 1\nalgoritm = \"maglev\"\n",
               "test.toml:6: set 1: unknown key 'algoritm' (did you mean 'algorithm'?)");
  expect_error(std::string(kInterface) + "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"
               "[[set.destination]]\nuri = \"sip:10.0.0.12\"\nweigth = 2\n",
               "test.toml:10: set 1 destination 2: unknown key 'weigth' (did you mean 'weight'?)");
  expect_error(before_minimal("debug = true\n"),
               "test.toml:1: unknown key 'debug' at the top level (keys go inside a [table])");
}

TEST(ConfigErrors, UnknownTables) {
  expect_error(before_minimal("[balancers]\n"),
               "test.toml:1: unknown table [balancers] (did you mean [balancer]?)");
  expect_error(before_minimal("[[interfaces]]\nport = \"x\"\n"),
               "test.toml:1: unknown table [interfaces] (did you mean [[interface]]?)");
  expect_error(before_minimal("[logging]\n"),
               "test.toml:1: unknown table [logging] (expected [balancer], [[interface]], [workers], "
               "[tables], [probing], [dialogs], [[set]])");
  expect_error(before_minimal("[balancer.extra]\n"),
               "test.toml:1: [balancer]: unknown table 'extra' ([balancer] has no sub-tables)");
  expect_error(std::string(kInterface) + "[[set]]\nid = 1\n[[set.destinations]]\nuri = \"sip:10.0.0.11\"\n",
               "test.toml:6: set 1: unknown table 'destinations' (did you mean 'destination'?)");
}

TEST(ConfigErrors, WrongShapeOfSections) {
  expect_error(before_minimal("[[balancer]]\n"),
               "test.toml:1: [balancer] is a single table: write [balancer], not [[balancer]]");
  expect_error(before_minimal("probing = true\n"),
               "test.toml:1: 'probing' must be the table [probing], got a boolean");
  expect_error("[interface]\nport = \"p\"\naddress = \"10.0.0.1/24\"\n",
               "test.toml:1: interface is an array of tables: write [[interface]], not [interface]");
  expect_error(std::string(kInterface) + "[set]\nid = 1\n",
               "test.toml:4: set is an array of tables: write [[set]], not [set]");
  expect_error(std::string(kInterface) + "[[set.destination]]\nuri = \"sip:10.0.0.11\"\n",
               "test.toml:4: [[set.destination]] must follow the [[set]] it belongs to");
  expect_error(std::string(kInterface) + "[[set.destination]]\nuri = \"sip:10.0.0.11\"\n[[set]]\nid = 1\n",
               "test.toml:6: cannot open [[set]]: 'set' is already a table (line 4)");
  expect_error(std::string(kInterface) + "[[set]]\nid = 1\n[set.destination]\nuri = \"sip:10.0.0.11\"\n",
               "test.toml:6: set 1: destinations are an array of tables: write [[set.destination]]");
}

// ---------------------------------------------------------------------------------------------
// Errors: values

TEST(ConfigErrors, Balancer) {
  expect_error(before_minimal("[balancer]\nmax_forwards = 300\n"),
               "test.toml:2: balancer.max_forwards must be 1..255, got 300");
  expect_error(before_minimal("[balancer]\nmax_forwards = 0\n"),
               "test.toml:2: balancer.max_forwards must be 1..255, got 0");
  expect_error(before_minimal("[balancer]\nsip_ports = []\n"),
               "test.toml:2: balancer.sip_ports must list at least one port");
  expect_error(before_minimal("[balancer]\nsip_ports = [5060,\n  70000]\n"),
               "test.toml:3: balancer.sip_ports item 2 must be 1..65535, got 70000");
  expect_error(before_minimal("[balancer]\nsip_ports = 0\n"),
               "test.toml:2: balancer.sip_ports must be 1..65535, got 0");
  expect_error(before_minimal("[balancer]\nsip_ports = [5060, 5060]\n"),
               "test.toml:2: balancer.sip_ports lists 5060 twice");
  expect_error(before_minimal("[balancer]\nsip_ports = [\"5060\"]\n"),
               "test.toml:2: balancer.sip_ports item 1 must be an integer, got a string");
  expect_error(before_minimal("[balancer]\nsip_ports = \"5060\"\n"),
               "test.toml:2: balancer.sip_ports must be an integer or an array of integers, got a string");
  expect_error(before_minimal("[balancer]\nmax_message_size = 100\n"),
               "test.toml:2: balancer.max_message_size must be 1024..65535, got 100");
  expect_error(before_minimal("[balancer]\nmax_message_size = 65536\n"),
               "test.toml:2: balancer.max_message_size must be 1024..65535, got 65536");
  expect_error(before_minimal("[balancer]\nrecord_route = \"yes\"\n"),
               "test.toml:2: balancer.record_route must be true or false, got a string");
  expect_error(before_minimal("[balancer]\nrecord_route = true\n\ndouble_record_route = 1\n"),
               "test.toml:4: balancer.double_record_route must be true or false, got an integer");
  expect_error(before_minimal("[balancer]\ndouble_record_route = \"no\"\n"),
               "test.toml:2: balancer.double_record_route must be true or false, got a string");
  expect_error(before_minimal("[balancer]\ndouble_record_routes = true\n"),
               "test.toml:2: [balancer]: unknown key 'double_record_routes' (did you mean "
               "'double_record_route'?)");
  expect_error(before_minimal("[balancer]\nretry_after = -1\n"),
               "test.toml:2: balancer.retry_after must be 0..86400, got -1");
  expect_error(before_minimal("[balancer]\nmax_forwards = \"70\"\n"),
               "test.toml:2: balancer.max_forwards must be an integer, got a string");
  expect_error(before_minimal("[balancer]\nserver_header = 1\n"),
               "test.toml:2: balancer.server_header must be a string, got an integer");
  expect_error(before_minimal("[balancer]\nserver_header = \"siplb\\r\\nX-Evil: 1\"\n"),
               "test.toml:2: balancer.server_header must not contain control characters (it is "
               "copied into SIP headers), got \"siplb\\x0d\\x0aX-Evil: 1\"");
  expect_error(before_minimal("[balancer]\nserver_header = \"" + std::string(129, 'a') + "\"\n"),
               "test.toml:2: balancer.server_header must be at most 128 characters, got 129");
}

TEST(ConfigErrors, WorkersAndTables) {
  expect_error(before_minimal("[workers]\ncount = 0\n"), "test.toml:2: workers.count must be 1..128, got 0");
  expect_error(before_minimal("[workers]\nburst = 1000\n"), "test.toml:2: workers.burst must be 1..512, got 1000");
  expect_error(before_minimal("[tables]\ntransactions = 10\n"),
               "test.toml:2: tables.transactions must be 1024..16777216, got 10");
  expect_error(before_minimal("[tables]\ntransaction_ttl_ms = 999\n"),
               "test.toml:2: tables.transaction_ttl_ms must be 1000..600000, got 999");
  expect_error(before_minimal("[tables]\narp_timeout_s = 0\n"),
               "test.toml:2: tables.arp_timeout_s must be 1..86400, got 0");
  expect_error(before_minimal("[tables]\narp_pending_packets = 5000\n"),
               "test.toml:2: tables.arp_pending_packets must be 1..4096, got 5000");
}

TEST(ConfigSections, StoreApiMetricsAndIdleWorkers) {
  const Config d = load_ok(kMinimal);
  EXPECT_EQ(d.store.dir, "/var/lib/siplb");
  EXPECT_EQ(d.store.durability, Durability::sync);
  EXPECT_EQ(d.api.socket, "/run/siplb/siplbd.sock");
  EXPECT_EQ(d.metrics.address, "127.0.0.1");
  EXPECT_EQ(d.metrics.port, 9465);
  EXPECT_EQ(d.workers.idle, IdleMode::poll);
  EXPECT_EQ(d.workers.event_ring, 16384u);
  const Config c = load_ok(
      "[store]\ndir = \"/srv/siplb\"\ndurability = \"async\"\n[api]\nsocket = \"/tmp/x.sock\"\n"
      "[metrics]\naddress = \"::1\"\nport = 0\n[workers]\nidle = \"adaptive\"\nidle_polls = 8\n"
      "idle_sleep_us = 50\nevent_ring = 4096\n" +
      std::string(kMinimal));
  EXPECT_EQ(c.store.dir, "/srv/siplb");
  EXPECT_EQ(c.store.durability, Durability::async);
  EXPECT_EQ(c.api.socket, "/tmp/x.sock");
  EXPECT_EQ(c.metrics.address, "::1");
  EXPECT_EQ(c.metrics.port, 0);
  EXPECT_EQ(c.workers.idle, IdleMode::adaptive);
  EXPECT_EQ(c.workers.idle_polls, 8u);
  EXPECT_EQ(c.workers.idle_sleep_us, 50u);
  EXPECT_EQ(c.workers.event_ring, 4096u);
  EXPECT_EQ(load_ok("[store]\ndurability = \"memory\"\ndir = \"\"\n" + std::string(kMinimal)).store.durability,
            Durability::memory);
}

TEST(ConfigErrors, StoreApiMetricsAndIdleWorkers) {
  expect_error(before_minimal("[store]\ndurability = \"fast\"\n"),
               "test.toml:2: store.durability must be one of \"sync\", \"async\", \"memory\", \"peer\", got \"fast\"");
  expect_error(before_minimal("[store]\ndir = \"\"\n"),
               "test.toml:2: store.dir must not be empty (durability \"memory\" keeps no files)");
  expect_error(before_minimal("[store]\nfolder = \"/x\"\n"), "test.toml:2: [store]: unknown key 'folder' (expected dir, durability)");
  expect_error(before_minimal("[api]\nsocket = \"/" + std::string(120, 'a') + "\"\n"),
               "test.toml:2: api.socket path is longer than a Unix socket address holds (107 octets)");
  expect_error(before_minimal("[metrics]\naddress = \"localhost\"\n"),
               "test.toml:2: metrics.address must be an IPv4 or IPv6 address, got \"localhost\"");
  expect_error(before_minimal("[metrics]\nport = 70000\n"), "test.toml:2: metrics.port must be 0..65535, got 70000");
  expect_error(before_minimal("[workers]\nidle = \"sleep\"\n"),
               "test.toml:2: workers.idle must be one of \"poll\", \"adaptive\", got \"sleep\"");
  expect_error(before_minimal("[workers]\nevent_ring = 10\n"),
               "test.toml:2: workers.event_ring must be 1024..4194304, got 10");
}

TEST(ConfigErrors, Probing) {
  expect_error(before_minimal("[probing]\ninterval_ms = 200\ntimeout_ms = 300\n"),
               "test.toml:3: probing.timeout_ms (300) must not exceed probing.interval_ms (200)");
  expect_error(before_minimal("[probing]\ninterval_ms = 200\n"),
               "test.toml:2: probing.timeout_ms (500) must not exceed probing.interval_ms (200)");
  expect_error(before_minimal("[probing]\ninterval_ms = 50\n"),
               "test.toml:2: probing.interval_ms must be 100..3600000, got 50");
  expect_error(before_minimal("[probing]\nfailure_threshold = 0\n"),
               "test.toml:2: probing.failure_threshold must be 1..100, got 0");
  expect_error(before_minimal("[probing]\nrecovery_threshold = 101\n"),
               "test.toml:2: probing.recovery_threshold must be 1..100, got 101");
  expect_error(before_minimal("[probing]\nenabled = 1\n"),
               "test.toml:2: probing.enabled must be true or false, got an integer");
  expect_error(before_minimal("[probing]\nsuccess_codes = 404\n"),
               "test.toml:2: probing.success_codes must be an array of integers, got an integer");
  expect_error(before_minimal("[probing]\nsuccess_codes = [\n  404,\n  99,\n]\n"),
               "test.toml:4: probing.success_codes item 2 must be 100..699, got 99");
  expect_error(before_minimal("[probing]\nsuccess_codes = [404, 404]\n"),
               "test.toml:2: probing.success_codes lists 404 twice");
  expect_error(before_minimal("[probing]\nfrom_uri = \"http://x\"\n"),
               "test.toml:2: probing.from_uri must be a sip: URI such as \"sip:siplb@10.0.0.1\", got \"http://x\"");
  expect_error(before_minimal("[probing]\nfrom_uri = \"sip:a b@c\"\n"),
               "test.toml:2: probing.from_uri must not contain spaces or control characters, got \"sip:a b@c\"");
}

TEST(ConfigErrors, InterfaceRequiredKeys) {
  expect_error("[[interface]]\naddress = \"10.0.0.1/24\"\n[[set]]\nid = 1\n",
               "test.toml:1: interface 1: port is required");
  expect_error("[[interface]]\nport = \"\"\n", "test.toml:2: interface 1: port must not be empty");
  expect_error(interface_with(""), "test.toml:1: interface 1: address is required");
}

TEST(ConfigErrors, InterfaceAddresses) {
  const std::string form =
      "address must be an IPv4 address with a prefix length 1..32, such as \"10.0.0.1/24\", got ";
  expect_error(interface_with("address = \"10.0.0.1\"\n"), "test.toml:3: interface 1: " + form + "\"10.0.0.1\"");
  expect_error(interface_with("address = \"10.0.0.1/33\"\n"), "test.toml:3: interface 1: " + form + "\"10.0.0.1/33\"");
  expect_error(interface_with("address = \"10.0.0.1/0\"\n"), "test.toml:3: interface 1: " + form + "\"10.0.0.1/0\"");
  expect_error(interface_with("address = \"10.0.0.1/024\"\n"), "test.toml:3: interface 1: " + form + "\"10.0.0.1/024\"");
  expect_error(interface_with("address = \"10.0.0.256/24\"\n"), "test.toml:3: interface 1: " + form + "\"10.0.0.256/24\"");
  expect_error(interface_with("address = \"fd00::1/64\"\n"), "test.toml:3: interface 1: " + form + "\"fd00::1/64\"");
  expect_error(interface_with("address = \"host.example/24\"\n"), "test.toml:3: interface 1: " + form + "\"host.example/24\"");
  expect_error(interface_with("address = \"10.0.0.0/24\"\n"),
               "test.toml:3: interface 1: address \"10.0.0.0/24\" is the network address of its subnet, not a host address");
  expect_error(interface_with("address = \"10.0.0.255/24\"\n"),
               "test.toml:3: interface 1: address \"10.0.0.255/24\" is the broadcast address of its subnet, not a host address");
  expect_error(interface_with("address = \"10.0.0.1/24\"\naddress6 = \"fd00::1\"\n"),
               "test.toml:4: interface 1: address6 must be an IPv6 address with a prefix length 1..128, such as "
               "\"fd00::1/64\", got \"fd00::1\"");
  expect_error(interface_with("address = \"10.0.0.1/24\"\naddress6 = \"10.0.0.1/24\"\n"),
               "test.toml:4: interface 1: address6 must be an IPv6 address with a prefix length 1..128, such as "
               "\"fd00::1/64\", got \"10.0.0.1/24\"");
  expect_error(interface_with("address = \"10.0.0.1/24\"\naddress6 = \"fd00::1/129\"\n"),
               "test.toml:4: interface 1: address6 must be an IPv6 address with a prefix length 1..128, such as "
               "\"fd00::1/64\", got \"fd00::1/129\"");
  expect_error(interface_with("address = 10\n"), "test.toml:3: interface 1: address must be a string, got an integer");
}

TEST(ConfigErrors, InterfaceGateway) {
  expect_error(interface_with("address = \"10.0.0.1/24\"\ngateway = \"10.0.1.1\"\n"),
               "test.toml:4: interface 1: gateway \"10.0.1.1\" is not inside the interface's subnet \"10.0.0.1/24\"");
  expect_error(interface_with("address = \"10.0.0.1/24\"\ngateway = \"10.0.0.1\"\n"),
               "test.toml:4: interface 1: gateway \"10.0.0.1\" is the interface's own address");
  expect_error(interface_with("address = \"10.0.0.1/24\"\ngateway = \"gw.example\"\n"),
               "test.toml:4: interface 1: gateway must be an IPv4 or IPv6 address, got \"gw.example\"");
  expect_error(interface_with("address = \"10.0.0.1/24\"\ngateway = \"fe80::1\"\n"),
               "test.toml:4: interface 1: gateway \"fe80::1\" is IPv6 but the interface has no address6");
  expect_error(interface_with("address = \"10.0.0.1/24\"\naddress6 = \"fd00::1/64\"\ngateway = \"fd01::1\"\n"),
               "test.toml:5: interface 1: gateway \"fd01::1\" is neither link-local (fe80::/10) nor inside "
               "address6 \"fd00::1/64\"");
}

TEST(ConfigErrors, InterfaceMtuAndQueues) {
  expect_error(interface_with("address = \"10.0.0.1/24\"\nmtu = 100\n"),
               "test.toml:4: interface 1: mtu must be 576..9216, got 100");
  expect_error(interface_with("address = \"10.0.0.1/24\"\nmtu = 9217\n"),
               "test.toml:4: interface 1: mtu must be 576..9216, got 9217");
  expect_error(interface_with("address = \"10.0.0.1/24\"\naddress6 = \"fd00::1/64\"\nmtu = 1000\n"),
               "test.toml:5: interface 1: mtu must be at least 1280 with an IPv6 address6, got 1000");
  expect_error(interface_with("address = \"10.0.0.1/24\"\nrx_queues = 0\n"),
               "test.toml:4: interface 1: rx_queues must be 1..1024, got 0");
  expect_error(interface_with("address = \"10.0.0.1/24\"\nchecksum_offload = \"yes\"\n"),
               "test.toml:4: interface 1: checksum_offload must be true or false, got a string");
}

TEST(ConfigErrors, InterfacesMustDiffer) {
  expect_error("[[interface]]\nport = \"p\"\naddress = \"10.0.0.1/24\"\n"
               "[[interface]]\nport = \"p\"\naddress = \"10.0.1.1/24\"\n",
               "test.toml:5: interface 2: port \"p\" is already used by interface 1 (line 1)");
  expect_error("[[interface]]\nport = \"p\"\naddress = \"10.0.0.1/24\"\n"
               "[[interface]]\nport = \"q\"\naddress = \"10.0.0.1/16\"\n",
               "test.toml:6: interface 2: address is already used by interface 1 (line 1)");
}

TEST(ConfigErrors, SetIds) {
  expect_error(std::string(kInterface) + "[[set]]\nname = \"x\"\n",
               "test.toml:4: set 1: id is required");
  expect_error(std::string(kInterface) + "[[set]]\nid = -1\n",
               "test.toml:5: set 1: id must be 0..4294967295, got -1");
  expect_error(std::string(kInterface) + "[[set]]\nid = \"1\"\n",
               "test.toml:5: set 1: id must be an integer, got a string");
  expect_error(std::string(kInterface) +
                   "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"
                   "[[set]]\nid = 2\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"
                   "[[set]]\n# the same id again\nid = 1\n",
               "test.toml:14: set 3: id 1 is already used by set 1 (line 4)");
}

TEST(ConfigErrors, SetAlgorithm) {
  const std::string head = std::string(kInterface) + "[[set]]\nid = 1\n";
  const std::string tail = "[[set.destination]]\nuri = \"sip:10.0.0.11\"\n";
  const std::string choices =
      "hash-call-id (0), hash-from-uri (1), hash-to-uri (2), hash-request-uri (3), round-robin (4), "
      "hash-auth-user (5), random (6), weighted (9), least-loaded (10), maglev";
  expect_error(head + "algorithm = \"fastest\"\n" + tail,
               "test.toml:6: set 1: unknown algorithm \"fastest\" (expected one of " + choices + ")");
  expect_error(head + "algorithm = 7\n" + tail,
               "test.toml:6: set 1: unknown algorithm \"7\" (expected one of " + choices + ")");
  expect_error(head + "algorithm = true\n" + tail,
               "test.toml:6: set 1: algorithm must be a name or an OpenSIPS number, got a boolean");
  expect_error(head + "algorithm = \"round-robin\"\nhash_key = \"from-uri\"\n" + tail,
               "test.toml:7: set 1: hash_key applies to algorithm \"maglev\" only, not \"round-robin\"");
  expect_error(head + "algorithm = 2\nhash_key = \"call-id\"\n" + tail,
               "test.toml:7: set 1: hash_key applies to algorithm \"maglev\" only, not \"hash-to-uri\" "
               "(which always hashes its own key)");
  expect_error(head + "hash_key = \"cookie\"\n" + tail,
               "test.toml:6: set 1: hash_key must be call-id, from-uri, to-uri, request-uri or auth-user, "
               "got \"cookie\"");
  expect_error(head + "hash_key = 1\n" + tail, "test.toml:6: set 1: hash_key must be a string, got an integer");
}

TEST(ConfigErrors, MaglevTableSize) {
  const std::string head = std::string(kInterface) + "[[set]]\nid = 1\n";
  const std::string one = "[[set.destination]]\nuri = \"sip:10.0.0.11\"\n";
  expect_error(head + "maglev_table_size = 65536\n" + one,
               "test.toml:6: set 1: maglev_table_size must be a prime, got 65536 (for example 65537, 131071, "
               "262147)");
  expect_error(head + "maglev_table_size = 9\n" + one,
               "test.toml:6: set 1: maglev_table_size must be a prime, got 9 (for example 65537, 131071, 262147)");
  expect_error(head + "maglev_table_size = 2\n" + one,
               "test.toml:6: set 1: maglev_table_size must be 3..16777213, got 2");
  expect_error(head + "maglev_table_size = 16777259\n" + one,
               "test.toml:6: set 1: maglev_table_size must be 3..16777213, got 16777259");
  expect_error(head + "maglev_table_size = 3\n" + one +
                   "[[set.destination]]\nuri = \"sip:10.0.0.12\"\n[[set.destination]]\nuri = \"sip:10.0.0.13\"\n",
               "test.toml:6: set 1: maglev_table_size 3 must be larger than the number of destinations (3)");
  Config c = load_ok(head + "maglev_table_size = 16777213\n" + one);
  if (!c.sets.empty()) {
    EXPECT_EQ(c.sets[0].maglev_table_size, 16777213u);
  }
}

TEST(ConfigErrors, SetWithoutDestinations) {
  expect_error(std::string(kInterface) + "[[set]]\nid = 1\nname = \"empty\"\n",
               "test.toml:4: set 1: has no destinations (add a [[set.destination]] or a dispatcher_list)");
  expect_error(std::string(kInterface) + "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"
               "[[set]]\nid = 2\n",
               "test.toml:8: set 2: has no destinations (add a [[set.destination]] or a dispatcher_list)");
}

// A file with one set whose destination 2 has the given keys (destination 2 starts at line 8).
std::string destination_with(std::string_view keys) {
  return std::string(kInterface) + "[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n" +
         "[[set.destination]]\n" + std::string(keys);
}

TEST(ConfigErrors, DestinationWeightPriorityStateProbe) {
  // The example of the task, to the letter.
  expect_error(destination_with("uri = \"sip:10.0.0.12\"\nweight = 70000\n"),
               "test.toml:10: set 1 destination 2: weight must be 0..65535, got 70000");
  expect_error(destination_with("uri = \"sip:10.0.0.12\"\nweight = -1\n"),
               "test.toml:10: set 1 destination 2: weight must be 0..65535, got -1");
  expect_error(destination_with("uri = \"sip:10.0.0.12\"\npriority = 3000000000\n"),
               "test.toml:10: set 1 destination 2: priority must be -2147483648..2147483647, got 3000000000");
  expect_error(destination_with("uri = \"sip:10.0.0.12\"\nstate = \"down\"\n"),
               "test.toml:10: set 1 destination 2: state must be active, inactive, probing or disabled, got \"down\"");
  expect_error(destination_with("uri = \"sip:10.0.0.12\"\nprobe = \"no\"\n"),
               "test.toml:10: set 1 destination 2: probe must be true or false, got a string");
  expect_error(destination_with("uri = \"sip:10.0.0.12\"\nattrs = 5\n"),
               "test.toml:10: set 1 destination 2: attrs must be a string, got an integer");
}

TEST(ConfigErrors, DestinationUri) {
  expect_error(destination_with("weight = 2\n"), "test.toml:8: set 1 destination 2: uri is required");
  expect_error(destination_with("uri = \"\"\n"), "test.toml:9: set 1 destination 2: uri must not be empty");
  const std::string form =
      " (expected \"sip:IP[:port]\", e.g. \"sip:10.0.0.11:5060\" or \"sip:[fd00::11]:5060\")";
  struct Case {
    const char* uri;
    std::string reason;
  };
  const Case cases[] = {
      {"sip:pbx.example.com",
       ": the host must be an IP address (no DNS on the data path), got \"pbx.example.com\""},
      {"sip:pbx.example.com:5060",
       ": the host must be an IP address (no DNS on the data path), got \"pbx.example.com\""},
      {"sip:10.0.0.12:0", ": port must be 1..65535, got \"0\""},
      {"sip:10.0.0.12:70000", ": port must be 1..65535, got \"70000\""},
      {"sip:10.0.0.12:", ": port must be 1..65535, got \"\""},
      {"sip:10.0.0.12:50a", ": port must be 1..65535, got \"50a\""},
      {"sip:[fd00::12]:0", ": port must be 1..65535, got \"0\""},
      {"sip:fd00::12", ": an IPv6 host must be written in brackets, e.g. \"sip:[fd00::11]:5060\""},
      {"sip:[fd00::12", ": no ']' after the IPv6 address"},
      {"sip:[fd00::12]5060", ": unexpected text after ']'" + form},
      {"sip:[10.0.0.12]", ": only IPv6 addresses go in brackets"},
      {"sips:10.0.0.12", ": sips: (TLS) is not supported; siplb forwards SIP over UDP"},
      {"http://10.0.0.12", " is not a sip: URI" + form},
      {"10.0.0.12", " is not a sip: URI" + form},
      {"sip:alice@10.0.0.12", ": a destination URI has no user part" + form},
      {"sip:10.0.0.12;transport=tcp", ": URI parameters other than transport=udp are not supported"},
      {"sip:10.0.0.12;lr", ": URI parameters other than transport=udp are not supported"},
      {"sip:", " has no host" + form},
      {"sip::5060", " has no host" + form},
  };
  for (const Case& k : cases) {
    expect_error(destination_with("uri = \"" + std::string(k.uri) + "\"\n"),
                 "test.toml:9: set 1 destination 2: uri \"" + std::string(k.uri) + "\"" + k.reason);
  }
}

TEST(ConfigErrors, DuplicateDestination) {
  expect_error(destination_with("uri = \"sip:10.0.0.11:5060\"\n"),
               "test.toml:9: set 1 destination 2: \"sip:10.0.0.11:5060\" is the same address as "
               "destination 1 (line 7)");
}

TEST(ConfigErrors, Ipv6DestinationNeedsAnIpv6Interface) {
  expect_error(destination_with("uri = \"sip:[fd00::12]\"\n"),
               "test.toml:9: set 1 destination 2: \"sip:[fd00::12]\" is IPv6 but no [[interface]] has an address6");
}

TEST(ConfigErrors, FirstErrorWins) {
  // Two errors: the first in the file is the one reported.
  ConfigResult r = load(before_minimal("[balancer]\nmax_forwards = 0\nretry_after = -1\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.line, 2u);
  // line_of finds the offending line the same way.
  const std::string text = before_minimal("[workers]\nburst = 0\n");
  expect_error_at(text, "burst = 0", "workers.burst must be 1..512, got 0");
}

// ---------------------------------------------------------------------------------------------
// Files: load_config_file and dispatcher_list

class ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/siplb-config-test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, std::string_view text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(ConfigFiles, MissingFile) {
  const std::string path = dir_ + "/absent.toml";
  ConfigResult r = load_config_file(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.message, path + ": cannot open: No such file or directory");
  EXPECT_EQ(r.error.line, 0u);
}

TEST_F(ConfigFiles, ErrorsNameThePath) {
  const std::string path = write("siplbd.toml", before_minimal("[balancer]\n\nmax_forwards = 256\n"));
  ConfigResult r = load_config_file(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.message, path + ":3: balancer.max_forwards must be 1..255, got 256");
}

TEST_F(ConfigFiles, TooLarge) {
  const std::string path = write("big.toml", std::string(limits::kMaxFileSize + 1, '#'));
  ConfigResult r = load_config_file(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.message.find("larger than"), std::string::npos) << r.error.message;
}

TEST_F(ConfigFiles, DispatcherListRelativeToTheConfigFolder) {
  write("dispatcher.list",
        "# set 1\n"
        "1 sip:10.0.0.31:5060 0 5 weight=3\n"
        "1 sip:10.0.0.32 4\n"
        "2 sip:10.0.0.41\n");
  const std::string path = write("siplbd.toml",
                                 std::string(kInterface) +
                                     "[[set]]\nid = 1\ndispatcher_list = \"dispatcher.list\"\n"
                                     "[[set.destination]]\nuri = \"sip:10.0.0.11\"\n"
                                     "[[set]]\nid = 2\nalgorithm = 4\ndispatcher_list = \"" + dir_ +
                                     "/dispatcher.list\"\n");
  ConfigResult r = load_config_file(path);
  ASSERT_TRUE(r.ok()) << r.error.message;
  const Config& c = *r.config;
  ASSERT_EQ(c.sets.size(), 2u);
  EXPECT_EQ(c.sets[0].dispatcher_list, dir_ + "/dispatcher.list");
  const auto& d1 = c.sets[0].set.destinations;
  ASSERT_EQ(d1.size(), 3u);  // inline first, then the list's lines for id 1
  EXPECT_EQ(d1[0].uri, "sip:10.0.0.11");
  EXPECT_EQ(d1[1].address.ip, *net::parse_ip("10.0.0.31"));
  EXPECT_EQ(d1[1].priority, 5);
  EXPECT_EQ(d1[1].weight, 3);
  EXPECT_EQ(d1[2].state, DestinationState::disabled);
  const auto& d2 = c.sets[1].set.destinations;
  ASSERT_EQ(d2.size(), 1u);
  EXPECT_EQ(d2[0].address.ip, *net::parse_ip("10.0.0.41"));
  EXPECT_EQ(c.sets[1].set.algorithm, Algorithm::round_robin);
}

TEST_F(ConfigFiles, DispatcherTablesOfOpenSipsAndKamailio) {
  // OpenSIPS 3.x db_text `dispatcher` table (state, probe_mode, string weight, socket) and a
  // Kamailio one (flags, attrs with maxload= for a least-loaded set).
  write("opensips-dispatcher",
        "id(int,auto) setid(int) destination(string) socket(string,null) state(int) probe_mode(int) "
        "weight(string) priority(int) attrs(string) description(string)\n"
        "1:1:sip\\:10.0.0.31\\:5060:udp\\:10.0.0.1\\:5060:0:1:3:0::PBX 1\n"
        "2:1:sip\\:10.0.0.32:null:1:0:1:0::PBX 2\n");
  write("kamailio-dispatcher",
        "id(int,auto) setid(int) destination(string) flags(int) priority(int) attrs(string) description(string)\n"
        "1:2:sip\\:10.0.0.41:0:0:maxload=20:media 1\n"
        "2:2:sip\\:10.0.0.42:4:0:maxload=30:media 2\n");
  const std::string path = write("siplbd.toml", std::string(kInterface) +
                                                    "[[set]]\nid = 1\ndispatcher_list = \"opensips-dispatcher\"\n"
                                                    "[[set]]\nid = 2\nalgorithm = \"least-loaded\"\n"
                                                    "dispatcher_list = \"kamailio-dispatcher\"\n");
  ConfigResult r = load_config_file(path);
  ASSERT_TRUE(r.ok()) << r.error.message;
  const auto& d1 = r.config->sets[0].set.destinations;
  ASSERT_EQ(d1.size(), 2u);
  EXPECT_EQ(d1[0].weight, 3);
  EXPECT_EQ(d1[1].state, DestinationState::inactive);
  const auto& d2 = r.config->sets[1].set.destinations;
  ASSERT_EQ(d2.size(), 2u);
  ASSERT_EQ(d2[0].capacities.size(), 1u);
  EXPECT_EQ(d2[0].capacities[0].max, 20u);
  EXPECT_EQ(d2[1].state, DestinationState::disabled);
  // A socket naming no address of siplbd is refused with the table's file and line.
  write("opensips-dispatcher",
        "setid(int) destination(string) socket(string,null)\n"
        "1:sip\\:10.0.0.31:udp\\:10.9.9.9\\:5060\n");
  r = load_config_file(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.message, path + ":6: set 1: dispatcher_list \"" + dir_ + "/opensips-dispatcher\": " + dir_ +
                                 "/opensips-dispatcher:2: socket \"udp:10.9.9.9:5060\" names no address of an "
                                 "[[interface]] of siplbd");
}

TEST_F(ConfigFiles, DispatcherListErrors) {
  const std::string head = std::string(kInterface) + "[[set]]\nid = 3\n";
  // Missing file: the list's own message after ours.
  ConfigResult r = load_config_text(head + "dispatcher_list = \"none.list\"\n", dir_ + "/siplbd.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.line, 6u);
  EXPECT_EQ(r.error.reason.rfind("set 1: dispatcher_list \"" + dir_ + "/none.list\": " + dir_ +
                                     "/none.list: cannot open",
                                 0),
            0u)
      << r.error.reason;

  // A bad line in the list: its file and line are named too.
  write("bad.list", "3 sip:10.0.0.31\n3 sip:host.example\n");
  r = load_config_text(head + "dispatcher_list = \"bad.list\"\n", dir_ + "/siplbd.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.line, 6u);
  EXPECT_NE(r.error.reason.find(dir_ + "/bad.list:2: "), std::string::npos) << r.error.reason;

  // No line for this set id, and no inline destination.
  write("other.list", "4 sip:10.0.0.31\n");
  r = load_config_text(head + "dispatcher_list = \"other.list\"\n", dir_ + "/siplbd.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.message, dir_ + "/siplbd.toml:4: set 1: has no destinations (add a [[set.destination]], "
                                    "or entries for set id 3 to its dispatcher_list)");

  // The same address inline and in the list.
  write("dup.list", "3 sip:10.0.0.11:5060\n");
  r = load_config_text(head + "dispatcher_list = \"dup.list\"\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n",
                       dir_ + "/siplbd.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.message, dir_ + "/siplbd.toml:6: set 1: dispatcher_list \"" + dir_ +
                                 "/dup.list\": \"sip:10.0.0.11:5060\" is the same address as destination 1 (line 8)");

  r = load_config_text(head + "dispatcher_list = \"\"\n", "siplbd.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.message, "siplbd.toml:6: set 1: dispatcher_list must not be empty");
}

}  // namespace
}  // namespace siplb::config
