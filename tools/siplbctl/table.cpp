// Aligned text tables (see table.hpp).
#include "table.hpp"

#include <algorithm>

namespace siplbctl {

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    widths[c] = columns_[c].header.size();
    for (const auto& row : rows_) widths[c] = std::max(widths[c], row[c].size());
  }
  auto print_line = [&](auto cell_of) {
    std::string line;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      const std::string& cell = cell_of(c);
      std::string padding(widths[c] - cell.size(), ' ');
      if (c > 0) line += "  ";
      if (columns_[c].align == Align::right) {
        line += padding + cell;
      } else {
        line += cell + padding;
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  print_line([&](std::size_t c) -> const std::string& { return columns_[c].header; });
  for (const auto& row : rows_) print_line([&](std::size_t c) -> const std::string& { return row[c]; });
}

}  // namespace siplbctl
