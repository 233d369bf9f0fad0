// Human output of siplbctl: each command's result (docs/API.md has the schemas) as key/value lines
// or aligned tables. Renderers are lenient: a missing or null field prints "-", so a siplbd that
// is newer or older than this siplbctl still shows what it can. Pure functions; main thread.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>

namespace siplbctl {

using Json = nlohmann::json;

void render_status(const Json& status, std::ostream& out);
// `previous` and `elapsed_s`: the sample before this one in --watch mode, for per-second rates.
void render_stats(const Json& stats, std::ostream& out, const Json* previous = nullptr, double elapsed_s = 0);
void render_destination_list(const Json& list, std::ostream& out);
void render_destination(const Json& destination, std::ostream& out);
void render_destination_removed(const Json& removed, std::ostream& out);
void render_destination_diff(const Json& diff, std::ostream& out);
void render_destination_export(const Json& exported, std::ostream& out);
// OpenSIPS lb_status without a new status: "URI: enabled" or "URI: disabled", with the state.
void render_destination_enabled(const Json& destination, std::ostream& out);
void render_hash(const Json& hash, std::ostream& out);
void render_dialog_count(const Json& count, std::ostream& out);
void render_dialog_list(const Json& list, std::ostream& out);
void render_dialog(const Json& dialog, std::ostream& out);
void render_dialog_ended(const Json& ended, std::ostream& out);
void render_reload(const Json& reload, std::ostream& out);
void render_ha_status(const Json& status, std::ostream& out);
void render_peer_status(const Json& status, std::ostream& out);
void render_ha_switchover(const Json& result, std::ostream& out);
void render_log_level(const Json& level, std::ostream& out);
// Registrar: reg.lookup and reg.add (contacts in call order), reg.show (every field of every
// contact), reg.list, reg.rm, reg.count, reg.import; subscribers.reload.
void render_aor_contacts(const Json& aor, std::ostream& out);
void render_aor_show(const Json& aor, std::ostream& out);
void render_binding_list(const Json& list, std::ostream& out);
void render_bindings_removed(const Json& removed, std::ostream& out);
void render_binding_count(const Json& count, std::ostream& out);
void render_binding_import(const Json& imported, std::ostream& out);
void render_subscribers_reloaded(const Json& reloaded, std::ostream& out);

// A duration for people: "12.3s", "5m12s", "3h05m", "2d03h".
std::string duration_text(double seconds);

}  // namespace siplbctl
