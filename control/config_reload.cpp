// Reload compatibility (see config_reload.hpp).
#include "config_reload.hpp"

#include <algorithm>

namespace siplb::control {

bool prepare_reload(const config::Config& running, config::Config& next, std::string& error) {
  if (next.sets.size() != running.sets.size()) {
    error = "the number of sets changed (" + std::to_string(running.sets.size()) + " -> " +
            std::to_string(next.sets.size()) + "): restart siplbd to add or remove sets";
    return false;
  }
  for (std::size_t k = 0; k < running.sets.size(); ++k) {
    const auto& a = running.sets[k].set;
    const auto& b = next.sets[k].set;
    const std::string which = "set " + std::to_string(k + 1) + " (line " + std::to_string(next.sets[k].line) + ")";
    if (a.id != b.id) {
      error = which + ": id changed (" + std::to_string(a.id) + " -> " + std::to_string(b.id) +
              "): restart siplbd to change set ids";
      return false;
    }
    if (a.destinations.size() != b.destinations.size()) {
      error = which + ": " + std::to_string(b.destinations.size()) + " destinations instead of " +
              std::to_string(a.destinations.size()) + ": restart siplbd to add or remove destinations";
      return false;
    }
    for (std::size_t d = 0; d < a.destinations.size(); ++d) {
      // A free position (control/destination_layout.hpp: no URI, no address) may take one.
      const bool free_slot = a.destinations[d].uri.empty() && a.destinations[d].address.port == 0;
      if (!free_slot && !(a.destinations[d].address == b.destinations[d].address)) {
        error = which + " destination " + std::to_string(d + 1) + ": address changed (" + a.destinations[d].uri +
                " -> " + b.destinations[d].uri + "): restart siplbd to change destinations";
        return false;
      }
    }
  }
  // The binding table is sized and made at start: serving domains (or not) and its size stay.
  const auto& ra = running.registrar;
  const auto& rb = next.registrar;
  const std::string registrar_line = "[registrar] (line " + std::to_string(rb.line) + ")";
  if (ra.enabled() != rb.enabled()) {
    error = std::string(rb.enabled() ? "[registrar] was added" : "[registrar] was removed") +
            ": restart siplbd so that it makes or drops the binding table";
    return false;
  }
  if (rb.enabled() && (ra.aors != rb.aors || ra.contacts != rb.contacts)) {
    error = registrar_line + ": aors/contacts changed (" + std::to_string(ra.aors) + "/" + std::to_string(ra.contacts) +
            " -> " + std::to_string(rb.aors) + "/" + std::to_string(rb.contacts) +
            "): restart siplbd to resize the binding table";
    return false;
  }
  if (next.uses_least_loaded() && !running.uses_least_loaded()) {
    error = "a set became least-loaded: restart siplbd so that it allocates the dialog table";
    return false;
  }
  // Keep the running LoadBoard columns; append new resource names.
  std::vector<std::string> names = running.resource_names;
  for (const std::string& r : next.resource_names)
    if (std::find(names.begin(), names.end(), r) == names.end()) names.push_back(r);
  if (names.size() > balance::kMaxResources) {
    error = "the running and new configurations name " + std::to_string(names.size()) +
            " resources together (at most " + std::to_string(balance::kMaxResources) + "): restart siplbd";
    return false;
  }
  next.resource_names = std::move(names);
  return true;
}

}  // namespace siplb::control
