// Loader of OpenSIPS/Kamailio dispatcher.list files into DestinationSets, so that an existing
// dispatcher configuration moves to siplb unchanged. Control plane only (start-up and reload);
// allocates; reads the file with ordinary blocking I/O.
//
// The format, one destination a line (Kamailio dispatcher module, "list_file"):
//
//     # comment            (a line whose first non-blank character is '#'; blank lines too)
//     setid destination [flags [priority [attrs]]]   [# comment]
//
// Fields are separated by blanks (spaces, tabs); a field that starts with '#' begins a comment to
// the end of the line, as Kamailio reads it. Anything else after attrs is an error.
//   setid        decimal, 0..4294967295; lines with the same setid form one DestinationSet
//   destination  sip:[user@]host[:port][;params], host a numeric IPv4 address or a bracketed
//                IPv6 address (siplb never resolves names), port 1..65535 (default 5060); a
//                transport= parameter other than udp is refused (siplb forwards over UDP)
//   flags        decimal bit set as Kamailio defines it: 1 inactive, 2 trying, 4 disabled,
//                8 probing, 16 no DNS resolution (meaningless here, accepted); other bits refused
//   priority     decimal (siplb also accepts a leading '-'); higher priority takes traffic first
//   attrs        one blank-free field kept verbatim in Destination::attrs: ';'-separated
//                name=value pairs of which siplb reads weight=N (0..65535, default 1)
//
// State from flags: 4 -> disabled, else 1 -> inactive, else 2 -> probing, else active.
// Probing: siplb probes every destination that is not disabled by default, as Kamailio does with
// ds_probing_mode=1, so flag 8 changes nothing; with probe_all = false only destinations with
// flag 8 are probed (ds_probing_mode=0). Weights are relative shares (Kamailio's percentages that
// add up to 100 give the same split). A destination URI given twice in one set is an error.
// Sets come out in ascending setid order, destinations in file order, name = the setid in decimal.
//
// The same file may instead be a db_text table (OpenSIPS and Kamailio keep their dispatcher table
// so), recognised by its first line, a header of "name(type[,flags])" columns separated by blanks,
// e.g. "id(int,auto) setid(int) destination(string) socket(string,null) state(int) weight(int)
// priority(int) attrs(string) description(string)". Each following line is a row: fields
// separated by ':' ("\:" a colon, "\\" "\n" "\r" "\t" escapes, 'quoted' strings), "null" or an
// empty field no value. Columns are found by name, in any order: setid and destination are
// required; priority and attrs as above; OpenSIPS' state (0 active, 1 inactive, 2 probing),
// probe_mode (1: always probed), weight (a number: also OpenSIPS 3.x's string weight; a dynamic
// "fs://" source is refused) and socket (returned for the caller to check against its
// interfaces); Kamailio's flags as above; id, description and unknown columns are ignored. Errors
// name the line and the column ("column 6 (weight): ...").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "siplb/balance/destination.hpp"

namespace siplb::balance {

struct DispatcherListOptions {
  Algorithm algorithm = Algorithm::maglev;  // for every set (the list has no algorithm column)
  bool probe_all = true;                    // false: probe only destinations with flag 8
};

struct DispatcherListError {
  std::string source;  // the name given (the path for load_dispatcher_list)
  uint32_t line = 0;   // 1-based; 0 when the error concerns the whole file (cannot be read)
  std::string reason;
  // "source:line: reason", or "source: reason" when line is 0.
  std::string message() const;
};

struct DispatcherList {
  std::vector<DestinationSet> sets;  // empty when error is set: nothing partial
  // db_text rows with a socket column: which local socket the row names, for the caller to check.
  struct Socket {
    uint32_t set_id = 0;
    std::string uri;
    std::string socket;  // as written, e.g. "udp:10.0.0.1:5060"
    uint32_t line = 0;
  };
  std::vector<Socket> sockets;
  std::optional<DispatcherListError> error;
  bool ok() const { return !error.has_value(); }
};

// Parses dispatcher.list text; `source_name` names it in errors. Stops at the first error.
DispatcherList parse_dispatcher_list(std::string_view text, std::string_view source_name,
                                     const DispatcherListOptions& options = {});

// Reads and parses the file at `path` (errors name the path).
DispatcherList load_dispatcher_list(const std::string& path, const DispatcherListOptions& options = {});

}  // namespace siplb::balance
