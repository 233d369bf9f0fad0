// Port configuration and start (DPDK ethdev).
#include "port.hpp"

#include <rte_ethdev.h>
#include <rte_log.h>

#include <cstring>

namespace siplb::dataplane {
namespace {
constexpr uint16_t kRxDescriptors = 1024;
constexpr uint16_t kTxDescriptors = 1024;
}

bool start_port(const std::string& name, uint16_t queues, uint16_t mtu, bool checksum_offload, rte_mempool* pool,
                PortInfo& out, std::string& error) {
  uint16_t port_id;
  if (rte_eth_dev_get_port_by_name(name.c_str(), &port_id) != 0) {
    error = "no DPDK port named '" + name + "' (give it to EAL with --vdev or -a; ports found:";
    uint16_t p;
    RTE_ETH_FOREACH_DEV(p) {
      char n[RTE_ETH_NAME_MAX_LEN];
      if (rte_eth_dev_get_name_by_port(p, n) == 0) error += std::string(" ") + n;
    }
    error += ")";
    return false;
  }
  rte_eth_dev_info info{};
  if (int rc = rte_eth_dev_info_get(port_id, &info); rc != 0) {
    error = "port " + name + ": rte_eth_dev_info_get: " + std::strerror(-rc);
    return false;
  }
  if (queues > info.max_rx_queues || queues > info.max_tx_queues) {
    error = "port " + name + " has at most " + std::to_string(info.max_rx_queues) + " RX / " +
            std::to_string(info.max_tx_queues) + " TX queues, " + std::to_string(queues) + " workers need one each";
    return false;
  }
  rte_eth_conf conf{};
  if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
    conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
    out.tx_multi_seg = true;
  }
  // Checksums in the NIC where it has both offloads (virtual devices mostly do not).
  constexpr uint64_t kRxChecksums = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
  constexpr uint64_t kTxChecksums = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
  if (checksum_offload && (info.rx_offload_capa & kRxChecksums) == kRxChecksums) {
    conf.rxmode.offloads |= kRxChecksums;
    out.rx_checksum = true;
  }
  if (checksum_offload && (info.tx_offload_capa & kTxChecksums) == kTxChecksums) {
    conf.txmode.offloads |= kTxChecksums;
    out.tx_checksum = true;
  }
  uint64_t rss = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
  if (queues > 1 && rss) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = rss;
    out.rss = true;
  }
  if (int rc = rte_eth_dev_configure(port_id, queues, queues, &conf); rc != 0) {
    error = "port " + name + ": rte_eth_dev_configure: " + std::strerror(-rc);
    return false;
  }
  uint16_t rxd = kRxDescriptors, txd = kTxDescriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rxd, &txd);
  int socket = rte_eth_dev_socket_id(port_id);
  if (socket < 0) socket = 0;
  for (uint16_t q = 0; q < queues; ++q) {
    if (int rc = rte_eth_rx_queue_setup(port_id, q, rxd, socket, nullptr, pool); rc != 0) {
      error = "port " + name + ": RX queue " + std::to_string(q) + ": " + std::strerror(-rc);
      return false;
    }
    if (int rc = rte_eth_tx_queue_setup(port_id, q, txd, socket, nullptr); rc != 0) {
      error = "port " + name + ": TX queue " + std::to_string(q) + ": " + std::strerror(-rc);
      return false;
    }
  }
  if (rte_eth_dev_set_mtu(port_id, mtu) != 0)
    RTE_LOG(WARNING, USER1, "port %s: cannot set MTU %u, keeping the device's\n", name.c_str(), mtu);
  if (int rc = rte_eth_dev_start(port_id); rc != 0) {
    error = "port " + name + ": rte_eth_dev_start: " + std::strerror(-rc);
    return false;
  }
  rte_eth_promiscuous_enable(port_id);  // virtual devices may not support it; not needed then
  rte_eth_macaddr_get(port_id, &out.mac);
  out.port_id = port_id;
  out.driver = info.driver_name ? info.driver_name : "";
  return true;
}

void stop_port(uint16_t port_id) {
  rte_eth_dev_stop(port_id);
  rte_eth_dev_close(port_id);
}

}  // namespace siplb::dataplane
