#!/usr/bin/env bash
# Installs what siplb needs to build, test and benchmark on Debian 12, from Debian packages only.
# Idempotent: when every package is already installed it does nothing (not even apt-get update).
set -euo pipefail

packages=(
  # build
  build-essential pkg-config meson ninja-build
  # required libraries
  libdpdk-dev dpdk libjemalloc-dev librocksdb-dev
  libbenchmark-dev libgtest-dev libgmock-dev
  # control plane: event loop, JSON, siplbctl's command line, TOML
  libasio-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libssl-dev
  # DPDK virtual devices used in labs and tests
  libxdp-dev libbpf-dev libpcap-dev
  # comparison benchmark, fuzzing and sanitizers
  libosip2-dev clang libclang-rt-14-dev llvm
  # end-to-end tests
  sip-tester iproute2 procps ethtool
  # metrics format check (promtool), siplbctl --watch under a terminal
  prometheus tmux
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
