// Snapshot construction: the configured sets with live destination states applied, flattened
// destination positions, and the Selector tables.
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "siplb/config/config.hpp"
#include "siplb/dataplane/snapshot.hpp"

namespace siplb::dataplane {

namespace {
// A maglev set keyed on something other than the Call-ID is the matching hash-* algorithm, which
// maps its key through the same Maglev table.
balance::Algorithm effective_algorithm(const config::SetConfig& s) {
  if (s.set.algorithm != balance::Algorithm::maglev) return s.set.algorithm;
  switch (s.hash_key) {
    case balance::HashKey::call_id: return balance::Algorithm::maglev;
    case balance::HashKey::from_uri: return balance::Algorithm::hash_from_uri;
    case balance::HashKey::to_uri: return balance::Algorithm::hash_to_uri;
    case balance::HashKey::request_uri: return balance::Algorithm::hash_request_uri;
    case balance::HashKey::auth_user: return balance::Algorithm::hash_auth_user;
  }
  return balance::Algorithm::maglev;
}
}  // namespace

std::unique_ptr<Snapshot> build_snapshot(const config::Config& config,
                                         const std::vector<balance::DestinationState>& states,
                                         uint64_t version, std::string* error) {
  auto snap = std::make_unique<Snapshot>();
  snap->version = version;
  std::vector<balance::DestinationSet> sets;
  balance::BuildOptions options;
  options.maglev_table_size = 0;
  options.resource_names = config.resource_names;
  uint16_t position = 0;
  for (std::size_t si = 0; si < config.sets.size(); ++si) {
    const config::SetConfig& sc = config.sets[si];
    balance::DestinationSet set = sc.set;
    set.algorithm = effective_algorithm(sc);
    snap->set_base.push_back(position);
    for (auto& d : set.destinations) {
      if (position < states.size()) d.state = states[position];
      DestinationInfo info;
      if (d.address.ip.is_v6()) {
        info.v6 = true;
        std::memcpy(info.ip6, d.address.ip.bytes.data(), 16);
      } else {
        info.ip_be = htonl(d.address.ip.v4_host_order());
      }
      info.port = d.address.port;
      info.set_position = static_cast<uint16_t>(si);
      info.state = d.state;
      info.uri = d.uri;
      snap->destinations.push_back(std::move(info));
      ++position;
    }
    options.maglev_table_size = std::max(options.maglev_table_size, sc.maglev_table_size);
    SetMatch match;
    for (sip::Method m : sc.match.methods) match.methods |= 1u << static_cast<unsigned>(m);
    match.domains = sc.match.domains;
    match.user_prefixes = sc.match.user_prefixes;
    snap->set_matches.push_back(std::move(match));
    sets.push_back(std::move(set));
  }
  if (options.maglev_table_size == 0) options.maglev_table_size = balance::BuildOptions{}.maglev_table_size;
  snap->selector = balance::Selector::build(sets, options, error);
  if (!snap->selector) return nullptr;
  snap->resource_names = config.resource_names;
  return snap;
}

}  // namespace siplb::dataplane
