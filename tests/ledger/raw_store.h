// A closed ledger's RocksDB database opened directly, every column family,
// so that a test can read or rewrite what the store keeps (as an earlier
// build left it, or damaged).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <rocksdb/db.h>

namespace ecoledger::testing {

class RawStore {
 public:
  // read_only: looks without writing anything, not even a recovery of the log.
  enum class Mode { read_write, read_only };
  explicit RawStore(const std::string& dir, Mode mode = Mode::read_write) {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status opened = mode == Mode::read_only
                                       ? rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, descriptors, &families_, &raw)
                                       : rocksdb::DB::Open(rocksdb::Options(), dir, descriptors, &families_, &raw);
    REQUIRE_MESSAGE(opened.ok(), opened.ToString());
    db_.reset(raw);
  }
  ~RawStore() {
    for (auto* family : families_) db_->DestroyColumnFamilyHandle(family);
  }
  RawStore(const RawStore&) = delete;
  RawStore& operator=(const RawStore&) = delete;

  rocksdb::DB& db() { return *db_; }
  rocksdb::ColumnFamilyHandle* family(const std::string& name) {
    for (auto* family : families_)
      if (family->GetName() == name) return family;
    FAIL("no column family " << name);
    return nullptr;
  }
  // Every entry of a family, in key order.
  std::vector<std::pair<std::string, std::string>> entries(const std::string& name) {
    std::vector<std::pair<std::string, std::string>> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family(name)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key().ToString(), it->value().ToString());
    REQUIRE(it->status().ok());
    return out;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
};

}  // namespace ecoledger::testing
