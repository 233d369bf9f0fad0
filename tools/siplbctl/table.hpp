// Aligned text tables for siplbctl's human output: a header row in capitals, columns padded to
// their widest cell, two spaces between columns, numbers right-aligned. Plain value type.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace siplbctl {

enum class Align { left, right };

struct Column {
  std::string header;
  Align align = Align::left;
};

class Table {
 public:
  explicit Table(std::vector<Column> columns);

  // Missing cells print empty; extra cells are dropped.
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }

  // The header, then one line per row; no trailing spaces.
  void print(std::ostream& out) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace siplbctl
