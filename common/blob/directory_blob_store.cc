#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/evp.h>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "common/blob/blob_store.h"

namespace telederm {
namespace {

namespace fs = std::filesystem;

struct EvpContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using EvpContextPtr = std::unique_ptr<EVP_MD_CTX, EvpContextDeleter>;

std::string HexOf(const unsigned char* digest, unsigned int length) {
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));  // lower case
}

absl::Status ErrnoStatus(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat("blob store: ", what, " ", path, ": ", std::strerror(errno)));
}

absl::Status FsyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return ErrnoStatus("open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync", path);
  return absl::OkStatus();
}

absl::Status WriteAll(int fd, absl::string_view bytes, off_t at, const std::string& path) {
  const char* data = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::pwrite(fd, data, left, at);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path);
    }
    data += n;
    at += n;
    left -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(int fd, int64_t size, const std::string& path) {
  std::string bytes(static_cast<size_t>(size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path);
    }
    if (n == 0) return absl::InternalError(absl::StrCat("blob store: ", path, " is shorter than expected"));
    done += static_cast<size_t>(n);
  }
  return bytes;
}

absl::StatusOr<std::string> MoveIntoPlace(const std::string& root, const std::string& temp_path,
                                          const std::string& sha256, bool* already_stored);

// Hashes the bytes as they are appended, so that the upload's digest is known
// without reading the bytes back (a resumed upload hashes what it already held
// once, on the first Sha256 or Commit).
class DirectoryPartialBlob final : public PartialBlob {
 public:
  DirectoryPartialBlob(std::string root, std::string path, int fd, int64_t size)
      : root_(std::move(root)),
        path_(std::move(path)),
        fd_(fd),
        size_(size),
        flushed_(size),
        hash_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(hash_.get(), EVP_sha256(), nullptr);
  }
  ~DirectoryPartialBlob() override {
    if (fd_ >= 0) {
      (void)Flush();  // the holder lets go (the connection ended): what it sent is on disk for the resume
      ::close(fd_);   // releases the flock
    }
  }

  int64_t size() const override { return size_; }

  absl::Status Append(absl::string_view bytes) override {
    if (fd_ < 0) return absl::FailedPreconditionError("partial upload already committed or discarded");
    if (absl::Status written = WriteAll(fd_, bytes, static_cast<off_t>(size_), path_); !written.ok()) {
      // Keep the file at its committed offset, so a resume never sees half a chunk.
      (void)::ftruncate(fd_, static_cast<off_t>(size_));
      return written;
    }
    if (hashed_ == size_) {
      EVP_DigestUpdate(hash_.get(), bytes.data(), bytes.size());
      hashed_ += static_cast<int64_t>(bytes.size());
    }
    size_ += static_cast<int64_t>(bytes.size());
    if (size_ - flushed_ >= kFlushEveryBytes) return Flush();
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ReadAll() const override {
    if (fd_ < 0) return absl::FailedPreconditionError("partial upload already committed or discarded");
    return ReadWholeFile(fd_, size_, path_);
  }

  absl::StatusOr<std::string> Sha256() override {
    if (fd_ < 0) return absl::FailedPreconditionError("partial upload already committed or discarded");
    // Bytes held from before this holder opened the upload: hash them once.
    std::string buffer;
    while (hashed_ < size_) {
      buffer.resize(static_cast<size_t>(std::min<int64_t>(size_ - hashed_, 1 << 20)));
      ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), static_cast<off_t>(hashed_));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus("read", path_);
      if (n == 0) return absl::InternalError(absl::StrCat("blob store: ", path_, " is shorter than expected"));
      EVP_DigestUpdate(hash_.get(), buffer.data(), static_cast<size_t>(n));
      hashed_ += n;
    }
    EvpContextPtr copy(EVP_MD_CTX_new());
    if (copy == nullptr || EVP_MD_CTX_copy_ex(copy.get(), hash_.get()) != 1) {
      return absl::InternalError("blob store: cannot copy the SHA-256 state");
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(copy.get(), digest, &length);
    return HexOf(digest, length);
  }

  absl::StatusOr<BlobWriter::Committed> Commit(absl::string_view expected_sha256) override {
    absl::StatusOr<std::string> actual = Sha256();
    if (!actual.ok()) return actual.status();
    if (*actual != expected_sha256) {
      (void)Discard();
      return absl::InvalidArgumentError(absl::StrCat(
          "the image bytes do not match their SHA-256 (declared ", expected_sha256, ", received ", *actual,
          "): the upload was damaged; send it again from the start"));
    }
    if (absl::Status flushed = Flush(); !flushed.ok()) return flushed;  // on disk before it is a blob
    bool already_stored = false;
    absl::StatusOr<std::string> placed = MoveIntoPlace(root_, path_, *actual, &already_stored);
    if (!placed.ok()) return placed.status();
    if (already_stored) ::unlink(path_.c_str());
    ::close(fd_);
    fd_ = -1;
    return BlobWriter::Committed{*actual, size_, already_stored};
  }

  absl::Status Discard() override {
    if (fd_ < 0) return absl::OkStatus();
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("unlink", path_);
    ::close(fd_);
    fd_ = -1;
    return absl::OkStatus();
  }

 private:
  // Bytes are written at once (a crash of the service loses nothing the kernel
  // holds) and flushed to disk every kFlushEveryBytes, when the holder lets go
  // and before Commit. A flush per chunk cost 172 ms of an 8 MiB upload on the
  // development disk (docs/PERFORMANCE.md). After a machine crash the file may
  // have lost or damaged its unflushed tail: its size is then where the client
  // resumes, and the digest check at the end discards a damaged session.
  static constexpr int64_t kFlushEveryBytes = 4 << 20;

  absl::Status Flush() {
    if (flushed_ == size_) return absl::OkStatus();
    if (::fdatasync(fd_) != 0) {
      absl::Status failed = ErrnoStatus("fdatasync", path_);
      // What was not flushed cannot be trusted: keep only what was, and hash it
      // again from the file when the digest is next needed.
      (void)::ftruncate(fd_, static_cast<off_t>(flushed_));
      size_ = flushed_;
      hashed_ = 0;
      EVP_DigestInit_ex(hash_.get(), EVP_sha256(), nullptr);
      return failed;
    }
    flushed_ = size_;
    return absl::OkStatus();
  }

  const std::string root_;
  const std::string path_;
  int fd_;
  int64_t size_;
  int64_t flushed_;     // bytes known to be on disk: what the file held when opened, then each Flush
  EvpContextPtr hash_;  // SHA-256 of the first hashed_ bytes
  int64_t hashed_ = 0;
};

