// DPDK port bring-up for one interface: find the port by the name EAL gave it, configure one RX
// and one TX queue per worker (RSS over IP and UDP where the device has it), start it. Main
// thread, at start-up and shutdown only.
#pragma once

#include <rte_ether.h>

#include <cstdint>
#include <string>

struct rte_mempool;

namespace siplb::dataplane {

struct PortInfo {
  uint16_t port_id = 0;
  rte_ether_addr mac{};
  bool rss = false;
  bool tx_multi_seg = false;  // the device sends chained mbufs (RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
  // IPv4 header and UDP checksums checked on receive / filled on transmit by the device.
  bool rx_checksum = false;
  bool tx_checksum = false;
  std::string driver;
};

// Returns false with `error` set when the port is absent or will not start.
// `checksum_offload`: turn on the device's IPv4/UDP checksum offloads where it has them.
bool start_port(const std::string& name, uint16_t queues, uint16_t mtu, bool checksum_offload, rte_mempool* pool,
                PortInfo& out, std::string& error);
void stop_port(uint16_t port_id);

}  // namespace siplb::dataplane
