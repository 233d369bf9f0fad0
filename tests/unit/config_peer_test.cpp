// The HA pair's configuration: [peer] and an interface's vip (include/siplb/config/config.hpp):
// good values, the defaults, and every refusal with its "FILE:LINE: reason".
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "siplb/config/config.hpp"

namespace siplb::config {
namespace {

// An interface (lines 1-4, `vip_line` on line 4 when given) and a set, then `peer` from line 9.
std::string config_with(std::string_view vip_line, std::string_view peer) {
  return "[[interface]]\nport = \"net_ring0\"\naddress = \"10.0.0.1/24\"\n" + std::string(vip_line) +
         "\n[[set]]\nid = 1\n[[set.destination]]\nuri = \"sip:10.0.0.11\"\n" + std::string(peer);
}

constexpr std::string_view kPeer =
    "[peer]\nnode_id = 1\naddress = \"192.168.50.1\"\npeer_address = \"192.168.50.2\"\nkey_file = \"peer.key\"\n"
    "peer_node_id = 2\n";

std::string error_of(const std::string& text) {
  ConfigResult r = load_config_text(text, "/etc/siplb/test.toml");
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error.message;
}

TEST(ConfigPeer, APairWithItsDefaults) {
  ConfigResult r = load_config_text(config_with("vip = \"10.0.0.100\"", kPeer), "/etc/siplb/test.toml");
  ASSERT_TRUE(r.ok()) << r.error.message;
  const Config& c = *r.config;
  ASSERT_TRUE(c.interfaces[0].vip);
  EXPECT_EQ(net::format_ip(*c.interfaces[0].vip), "10.0.0.100");
  EXPECT_TRUE(c.peer.enabled());
  EXPECT_EQ(c.peer.node_id, 1u);
  EXPECT_EQ(c.peer.peer_node_id, 2u);
  EXPECT_EQ(c.peer.priority, 100u);
  EXPECT_EQ(net::format_ip(*c.peer.address), "192.168.50.1");
  EXPECT_EQ(net::format_ip(*c.peer.peer_address), "192.168.50.2");
  EXPECT_EQ(c.peer.key_file, "/etc/siplb/peer.key");  // relative to the configuration's folder
  EXPECT_EQ(c.peer.heartbeat_port, 7401);
  EXPECT_EQ(c.peer.replication_port, 7402);
  EXPECT_EQ(c.peer.heartbeat_interval_us, 5000u);
  EXPECT_EQ(c.peer.dead_time_us, 30000u);
  EXPECT_EQ(c.peer.line, 9u);
}

TEST(ConfigPeer, NoPeerNoPair) {
  ConfigResult r = load_config_text(config_with("", ""), "test.toml");
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_FALSE(r.config->peer.enabled());
  EXPECT_FALSE(r.config->interfaces[0].vip);
}

TEST(ConfigPeer, RefusalsNameTheLineAndWhy) {
  EXPECT_EQ(error_of(config_with("vip = \"10.0.1.100\"", "")),
            "/etc/siplb/test.toml:4: interface 1: vip \"10.0.1.100\" is not inside the interface's subnet \"10.0.0.1/24\"");
  EXPECT_EQ(error_of(config_with("vip = \"10.0.0.1\"", "")),
            "/etc/siplb/test.toml:4: interface 1: vip \"10.0.0.1\" is the interface's own address");
  EXPECT_EQ(error_of(config_with("vip = \"fd00::1\"", "")),
            "/etc/siplb/test.toml:4: interface 1: vip must be an IPv4 address, got \"fd00::1\"");
  EXPECT_EQ(error_of(config_with("", "[peer]\nnode_id = 1\npeer_node_id = 2\naddress = \"192.168.50.1\"\npeer_address = \"192.168.50.2\"\n")),
            "/etc/siplb/test.toml:9: peer.key_file is required in [peer]");
  EXPECT_EQ(error_of(config_with("", "[peer]\nnode_id = 1\npeer_node_id = 1\naddress = \"192.168.50.1\"\n"
                                     "peer_address = \"192.168.50.2\"\nkey_file = \"k\"\n")),
            "/etc/siplb/test.toml:11: peer.peer_node_id must differ from node_id (1)");
  EXPECT_EQ(error_of(config_with("", std::string(kPeer) + "peer_adress = \"1.2.3.4\"\n")).substr(0, 53),
            "/etc/siplb/test.toml:15: [peer]: unknown key 'peer_ad");
  EXPECT_EQ(error_of(config_with("", "[peer]\nnode_id = 1\npeer_node_id = 2\naddress = \"192.168.50.1\"\npeer_address = \"192.168.50.1\"\n"
                                     "key_file = \"k\"\n")),
            "/etc/siplb/test.toml:13: peer.peer_address is this node's own address");
  EXPECT_EQ(error_of(config_with("", std::string(kPeer) + "dead_time_us = 10000\n")),
            "/etc/siplb/test.toml:15: peer.dead_time_us (10000) must be at least three heartbeat intervals (15000)");
  EXPECT_EQ(error_of(config_with("", std::string(kPeer) + "replication_port = 7401\n")),
            "/etc/siplb/test.toml:15: peer.heartbeat_port and replication_port must differ");
  EXPECT_EQ(error_of(config_with("", "[peer]\nnode_id = 1\npeer_node_id = 2\naddress = \"192.168.50\"\npeer_address = \"192.168.50.2\"\n"
                                     "key_file = \"k\"\n")),
            "/etc/siplb/test.toml:12: peer.address must be an IPv4 or IPv6 address, got \"192.168.50\"");
}

TEST(ConfigPeer, DurabilityPeerNeedsAPeer) {
  ConfigResult r = load_config_text(config_with("", std::string(kPeer)) + "[store]\ndir = \"/tmp/s\"\ndurability = \"peer\"\n",
                                    "test.toml");
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(r.config->store.durability, Durability::peer);
  EXPECT_EQ(error_of(config_with("", "[store]\ndir = \"/tmp/s\"\ndurability = \"peer\"\n")),
            "/etc/siplb/test.toml:11: store.durability \"peer\" needs a [peer] to acknowledge changes");
}

}  // namespace
}  // namespace siplb::config
