#include "common/images/image_service.h"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "common/caller/caller.h"
#include "common/server/polling_write_reactor.h"
#include "common/status/grpc_status.h"

namespace telederm::images {

// One GetImage call: reads the image on the executor, then writes its chunks
// one at a time (each next write is started from OnWriteDone, which never
// blocks: the bytes are in memory). Deletes itself in OnDone.
class ImageServiceImpl::ImageStream final : public grpc::ServerWriteReactor<v1::ImageChunk> {
 public:
  ImageStream(ImageServiceImpl& service, absl::StatusOr<Caller> caller, v1::GetImageRequest request)
      : service_(service) {
    boost::asio::post(service_.executor_, [this, caller = std::move(caller), request = std::move(request)] {
      absl::StatusOr<ImageBytes> image = caller.ok() ? service_.images_.Read(*caller, request) : caller.status();
      if (!image.ok()) {
        Finish(ToGrpcStatus(image.status()));
        return;
      }
      image_ = *std::move(image);
      next_ = request.offset();
      *chunk_.mutable_metadata() = image_.metadata;
      WriteNext();
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the client stopped reading"));
      return;
    }
    if (next_ >= static_cast<int64_t>(image_.bytes.size())) {
      Finish(grpc::Status::OK);
      return;
    }
    chunk_.clear_metadata();
    WriteNext();
  }

  void OnDone() override {
    service_.reads_.fetch_sub(1);
    delete this;
  }

 private:
  // The chunk at next_ (the first carries the metadata, and no bytes when the
  // offset is the image's end).
  void WriteNext() {
    const int64_t size = static_cast<int64_t>(image_.bytes.size());
    const int64_t length = std::min(kChunkBytes, size - next_);
    chunk_.set_offset(next_);
    chunk_.set_data(image_.bytes.substr(static_cast<size_t>(next_), static_cast<size_t>(length)));
    next_ += length;
    StartWrite(&chunk_);
  }

  ImageServiceImpl& service_;
  ImageBytes image_;
  int64_t next_ = 0;
  v1::ImageChunk chunk_;
};

ImageServiceImpl::ImageServiceImpl(std::shared_ptr<redis::Client> redis, BlobStorePtr blobs,
                                   ImageServiceOptions options)
    : images_(std::move(redis), std::move(blobs), options.images), max_reads_(options.max_reads) {}

ImageServiceImpl::~ImageServiceImpl() { executor_.join(); }

grpc::ServerWriteReactor<v1::ImageChunk>* ImageServiceImpl::GetImage(grpc::CallbackServerContext* context,
                                                                     const v1::GetImageRequest* request) {
  if (reads_.fetch_add(1) >= max_reads_) {
    reads_.fetch_sub(1);
    return RefusedStream<v1::ImageChunk>(absl::ResourceExhaustedError(
        absl::StrCat("this server is sending ", max_reads_, " images at once; try again in a few seconds")));
  }
  return new ImageStream(*this, IdentifyCaller(*context), *request);
}

}  // namespace telederm::images
