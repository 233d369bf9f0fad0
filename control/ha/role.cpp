// Names of roles and reasons, as logged and shown in status.
#include "role.hpp"

namespace siplb::control::ha {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::joining: return "joining";
    case Role::backup: return "backup";
    case Role::active: return "active";
    case Role::fault: return "fault";
  }
  return "unknown";
}

std::string_view reason_name(Reason reason) {
  switch (reason) {
    case Reason::startup: return "startup";
    case Reason::peer_dead: return "peer_dead";
    case Reason::peer_gave_way: return "peer_gave_way";
    case Reason::switchover: return "switchover";
    case Reason::split_brain_lost: return "split_brain_lost";
    case Reason::split_brain_won: return "split_brain_won";
    case Reason::unhealthy: return "unhealthy";
    case Reason::healthy_again: return "healthy_again";
  }
  return "unknown";
}

}  // namespace siplb::control::ha