bool IsValidPartialName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-')) return false;
  }
  return true;
}

absl::StatusOr<std::string> MoveIntoPlace(const std::string& root, const std::string& temp_path,
                                          const std::string& sha256, bool* already_stored) {
  std::string dir = absl::StrCat(root, "/sha256/", sha256.substr(0, 2));
  std::string final_path = absl::StrCat(dir, "/", sha256);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("blob store: create ", dir, ": ", ec.message()));
  *already_stored = fs::exists(final_path, ec);
  if (!*already_stored) {
    if (::rename(temp_path.c_str(), final_path.c_str()) != 0) return ErrnoStatus("rename", final_path);
    if (absl::Status s = FsyncPath(dir, O_RDONLY | O_DIRECTORY); !s.ok()) return s;
  }
  return final_path;
}

class DirectoryBlobWriter final : public BlobWriter {
 public:
  DirectoryBlobWriter(std::string root, std::string temp_path, int fd)
      : root_(std::move(root)), temp_path_(std::move(temp_path)), fd_(fd), hash_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(hash_.get(), EVP_sha256(), nullptr);
  }
  ~DirectoryBlobWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_path_.c_str());
  }

  absl::Status Append(absl::string_view bytes) override {
    if (fd_ < 0) return absl::FailedPreconditionError("blob writer already committed");
    const char* data = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, data, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", temp_path_);
      }
      data += n;
      left -= static_cast<size_t>(n);
    }
    EVP_DigestUpdate(hash_.get(), bytes.data(), bytes.size());
    written_ += static_cast<int64_t>(bytes.size());
    return absl::OkStatus();
  }

  int64_t bytes_written() const override { return written_; }

  absl::StatusOr<Committed> Commit(absl::string_view expected_sha256) override {
    if (fd_ < 0) return absl::FailedPreconditionError("blob writer already committed");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(hash_.get(), digest, &length);
    std::string actual = HexOf(digest, length);
    if (::fsync(fd_) != 0) return ErrnoStatus("fsync", temp_path_);
    ::close(fd_);
    fd_ = -1;
    if (actual != expected_sha256) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the image bytes do not match their SHA-256 (declared ", expected_sha256, ", received ", actual,
          "): the upload was damaged; send it again"));
    }
    std::string dir = absl::StrCat(root_, "/sha256/", actual.substr(0, 2));
    std::string final_path = absl::StrCat(dir, "/", actual);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("blob store: create ", dir, ": ", ec.message()));
    Committed result{actual, written_, fs::exists(final_path, ec)};
    if (!result.already_stored) {
      if (::rename(temp_path_.c_str(), final_path.c_str()) != 0) return ErrnoStatus("rename", final_path);
      committed_ = true;
      if (absl::Status s = FsyncPath(dir, O_RDONLY | O_DIRECTORY); !s.ok()) return s;
    }
    return result;
  }

 private:
  const std::string root_;
  const std::string temp_path_;
  int fd_;
  EvpContextPtr hash_;
  int64_t written_ = 0;
  bool committed_ = false;
};

