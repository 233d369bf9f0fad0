// Levenshtein distance between two short texts: for "did you mean ...?" suggestions on unknown
// configuration keys and API commands. Allocates one row; control-plane code, any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace siplb::text {

std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace siplb::text
