// The operator's overlay on the configured destinations (see destination_overlay.hpp).
#include "destination_overlay.hpp"

#include <nlohmann/json.hpp>

namespace siplb::control {
namespace {

using Json = nlohmann::json;

std::optional<balance::DestinationState> state_from_name(std::string_view name) {
  for (auto s : {balance::DestinationState::active, balance::DestinationState::inactive,
                 balance::DestinationState::probing, balance::DestinationState::disabled})
    if (balance::state_name(s) == name) return s;
  return std::nullopt;
}

uint32_t capacity_of(const balance::Destination& d, const std::string& resource) {
  for (const auto& c : d.capacities)
    if (c.resource == resource) return c.max;
  return 0;
}

std::string capacities_text(const balance::Destination& d) {
  std::string out;
  for (const auto& c : d.capacities) out += (out.empty() ? "" : ";") + c.resource + "=" + std::to_string(c.max);
  return out;
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string DestinationOverlay::key(uint32_t set, const std::string& uri) { return std::to_string(set) + " " + uri; }

void DestinationOverlay::load(const std::vector<std::pair<std::string, std::string>>& records,
                              std::vector<std::string>& skipped) {
  for (const auto& [k, value] : records) {
    Json j = Json::parse(value, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      skipped.push_back(k);
      continue;
    }
    DestinationOverride o;
    bool ok = true;
    if (j.contains("state")) {
      const auto s = j["state"].is_string() ? state_from_name(j["state"].get<std::string>()) : std::nullopt;
      ok = ok && s.has_value();
      o.state = s;
    }
    if (j.contains("weight")) {
      ok = ok && j["weight"].is_number_unsigned() && j["weight"].get<uint64_t>() <= 65535;
      if (ok) o.weight = static_cast<uint16_t>(j["weight"].get<uint64_t>());
    }
    if (j.contains("priority")) {
      ok = ok && j["priority"].is_number_integer();
      if (ok) o.priority = j["priority"].get<int32_t>();
    }
    if (j.contains("capacity")) {
      ok = ok && j["capacity"].is_object();
      if (ok)
        for (const auto& [res, v] : j["capacity"].items()) {
          ok = ok && v.is_number_unsigned();
          if (ok) o.capacity[res] = v.get<uint32_t>();
        }
    }
    for (const char* flag : {"drained", "added", "removed"}) {
      if (!j.contains(flag)) continue;
      ok = ok && j[flag].is_boolean();
      if (!ok) break;
      const bool v = j[flag].get<bool>();
      if (std::string_view(flag) == "drained") o.drained = v;
      if (std::string_view(flag) == "added") o.added = v;
      if (std::string_view(flag) == "removed") o.removed = v;
    }
    if (!ok) {
      skipped.push_back(k);
      continue;
    }
    overrides_[k] = std::move(o);
  }
}

const DestinationOverride* DestinationOverlay::find(uint32_t set, const std::string& uri) const {
  auto it = overrides_.find(key(set, uri));
  return it == overrides_.end() ? nullptr : &it->second;
}

DestinationOverride& DestinationOverlay::at(uint32_t set, const std::string& uri) { return overrides_[key(set, uri)]; }

void DestinationOverlay::erase(uint32_t set, const std::string& uri) { overrides_.erase(key(set, uri)); }

std::string DestinationOverlay::record(uint32_t set, const std::string& uri) const {
  const DestinationOverride* o = find(set, uri);
  if (!o || o->empty()) return {};
  Json j = Json::object();
  if (o->state) j["state"] = std::string(balance::state_name(*o->state));
  if (o->weight) j["weight"] = *o->weight;
  if (o->priority) j["priority"] = *o->priority;
  if (!o->capacity.empty()) j["capacity"] = o->capacity;
  if (o->drained) j["drained"] = true;
  if (o->added) j["added"] = true;
  if (o->removed) j["removed"] = true;
  return j.dump();
}

bool DestinationOverlay::drained(uint32_t set, const std::string& uri) const {
  const DestinationOverride* o = find(set, uri);
  return o && o->drained;
}

config::Config DestinationOverlay::apply(const config::Config& file, std::vector<std::string>* stale) const {
  config::Config out = file;
  std::map<std::string, bool> used;
  for (auto& sc : out.sets) {
    // The operator's removals and additions first; the overrides below apply to both kinds.
    std::erase_if(sc.set.destinations, [&](const balance::Destination& d) {
      const DestinationOverride* o = find(sc.set.id, d.uri);
      if (o && o->removed) used[key(sc.set.id, d.uri)] = true;
      return o && o->removed;
    });
    for (const auto& [k, o] : overrides_) {
      if (!o.added || k.compare(0, k.find(' '), std::to_string(sc.set.id)) != 0) continue;
      balance::Destination d;
      d.uri = k.substr(k.find(' ') + 1);
      std::string reason;
      bool present = false;
      for (const auto& existing : sc.set.destinations) present |= existing.uri == d.uri;
      if (present || !config::parse_destination_uri(d.uri, d.address, reason)) continue;  // stale
      sc.set.destinations.push_back(std::move(d));
    }
    for (auto& d : sc.set.destinations) {
      const DestinationOverride* o = find(sc.set.id, d.uri);
      if (!o) continue;
      used[key(sc.set.id, d.uri)] = true;
      if (o->state) d.state = *o->state;
      if (o->weight) d.weight = *o->weight;
      if (o->priority) d.priority = *o->priority;
      for (const auto& [res, max] : o->capacity) {
        bool found = false;
        for (auto& c : d.capacities)
          if (c.resource == res) {
            c.max = max;
            found = true;
          }
        // A resource the set holds but the file gave this destination no capacity for.
        if (!found) {
          bool set_has = false;
          for (const auto& r : sc.set.resources) set_has |= r == res;
          if (set_has) d.capacities.push_back({res, max});
          else if (stale) stale->push_back(key(sc.set.id, d.uri) + " capacity." + res);
        }
      }
    }
  }
  if (stale)
    for (const auto& [k, o] : overrides_)
      if (!used.count(k)) stale->push_back(k);
  return out;
}

std::vector<OverlayChange> DestinationOverlay::diff(const config::Config& file) const {
  std::vector<OverlayChange> out;
  for (const auto& sc : file.sets)
    for (const auto& d : sc.set.destinations) {
      const DestinationOverride* o = find(sc.set.id, d.uri);
      if (!o) continue;
      auto add = [&](std::string field, Json config, Json running) {
        if (config != running) out.push_back({sc.set.id, d.uri, std::move(field), config.dump(), running.dump()});
      };
      if (o->state)
        add("state", std::string(balance::state_name(d.state)), std::string(balance::state_name(*o->state)));
      if (o->weight) add("weight", d.weight, *o->weight);
      if (o->priority) add("priority", d.priority, *o->priority);
      for (const auto& [res, max] : o->capacity) add("capacity." + res, capacity_of(d, res), max);
      if (o->drained) add("drained", false, true);
      if (o->removed) add("removed", false, true);
    }
  for (const auto& [k, o] : overrides_)
    if (o.added) {
      const auto space = k.find(' ');
      out.push_back({static_cast<uint32_t>(std::stoul(k.substr(0, space))), k.substr(space + 1), "added", "false", "true"});
    }
  return out;
}

std::string export_sets_toml(const config::Config& running, const std::vector<balance::DestinationState>& states) {
  std::string out = "# Destination sets as siplbd runs them (siplbctl dest export)\n";
  std::size_t position = 0;
  for (const auto& sc : running.sets) {
    out += "\n[[set]]\nid = " + std::to_string(sc.set.id) + "\n";
    if (!sc.set.name.empty()) out += "name = " + toml_string(sc.set.name) + "\n";
    out += "algorithm = " + toml_string(std::string(balance::algorithm_name(sc.set.algorithm))) + "\n";
    if (sc.set.algorithm == balance::Algorithm::maglev)
      out += "hash_key = " + toml_string(std::string(config::hash_key_text(sc.hash_key))) + "\n";
    if (sc.set.algorithm == balance::Algorithm::least_loaded) {
      out += "resources = [";
      for (std::size_t r = 0; r < sc.set.resources.size(); ++r)
        out += (r ? ", " : "") + toml_string(sc.set.resources[r]);
      out += "]\n";
    }
    for (const auto& d : sc.set.destinations) {
      const auto state = position < states.size() ? states[position] : d.state;
      ++position;
      if (d.uri.empty()) continue;  // a free or removed position (destination_layout.hpp)
      out += "\n[[set.destination]]\nuri = " + toml_string(d.uri) + "\n";
      out += "weight = " + std::to_string(d.weight) + "\npriority = " + std::to_string(d.priority) + "\n";
      out += "state = " + toml_string(std::string(balance::state_name(state))) + "\n";
      if (!d.probe) out += "probe = false\n";
      if (!d.attrs.empty()) out += "attrs = " + toml_string(d.attrs) + "\n";
      if (!d.capacities.empty()) out += "capacity = " + toml_string(capacities_text(d)) + "\n";
    }
  }
  return out;
}

std::string export_dispatcher_list(const config::Config& running,
                                   const std::vector<balance::DestinationState>& states) {
  // Kamailio dispatcher flags: 1 inactive, 4 disabled, 8 probing (active: 0).
  std::string out = "# setid destination flags priority attrs (siplbctl dest export --format dispatcher.list)\n";
  std::size_t position = 0;
  for (const auto& sc : running.sets)
    for (const auto& d : sc.set.destinations) {
      const auto state = position < states.size() ? states[position] : d.state;
      ++position;
      if (d.uri.empty()) continue;  // a free or removed position (destination_layout.hpp)
      int flags = 0;
      if (state == balance::DestinationState::inactive) flags = 1;
      if (state == balance::DestinationState::disabled) flags = 4;
      if (state == balance::DestinationState::probing) flags = 8;
      std::string attrs = "weight=" + std::to_string(d.weight);
      if (!d.capacities.empty()) {
        // maxload= is one capacity for every resource: only exact when there is one.
        attrs += ";maxload=" + std::to_string(d.capacities.front().max);
      }
      out += std::to_string(sc.set.id) + " " + d.uri + " " + std::to_string(flags) + " " +
             std::to_string(d.priority) + " " + attrs + "\n";
    }
  return out;
}

namespace {
// A db_text field: ':' and '\\' and line breaks escaped; no value is "null".
std::string db_text_field(const std::string& value) {
  if (value.empty()) return "null";
  std::string out;
  for (char c : value) {
    if (c == ':' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out;
}
}  // namespace

std::string export_db_text(const config::Config& running, const std::vector<balance::DestinationState>& states) {
  std::string out =
      "id(int,auto) setid(int) destination(string) socket(string,null) state(int) probe_mode(int) "
      "weight(string) priority(int) attrs(string,null) description(string,null)\n";
  std::size_t position = 0;
  unsigned id = 0;
  for (const auto& sc : running.sets)
    for (const auto& d : sc.set.destinations) {
      const auto state = position < states.size() ? states[position] : d.state;
      ++position;
      if (d.uri.empty()) continue;  // a free or removed position (destination_layout.hpp)
      const int opensips_state = state == balance::DestinationState::probing ? 2
                                 : state == balance::DestinationState::active ? 0
                                                                              : 1;
      const bool probed = d.probe && state != balance::DestinationState::disabled;
      std::string attrs = d.attrs;
      if (!d.capacities.empty() && attrs.find("maxload=") == std::string::npos)
        attrs += (attrs.empty() ? "" : ";") + std::string("maxload=") + std::to_string(d.capacities.front().max);
      out += std::to_string(++id) + ":" + std::to_string(sc.set.id) + ":" + db_text_field(d.uri) + ":null:" +
             std::to_string(opensips_state) + ":" + (probed ? "1" : "0") + ":" + std::to_string(d.weight) + ":" +
             std::to_string(d.priority) + ":" + db_text_field(attrs) + ":" +
             db_text_field(state == balance::DestinationState::disabled ? "disabled in siplb" : "") + "\n";
    }
  return out;
}

}  // namespace siplb::control
