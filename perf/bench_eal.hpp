// EAL for the benchmarks: started once per process with no hugepages, no PCI and no telemetry,
// on the lcores given; its runtime folder (/var/run/dpdk/<prefix>) is removed at exit.
#pragma once

#include <rte_eal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace siplb::perf {

inline bool eal_ready(const std::string& name, const std::string& memory_mb, const std::string& lcores) {
  static const bool ready = [&] {
    std::string prefix = "--file-prefix=siplb-" + name + "-" + std::to_string(getpid());
    std::vector<std::string> args = {"bench", "--no-huge", "-m", memory_mb, "--no-pci", "--no-telemetry",
                                     "--log-level=lib.eal:error", "--log-level=user1:warning", prefix,
                                     "-l", lcores};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0) return false;
    std::atexit([] {
      std::string dir = rte_eal_get_runtime_dir();
      rte_eal_cleanup();
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    });
    return true;
  }();
  return ready;
}

}  // namespace siplb::perf
