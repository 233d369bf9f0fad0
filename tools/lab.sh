#!/usr/bin/env bash
# The siplb lab: network namespaces joined by veth pairs to a bridge, with addresses only inside
# them. One namespace holds siplbd's DPDK port (net_af_packet on a veth), one the SIP clients, N
# the SIP servers. Nothing is created outside the namespaces.
#
#   tools/lab.sh up NAME SERVERS     create NAME-fab (bridge), NAME-lb, NAME-c, NAME-s1..sN
#                                    (and NAME-lbb with LAB_PAIR=1)
#   tools/lab.sh down NAME           remove every namespace of NAME (and what runs in them)
#   tools/lab.sh addr HOST           print the lab address of lb, c, s1, s2, ... (and lb2, lbb,
#                                    lbk, lbbk, vip: see below)
#
# Addresses (inside the namespaces only): 10.77.0.1 siplbd, 10.77.0.10 client, 10.77.0.11.. servers.
# With LAB_IPV6=1 the hosts also get fd77::1 (siplbd), fd77::10 (client), fd77::11.. (servers),
#   tools/lab.sh addr6 HOST          prints that address.
# With LAB_TWO_ARMED=1 the servers sit on a second bridge (br1) and subnet, 10.78.0.11.., which
# the client cannot reach: siplbd joins both, with a second veth "lb2" on br1 (its 10.78.0.1,
# `addr lb2`), as a balancer between a public and a private network does.
# With LAB_PAIR=1 (an HA pair of balancers) `up` also makes NAME-lbb, the second balancer, with
# its veth "lbb" on br0 as its DPDK port (10.77.0.2, `addr lbb`). Both balancer veths also carry a
# kernel address for the pair's own traffic (heartbeats, replication), next to the DPDK port:
# 10.77.0.201 on lb (`addr lbk`) and 10.77.0.202 on lbb (`addr lbbk`). The pair's virtual IP is
# 10.77.0.100 (`addr vip`). There the kernel answers ARP only for its own address on that veth
# (arp_ignore=1, arp_announce=2), so that only siplbd answers for 10.77.0.1, .2 and the VIP. The
# second balancer gets no "lb2" (LAB_TWO_ARMED) nor IPv6.
# NAME must be short (at most 8 characters): interface names are derived from it.
set -euo pipefail

subnet=10.77.0
server_subnet=$subnet
[ "${LAB_TWO_ARMED:-0}" = 1 ] && server_subnet=10.78.0
addr() {
  case "$1" in
    lb) echo "$subnet.1" ;;
    lb2) echo "$server_subnet.1" ;;
    lbb) echo "$subnet.2" ;;
    lbk) echo "$subnet.201" ;;
    lbbk) echo "$subnet.202" ;;
    vip) echo "$subnet.100" ;;
    c) echo "$subnet.10" ;;
    s*) echo "$server_subnet.$((10 + ${1#s}))" ;;
    *) echo "lab.sh: unknown host $1" >&2; return 1 ;;
  esac
}

addr6() {
  case "$1" in
    lb) echo "fd77::1" ;;
    c) echo "fd77::10" ;;
    s*) echo "fd77::$((10 + ${1#s}))" ;;
    *) echo "lab.sh: unknown host $1" >&2; return 1 ;;
  esac
}

up() {
  local name=$1 servers=$2
  [ "${#name}" -le 8 ] || { echo "lab.sh: NAME '$name' longer than 8 characters" >&2; exit 2; }
  ip netns add "$name-fab"
  ip -n "$name-fab" link add br0 type bridge
  ip -n "$name-fab" link set br0 up
  local server_bridge=br0
  if [ "${LAB_TWO_ARMED:-0}" = 1 ]; then
    server_bridge=br1
    ip -n "$name-fab" link add br1 type bridge
    ip -n "$name-fab" link set br1 up
  fi
  local hosts="lb c"
  [ "${LAB_PAIR:-0}" = 1 ] && hosts="lb lbb c"
  for i in $(seq 1 "$servers"); do hosts="$hosts s$i"; done
  for h in $hosts; do
    ip netns add "$name-$h"
    ip link add name "$h" netns "$name-$h" type veth peer name "p-$h" netns "$name-fab"
    local bridge=br0
    case "$h" in s*) bridge=$server_bridge ;; esac
    ip -n "$name-fab" link set "p-$h" master "$bridge" up
    ip -n "$name-$h" link set lo up
    # The kernel's IPv6 stays off where siplbd's DPDK port is, and elsewhere unless asked for.
    if [ "${LAB_IPV6:-0}" = 1 ] && [ "$h" != lb ] && [ "$h" != lbb ]; then
      ip netns exec "$name-$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=0
      ip netns exec "$name-$h" sysctl -qw net.ipv6.conf.default.accept_ra=0
    else
      ip netns exec "$name-$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    fi
    ip -n "$name-$h" link set "$h" up
    if [ "$h" != lb ] && [ "$h" != lbb ]; then
      ip -n "$name-$h" addr add "$(addr "$h")/24" dev "$h"
      if [ "${LAB_IPV6:-0}" = 1 ]; then ip -n "$name-$h" addr add "$(addr6 "$h")/64" dev "$h" nodad; fi
      # Frames leave a veth with the UDP checksum unfinished (offload); finish it in the kernel so
      # that what siplbd receives on its af_packet port carries a real checksum.
      ip netns exec "$name-$h" ethtool -K "$h" tx off >/dev/null 2>&1 || true
    fi
  done
  ip netns exec "$name-lb" ethtool -K lb tx off rx off >/dev/null 2>&1 || true
  if [ "${LAB_PAIR:-0}" = 1 ]; then
    local b
    for b in lb lbb; do
      # all: the kernel uses the larger of "all" and the interface's value for arp_ignore.
      ip netns exec "$name-$b" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
      ip netns exec "$name-$b" sysctl -qw "net.ipv4.conf.$b.arp_ignore=1" "net.ipv4.conf.$b.arp_announce=2"
      ip -n "$name-$b" addr add "$(addr "${b}k")/24" dev "$b"
    done
    ip netns exec "$name-lbb" ethtool -K lbb tx off rx off >/dev/null 2>&1 || true
  fi
  if [ "${LAB_TWO_ARMED:-0}" = 1 ]; then
    ip link add name lb2 netns "$name-lb" type veth peer name p-lb2 netns "$name-fab"
    ip -n "$name-fab" link set p-lb2 master br1 up
    ip netns exec "$name-lb" sysctl -qw net.ipv6.conf.lb2.disable_ipv6=1
    ip -n "$name-lb" link set lb2 up
    ip netns exec "$name-lb" ethtool -K lb2 tx off rx off >/dev/null 2>&1 || true
  fi
}

down() {
  local name=$1 ns
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$name-(fab|lb|lbb|c|s[0-9]+)$" || true); do
    # Stop whatever still runs inside, then remove the namespace (its veths go with it).
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.2
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
}

case "${1:-}" in
  up) up "$2" "${3:-3}" ;;
  down) down "$2" ;;
  addr) addr "$2" ;;
  addr6) addr6 "$2" ;;
  *) echo "usage: [LAB_IPV6=1] [LAB_TWO_ARMED=1] [LAB_PAIR=1] lab.sh up NAME SERVERS | down NAME | addr HOST | addr6 HOST" >&2; exit 2 ;;
esac
