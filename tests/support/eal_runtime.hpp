// EAL runtime folders of test programs (golden tests, fuzz targets): each run uses its own
// --file-prefix NAME-<pid>, removed at exit; a run that died first (a crash, a sanitizer abort, a
// fuzz finding) leaves /var/run/dpdk/NAME-<pid> behind, which the next run removes here.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace siplb::test_support {

// Removes /var/run/dpdk/<prefix><pid> for every pid whose process is gone.
inline void remove_stale_runtime_dirs(std::string_view prefix) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/var/run/dpdk", ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    std::string pid = name.substr(prefix.size());
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!std::filesystem::exists("/proc/" + pid, ec)) std::filesystem::remove_all(entry.path(), ec);
  }
}

}  // namespace siplb::test_support
