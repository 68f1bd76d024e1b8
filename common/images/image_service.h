#ifndef TELEDERM_COMMON_IMAGES_IMAGE_SERVICE_H_
#define TELEDERM_COMMON_IMAGES_IMAGE_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include <boost/asio/thread_pool.hpp>
#include <grpcpp/grpcpp.h>

#include "common/blob/blob_store.h"
#include "common/images/case_images.h"
#include "common/redis/client.h"
#include "telederm/v1/image.grpc.pb.h"

namespace telederm::images {

struct ImageServiceOptions {
  // GetImage calls in hand at once; beyond, RESOURCE_EXHAUSTED. Each holds
  // its image in memory (at most the largest upload) while it streams.
  int max_reads = 32;
  CaseImagesOptions images;
};

// telederm.v1.ImageService: streams one image of a case (CaseImages decides
// what may be read) in chunks of at most kChunkBytes, metadata first, from
// the requested offset. Served by intake, which holds the blob store.
// Thread-safe. Reading, checking and thumbnail-making run on the service's
// own executor, never in a gRPC reaction; the destructor waits for them.
class ImageServiceImpl final : public v1::ImageService::CallbackService {
 public:
  static constexpr int64_t kChunkBytes = 1 << 20;

  ImageServiceImpl(std::shared_ptr<redis::Client> redis, BlobStorePtr blobs, ImageServiceOptions options = {});
  ~ImageServiceImpl() override;

  grpc::ServerWriteReactor<v1::ImageChunk>* GetImage(grpc::CallbackServerContext* context,
                                                     const v1::GetImageRequest* request) override;

 private:
  class ImageStream;

  CaseImages images_;
  const int max_reads_;
  std::atomic<int> reads_{0};
  boost::asio::thread_pool executor_{2};
};

}  // namespace telederm::images

#endif  // TELEDERM_COMMON_IMAGES_IMAGE_SERVICE_H_