class DirectoryBlobStore final : public BlobStore {
 public:
  explicit DirectoryBlobStore(std::string root) : root_(std::move(root)) {}

  absl::StatusOr<BlobWriterPtr> NewWriter() override {
    const std::string temp_path = NewTempPath();
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return ErrnoStatus("create", temp_path);
    return BlobWriterPtr(new DirectoryBlobWriter(root_, temp_path, fd));
  }

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view sha256) const override {
    if (!IsValidSha256Hex(sha256)) return std::optional<std::string>();
    // One read of the known size: streaming through an ostringstream grew its
    // buffer step by step and cost more than the rest of a screening without
    // image analysis (callgrind of triage). Blobs never change once stored.
    std::ifstream in(PathOf(sha256), std::ios::binary | std::ios::ate);
    if (!in) return std::optional<std::string>();
    const std::streamoff size = in.tellg();
    if (size < 0) return absl::InternalError(absl::StrCat("blob store: size of ", PathOf(sha256)));
    std::string bytes(static_cast<size_t>(size), '\0');
    in.seekg(0);
    if (size > 0) in.read(bytes.data(), size);
    if (!in) return absl::InternalError(absl::StrCat("blob store: read ", PathOf(sha256)));
    return std::optional<std::string>(std::move(bytes));
  }

  absl::StatusOr<std::optional<int64_t>> Size(absl::string_view sha256) const override {
    if (!IsValidSha256Hex(sha256)) return std::optional<int64_t>();
    struct stat st;
    if (::stat(PathOf(sha256).c_str(), &st) != 0) {
      if (errno == ENOENT) return std::optional<int64_t>();
      return ErrnoStatus("stat", PathOf(sha256));
    }
    return std::optional<int64_t>(st.st_size);
  }

  absl::StatusOr<PartialBlobPtr> OpenPartial(absl::string_view name) override {
    if (!IsValidPartialName(name)) return absl::InvalidArgumentError("upload name: 1..64 characters of a-z 0-9 -");
    const std::string path = PartialPath(name);
    // A holder may delete the file (commit, discard, expiry) between our open
    // and our lock: then the locked inode is no longer the path's, so try again.
    for (int attempt = 0; attempt < 5; ++attempt) {
      int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
      if (fd < 0) return ErrnoStatus("open", path);
      if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        if (errno == EWOULDBLOCK) {
          return absl::AbortedError(
              "this image is being uploaded on another connection right now; try again in a moment");
        }
        return ErrnoStatus("lock", path);
      }
      struct stat held, named;
      if (::fstat(fd, &held) != 0) {
        ::close(fd);
        return ErrnoStatus("stat", path);
      }
      if (::stat(path.c_str(), &named) != 0 || named.st_ino != held.st_ino || named.st_dev != held.st_dev) {
        ::close(fd);
        continue;
      }
      return PartialBlobPtr(new DirectoryPartialBlob(root_, path, fd, static_cast<int64_t>(held.st_size)));
    }
    return absl::AbortedError("this upload keeps being replaced; try again in a moment");
  }

  absl::Status PutDerived(absl::string_view sha256, absl::string_view variant, absl::string_view bytes) override {
    if (absl::Status valid = CheckDerivedName(sha256, variant); !valid.ok()) return valid;
    const std::string dir = absl::StrCat(root_, "/derived/", sha256.substr(0, 2));
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("blob store: create ", dir, ": ", ec.message()));
    // Written whole under a name of its own, then renamed over the variant's
    // path: rename is atomic, so concurrent writers (of the same bytes) and
    // readers never meet half a file.
    const std::string temp_path = NewTempPath();
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return ErrnoStatus("create", temp_path);
    const std::string header = absl::StrCat(kDerivedDigestPrefix, Sha256Hex(bytes), "\n");
    absl::Status written = WriteAll(fd, header, 0, temp_path);
    if (written.ok()) written = WriteAll(fd, bytes, static_cast<off_t>(header.size()), temp_path);
    if (written.ok() && ::fsync(fd) != 0) written = ErrnoStatus("fsync", temp_path);
    ::close(fd);
    const std::string path = DerivedPath(sha256, variant);
    if (written.ok() && ::rename(temp_path.c_str(), path.c_str()) != 0) written = ErrnoStatus("rename", path);
    if (!written.ok()) {
      ::unlink(temp_path.c_str());
      return written;
    }
    return FsyncPath(dir, O_RDONLY | O_DIRECTORY);
  }

  absl::StatusOr<std::optional<DerivedBlob>> GetDerived(absl::string_view sha256,
                                                        absl::string_view variant) const override {
    if (absl::Status valid = CheckDerivedName(sha256, variant); !valid.ok()) return valid;
    const std::string path = DerivedPath(sha256, variant);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return std::optional<DerivedBlob>();
      return ErrnoStatus("open", path);
    }
    struct stat st;
    absl::StatusOr<std::string> content =
        ::fstat(fd, &st) == 0 ? ReadWholeFile(fd, st.st_size, path) : ErrnoStatus("stat", path);
    ::close(fd);
    if (!content.ok()) return content.status();
    // A damaged header records no digest: the reader then sees a mismatch.
    DerivedBlob derived;
    const size_t header_size = std::strlen(kDerivedDigestPrefix) + 64 + 1;
    if (content->size() >= header_size && absl::StartsWith(*content, kDerivedDigestPrefix)) {
      derived.recorded_sha256 = content->substr(std::strlen(kDerivedDigestPrefix), 64);
      derived.bytes = content->substr(header_size);
    } else {
      derived.bytes = *std::move(content);
    }
    return std::optional<DerivedBlob>(std::move(derived));
  }

  absl::StatusOr<std::optional<PartialBlobInfo>> StatPartial(absl::string_view name) const override {
    if (!IsValidPartialName(name)) return std::optional<PartialBlobInfo>();
    struct stat st;
    if (::stat(PartialPath(name).c_str(), &st) != 0) {
      if (errno == ENOENT) return std::optional<PartialBlobInfo>();
      return ErrnoStatus("stat", PartialPath(name));
    }
    return std::optional<PartialBlobInfo>(
        PartialBlobInfo{static_cast<int64_t>(st.st_size), absl::TimeFromTimespec(st.st_mtim)});
  }

  absl::StatusOr<int> RemoveStalePartials(absl::Time cutoff) override {
    int removed = 0;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(root_ + "/incoming", ec)) {
      const std::string path = entry.path().string();
      struct stat st;
      if (::stat(path.c_str(), &st) != 0 || absl::TimeFromTimespec(st.st_mtim) >= cutoff) continue;
      if (absl::EndsWith(path, ".upload")) {
        int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0) continue;
        struct stat held;
        // Never delete an upload that someone holds, or that was replaced meanwhile.
        bool stale = ::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::fstat(fd, &held) == 0 && held.st_ino == st.st_ino &&
                     absl::TimeFromTimespec(held.st_mtim) < cutoff;
        if (stale && ::unlink(path.c_str()) == 0) ++removed;
        ::close(fd);
      } else if (absl::EndsWith(path, ".part")) {
        if (::unlink(path.c_str()) == 0) ++removed;
      }
    }
    if (ec) return absl::InternalError(absl::StrCat("blob store: list ", root_, "/incoming: ", ec.message()));
    return removed;
  }

 private:
  static constexpr char kDerivedDigestPrefix[] = "sha256:";

  static absl::Status CheckDerivedName(absl::string_view sha256, absl::string_view variant) {
    if (!IsValidSha256Hex(sha256)) return absl::InvalidArgumentError("derived variant: not a blob's SHA-256");
    bool valid = !variant.empty() && variant.size() <= 32 && variant.front() != '.';
    for (char c : variant) valid = valid && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.');
    if (!valid) return absl::InvalidArgumentError("derived variant name: 1..32 characters of a-z 0-9 .");
    return absl::OkStatus();
  }
  // A fresh name in incoming/ (removed by RemoveStalePartials if its writer dies).
  std::string NewTempPath() const {
    absl::BitGen bitgen;
    return absl::StrFormat("%s/incoming/%016x%016x.part", root_, absl::Uniform<uint64_t>(bitgen),
                           absl::Uniform<uint64_t>(bitgen));
  }
  std::string DerivedPath(absl::string_view sha256, absl::string_view variant) const {
    return absl::StrCat(root_, "/derived/", sha256.substr(0, 2), "/", sha256, ".", variant);
  }
  std::string PartialPath(absl::string_view name) const { return absl::StrCat(root_, "/incoming/", name, ".upload"); }
  std::string PathOf(absl::string_view sha256) const {
    return absl::StrCat(root_, "/sha256/", sha256.substr(0, 2), "/", sha256);
  }
  const std::string root_;
};

}  // namespace

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return HexOf(digest, length);
}

bool IsValidSha256Hex(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::StatusOr<BlobStorePtr> OpenDirectoryBlobStore(const std::string& root) {
  std::error_code ec;
  for (const char* sub : {"/incoming", "/sha256", "/derived"}) {
    fs::create_directories(root + sub, ec);
    if (ec) return absl::InternalError(absl::StrCat("blob store: create ", root, sub, ": ", ec.message()));
  }
  return BlobStorePtr(std::make_shared<DirectoryBlobStore>(root));
}

}  // namespace telederm
