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
  if (config.registrar.enabled()) {
    // Subscribers are control's to load and attach (they reload on their own).
    const config::RegistrarConfig& rc = config.registrar;
    auto rules = std::make_shared<RegistrarRules>();
    for (const config::RegistrarDomainConfig& d : rc.domains) {
      RegistrarDomain domain;
      domain.name = d.name;
      domain.realm = d.realm.empty() ? d.name : d.realm;
      domain.auth = d.auth == config::AuthMode::all             ? RegistrarAuth::all
                    : d.auth == config::AuthMode::register_only ? RegistrarAuth::register_only
                                                                : RegistrarAuth::none;
      rules->domains.push_back(std::move(domain));
    }
    registrar::RegistrarSettings& rs = rules->settings;
    rs.default_expires = rc.default_expires;
    rs.min_expires = rc.min_expires;
    rs.max_expires = rc.max_expires;
    rs.min_expires_mode = rc.min_expires_mode == config::MinExpiresMode::raise ? registrar::MinExpiresMode::raise
                                                                                : registrar::MinExpiresMode::reply_423;
    rs.max_contacts = rc.max_contacts;
    rs.overflow_mode = rc.max_contacts_mode == config::MaxContactsMode::replace_oldest
                           ? registrar::OverflowMode::replace_oldest
                           : registrar::OverflowMode::reject;
    rules->offer_sha256 = rc.auth_sha256;
    rules->offer_md5 = rc.auth_md5;
    for (std::size_t si = 0; si < config.sets.size(); ++si)
      if (!rc.unregistered_set.empty() && config.sets[si].set.name == rc.unregistered_set)
        rules->unregistered_set = static_cast<int32_t>(si);
    snap->registrar = std::move(rules);
  }
  return snap;
}

}  // namespace siplb::dataplane
