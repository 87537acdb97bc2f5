// CSV forms of the pledge and stress reports: one row per pledge, loan and
// scenario × loan, fields matching the JSON report, quoting, same bytes twice.
#include "valuation/collateral.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace v = ecoledger::valuation;

namespace {

nlohmann::json load(const std::string& path) {
  std::ifstream in(std::string(ECOLEDGER_SOURCE_DIR) + "/" + path);
  std::stringstream s;
  s << in.rdbuf();
  auto doc = nlohmann::json::parse(s.str(), nullptr, false);
  REQUIRE(!doc.is_discarded());
  return doc;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("report csv: pledge and stress rows match the JSON reports") {
  auto table = v::collateral_table_from_json(load("valuation/data/collateral_default.json"));
  auto scenarios = v::stress_scenarios_from_json(load("valuation/data/collateral_default.json"));
  auto book = v::pledge_book_from_json(load("valuation/examples/pledge_book.json"));
  REQUIRE(table);
  REQUIRE(scenarios);
  REQUIRE(book);
  auto report = v::value_pledge_book(*book, *table);
  REQUIRE(report);
  auto csv = lines_of(v::pledge_report_to_csv(*report));
  REQUIRE(csv.size() == 1 + report->pledges.size() + report->loans.size());
  CHECK(csv[1] == "pledge,L2,P1,PRT,SO2,485200,141900,11,365,68849880,200,55079904,,,");
  CHECK(csv[3] == "loan,L1,,,,,,,,,,7317600,500000000,14,liquidation");
  for (const auto& line : csv) CHECK(std::count(line.begin(), line.end(), ',') == 14);

  auto stress = v::stress_test(*book, *table, *scenarios);
  REQUIRE(stress);
  auto rows = lines_of(v::stress_report_to_csv(*stress));
  REQUIRE(rows.size() == 1 + scenarios->size() * report->loans.size());
  auto json = v::stress_report_to_json(*stress);
  for (std::size_t s = 0; s < scenarios->size(); ++s)
    for (std::size_t l = 0; l < report->loans.size(); ++l) {
      const auto& j = json["scenarios"][s]["loans"][l];
      const std::string expected = json["scenarios"][s]["name"].get<std::string>() + "," + j["loan_id"].get<std::string>() + "," +
                                   std::to_string(j["coverage_before_permille"].get<std::int64_t>()) + "," +
                                   std::to_string(j["coverage_after_permille"].get<std::int64_t>()) + "," +
                                   j["status_before"].get<std::string>() + "," + j["status_after"].get<std::string>() + "," +
                                   (j["breach"].get<bool>() ? "true" : "false");
      CHECK(rows[1 + s * report->loans.size() + l] == expected);
    }
  CHECK(v::stress_report_to_csv(*stress) == v::stress_report_to_csv(*v::stress_test(*book, *table, *scenarios)));
}

TEST_CASE("report csv: fields holding commas or quotes are quoted") {
  v::PledgeReport report{"2025-01-01", "t", 1, {}, {{"loan \"A\", east", 100, 50, 500, "liquidation"}}};
  auto csv = lines_of(v::pledge_report_to_csv(report));
  REQUIRE(csv.size() == 2);
  CHECK(csv[1] == "loan,\"loan \"\"A\"\", east\",,,,,,,,,,50,100,500,liquidation");
}
