#ifndef TELEDERM_COMMON_BLOB_BLOB_STORE_H_
#define TELEDERM_COMMON_BLOB_BLOB_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

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

// An upload that survives the process, a dropped connection and a restart:
// its bytes are appended to a part file that is never visible as a blob
// until Commit. Append returns once the kernel holds the bytes, so a crash of
// the service loses none and size() is an offset the uploader can resume from;
// they reach the disk every few MiB, when the holder lets go and before Commit
// (after a crash of the machine the digest check catches a damaged tail).
// Holding a PartialBlob holds an exclusive lock on it (across processes);
// destroying it releases the lock and keeps the bytes for a later resume.
// Not thread-safe: one holder at a time.
class PartialBlob {
 public:
  virtual ~PartialBlob() = default;
  virtual int64_t size() const = 0;
  virtual absl::Status Append(absl::string_view bytes) = 0;
  virtual absl::StatusOr<std::string> ReadAll() const = 0;
  // Lower-case hex SHA-256 of the bytes held, without reading back what this
  // holder appended (they are hashed as they arrive). Commit uses the same
  // digest, so an upload is hashed once.
  virtual absl::StatusOr<std::string> Sha256() = 0;
  // As BlobWriter::Commit; afterwards (and after a digest mismatch) the
  // partial upload is gone.
  virtual absl::StatusOr<BlobWriter::Committed> Commit(absl::string_view expected_sha256) = 0;
  // Deletes the bytes: the next OpenPartial of the name starts empty.
  virtual absl::Status Discard() = 0;
};
using PartialBlobPtr = std::unique_ptr<PartialBlob>;

struct PartialBlobInfo {
  int64_t size_bytes = 0;
  absl::Time last_write;
};

// A variant made from a blob (a thumbnail), with the SHA-256 of its bytes as
// recorded when it was stored, so that a reader can tell whether the bytes
// are still the ones that were made.
struct DerivedBlob {
  std::string bytes;
  std::string recorded_sha256;
};

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

  // Partial uploads, by a name of 1..64 characters of [a-z0-9-] the caller
  // chooses. OpenPartial creates it when missing; ABORTED when another holder
  // (in any process) has it open.
  virtual absl::StatusOr<PartialBlobPtr> OpenPartial(absl::string_view name) {
    return absl::UnimplementedError("this blob store has no resumable uploads");
  }
  // Its size and last write, or an empty optional when there is none.
  virtual absl::StatusOr<std::optional<PartialBlobInfo>> StatPartial(absl::string_view name) const {
    return std::optional<PartialBlobInfo>();
  }
  // Deletes partial uploads (and the leftovers of writers that died) last
  // written before `cutoff`, except those open right now. Returns how many.
  virtual absl::StatusOr<int> RemoveStalePartials(absl::Time cutoff) { return 0; }

  // Derived variants of a blob, kept beside it: `variant` names what was made
  // (1..32 characters of [a-z0-9.], e.g. "thumb256.jpg"). PutDerived records
  // SHA-256(bytes) with them and replaces an earlier copy atomically, so that
  // a reader sees one whole copy or none, also when several threads or
  // processes store the same variant at once. GetDerived answers the bytes
  // as stored and the recorded digest, without checking one against the
  // other (the reader decides what a mismatch means), or an empty optional
  // when none was stored. INVALID_ARGUMENT for a malformed digest or name.
  virtual absl::Status PutDerived(absl::string_view sha256, absl::string_view variant, absl::string_view bytes) {
    return absl::UnimplementedError("this blob store keeps no derived variants");
  }
  virtual absl::StatusOr<std::optional<DerivedBlob>> GetDerived(absl::string_view sha256,
                                                                absl::string_view variant) const {
    return std::optional<DerivedBlob>();
  }
};
using BlobStorePtr = std::shared_ptr<BlobStore>;

// A blob store in a local directory: <root>/sha256/ab/<digest>, written through
// <root>/incoming/ and renamed into place after fsync; partial uploads are
// <root>/incoming/<name>.upload, locked with flock; derived variants are
// <root>/derived/ab/<digest>.<variant>, a line "sha256:<hex of the bytes>\n"
// and then the bytes, written through <root>/incoming/ and renamed into place.
// Creates the directories.
absl::StatusOr<BlobStorePtr> OpenDirectoryBlobStore(const std::string& root);

}  // namespace telederm

#endif  // TELEDERM_COMMON_BLOB_BLOB_STORE_H_
