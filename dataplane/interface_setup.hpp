// An Interface (dataplane.hpp) from its [[interface]] configuration: addresses in the forms the
// packet path compares, and the texts it writes into messages (Via sent-by, Record-Route) for
// IPv4 and IPv6. Port facts (id, MAC, offloads) are the caller's. Main thread, at start-up; the
// golden tests build their extra interfaces with it too.
#pragma once

#include <rte_ether.h>

#include <cstdint>

#include "dataplane.hpp"
#include "siplb/config/config.hpp"

namespace siplb::dataplane {

Interface interface_from_config(const config::InterfaceConfig& ic, uint16_t port_id, const rte_ether_addr& mac,
                                uint16_t sip_port);

}  // namespace siplb::dataplane
