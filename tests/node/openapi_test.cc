// schemas/openapi.json cannot drift from the handler: every route name the
// handler can give (each is a string literal in node/handler.cc, the pattern
// its metrics are labelled with) is a documented path; every documented
// operation is routed by the handler under that very pattern, and a method it
// does not document is refused with 405; every $ref, in openapi.json and in
// the schema files it reaches, names an existing file and a member in it; and
// every schema in schemas/api/ is reached.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "node/handler.h"
#include "node/limits.h"
#include "tests/ledger/test_support.h"

namespace ecoledger::node {
namespace {

namespace fs = std::filesystem;
using json::Json;

const fs::path source_dir = ECOLEDGER_SOURCE_DIR;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Json read_json(const fs::path& path) {
  Json doc = Json::parse(read_text(path), nullptr, false);
  REQUIRE_MESSAGE(!doc.is_discarded(), path.string() << " is not JSON");
  return doc;
}

// The route patterns named in the handler's source.
std::set<std::string> handler_route_names() {
  std::string text = read_text(source_dir / "node" / "handler.cc");
  std::regex literal("\"(/healthz|/metrics|/v1/[A-Za-z0-9_./{}-]*)\"");
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), literal), end; it != end; ++it) out.insert((*it)[1].str());
  return out;
}

// Every {"$ref": ...} in doc, as (file, ref).
void collect_refs(const Json& doc, std::vector<std::string>& refs) {
  if (doc.is_object()) {
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if (it.key() == "$ref" && it->is_string()) refs.push_back(it->get<std::string>());
      else collect_refs(*it, refs);
    }
  } else if (doc.is_array()) {
    for (const Json& item : doc) collect_refs(item, refs);
  }
}

TEST_CASE("openapi.json documents every route the handler serves, and only those") {
  Json api = read_json(source_dir / "schemas" / "openapi.json");
  CHECK(api["openapi"].get<std::string>().starts_with("3.1"));
  const Json& paths = api["paths"];
  REQUIRE(paths.is_object());

  std::set<std::string> names = handler_route_names();
  CHECK(names.size() >= 20);
  for (const auto& name : names) {
    CAPTURE(name);
    CHECK(paths.contains(name));
  }

  testing::TestLedger t;
  Metrics metrics;
  Context context{*t.ledger, t.node, HandlerConfig{limits::json_depth_max, 4, 3}, &metrics, nullptr};
  for (auto it = paths.begin(); it != paths.end(); ++it) {
    const std::string& pattern = it.key();
    CAPTURE(pattern);
    CHECK(names.contains(pattern));
    // A concrete target: each {param} becomes a sample id.
    std::string target = std::regex_replace(pattern, std::regex("\\{[a-z]+\\}"), "x1");
    for (const char* method : {"GET", "POST"}) {
      CAPTURE(method);
      std::string lower = method;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string name;
      Routed routed = route(Request{method, target, "application/json", "{}"}, context, name);
      const Response* response = std::get_if<Response>(&routed);
      if (it->contains(lower)) {
        CHECK(name == pattern);
        if (response != nullptr) {
          CHECK(response->status != 405);
          CHECK(response->body.find("\"not_found\"") == std::string::npos);
        }
        // Every documented answer is a refusal in wire/error.schema.json or the 200.
        const Json& responses = it->at(lower).at("responses");
        CHECK(responses.contains("200"));
        for (auto r = responses.begin(); r != responses.end(); ++r) {
          CAPTURE(r.key());
          CHECK((r.key() == "200" || r.value().contains("$ref") ||
                 r.value().value(Json::json_pointer("/content/application~1json/schema/$ref"), "") == "wire/error.schema.json"));
        }
      } else {
        REQUIRE(response != nullptr);
        CHECK(response->status == 405);
      }
    }
  }
}

TEST_CASE("every $ref of openapi.json and of the schemas it reaches resolves") {
  const fs::path schemas = source_dir / "schemas";
  std::vector<fs::path> pending = {schemas / "openapi.json"};
  std::set<fs::path> seen;
  while (!pending.empty()) {
    fs::path file = fs::weakly_canonical(pending.back());
    pending.pop_back();
    if (!seen.insert(file).second) continue;
    Json doc = read_json(file);
    std::vector<std::string> refs;
    collect_refs(doc, refs);
    for (const std::string& ref : refs) {
      CAPTURE(file.string());
      CAPTURE(ref);
      auto hash = ref.find('#');
      std::string target_file = ref.substr(0, hash);
      std::string pointer = hash == std::string::npos ? "" : ref.substr(hash + 1);
      CHECK_FALSE(target_file.starts_with("http"));  // relative references only: they resolve in a checkout
      fs::path target = target_file.empty() ? file : fs::weakly_canonical(file.parent_path() / target_file);
      REQUIRE_MESSAGE(fs::exists(target), target.string() << " does not exist");
      if (!pointer.empty()) {
        Json referenced = target == file ? doc : read_json(target);
        CHECK_MESSAGE(referenced.contains(Json::json_pointer(pointer)), pointer << " is not in " << target.string());
      }
      if (target != file) pending.push_back(target);
    }
  }
  // Every API schema is used by the description.
  for (const auto& entry : fs::directory_iterator(schemas / "api")) {
    CAPTURE(entry.path().string());
    CHECK(seen.contains(fs::weakly_canonical(entry.path())));
  }
  CHECK(seen.size() > 20);
}

}  // namespace
}  // namespace ecoledger::node
