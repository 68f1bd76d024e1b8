#ifndef TELEDERM_COMMON_BLOB_BLOB_STORE_H_
#define TELEDERM_COMMON_BLOB_BLOB_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace telederm {

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(absl::string_view bytes);
// True for 64 lower-case hex characters.
bool IsValidSha256Hex(absl::string_view text);

// Receives one blob's bytes. Nothing is visible in the store until Commit
// succeeds; a writer destroyed without Commit leaves nothing behind.
// Not thread-safe: one writer belongs to one upload.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  virtual absl::Status Append(absl::string_view bytes) = 0;
  virtual int64_t bytes_written() const = 0;
  struct Committed {
    std::string sha256;
    int64_t size_bytes = 0;
    bool already_stored = false;  // identical bytes were stored before
  };
  // Verifies the bytes hash to `expected_sha256` (INVALID_ARGUMENT otherwise, and
  // the bytes are discarded) and makes them visible under that digest.
  virtual absl::StatusOr<Committed> Commit(absl::string_view expected_sha256) = 0;
};
using BlobWriterPtr = std::unique_ptr<BlobWriter>;

// Content-addressed image storage: a blob's name is the SHA-256 of its bytes,
// so a stored blob never changes and the same image is stored once.
// Implementations are safe for concurrent use from many threads and processes.
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual absl::StatusOr<BlobWriterPtr> NewWriter() = 0;
  // The bytes, or an empty optional when no blob has that digest.
  virtual absl::StatusOr<std::optional<std::string>> Get(absl::string_view sha256) const = 0;
  // The size in bytes, or an empty optional when no blob has that digest.
  virtual absl::StatusOr<std::optional<int64_t>> Size(absl::string_view sha256) const = 0;
};
using BlobStorePtr = std::shared_ptr<BlobStore>;

// A blob store in a local directory: <root>/sha256/ab/<digest>, written through
// <root>/incoming/ and renamed into place after fsync. Creates the directories.
absl::StatusOr<BlobStorePtr> OpenDirectoryBlobStore(const std::string& root);

}  // namespace telederm

#endif  // TELEDERM_COMMON_BLOB_BLOB_STORE_H_
