#include "interface_setup.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "siplb/net/address.hpp"

namespace siplb::dataplane {

Interface interface_from_config(const config::InterfaceConfig& ic, uint16_t port_id, const rte_ether_addr& mac,
                                uint16_t sip_port) {
  Interface iface;
  iface.port_id = port_id;
  iface.mac = mac;
  iface.ip_be = htonl(ic.address.ip.v4_host_order());
  iface.mask_be = ic.address.length ? htonl(~uint32_t{0} << (32 - ic.address.length)) : 0;
  iface.gateway_be = ic.gateway && ic.gateway->is_v4() ? htonl(ic.gateway->v4_host_order()) : 0;
  iface.mtu = ic.mtu;
  iface.sip_port = sip_port;
  iface.ip_text = net::format_ip(ic.address.ip);
  iface.via_sent_by = iface.ip_text + ":" + std::to_string(sip_port);
  iface.record_route = "<sip:" + iface.via_sent_by + ";lr>";
  if (ic.vip && ic.vip->is_v4()) {
    iface.vip_be = htonl(ic.vip->v4_host_order());
    iface.vip_text = net::format_ip(*ic.vip);
    iface.via_sent_by_vip = iface.vip_text + ":" + std::to_string(sip_port);
    iface.record_route_vip = "<sip:" + iface.via_sent_by_vip + ";lr>";
  }
  if (ic.address6) {
    iface.has_ip6 = true;
    std::memcpy(iface.ip6, ic.address6->ip.bytes.data(), 16);
    iface.prefix6 = ic.address6->length;
    iface.ip6_text = net::format_ip(ic.address6->ip);
    iface.via_sent_by6 = "[" + iface.ip6_text + "]:" + std::to_string(sip_port);
    iface.record_route6 = "<sip:" + iface.via_sent_by6 + ";lr>";
  }
  if (ic.gateway && ic.gateway->is_v6()) {
    iface.has_gateway6 = true;
    std::memcpy(iface.gateway6, ic.gateway->bytes.data(), 16);
  }
  return iface;
}

}  // namespace siplb::dataplane
