#include "common/redis/connection.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/redis/errors.h"

namespace telederm::redis::internal {
namespace {

// hiredis's own reply functions, with createArray checked first.
const redisReplyObjectFunctions& DefaultReplyFunctions() {
  static const redisReplyObjectFunctions defaults = [] {
    redisReader* reader = redisReaderCreate();
    redisReplyObjectFunctions fn = *reader->fn;
    redisReaderFree(reader);
    return fn;
  }();
  return defaults;
}

void* CreateBoundedArray(const redisReadTask* task, int elements) {
  if (elements < 0 || elements > kMaxReplyElements) return nullptr;  // the reader reports OOM
  return DefaultReplyFunctions().createArray(task, elements);
}

redisReplyObjectFunctions* BoundedReplyFunctions() {
  static redisReplyObjectFunctions bounded = [] {
    redisReplyObjectFunctions fn = DefaultReplyFunctions();
    fn.createArray = CreateBoundedArray;
    return fn;
  }();
  return &bounded;
}

}  // namespace

void BoundReplySize(redisReader* reader) { reader->fn = BoundedReplyFunctions(); }

Reply ToReply(const redisReply& reply) {
  Reply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) {
        out.elements.push_back(ToReply(*reply.element[i]));
      }
      break;
    case REDIS_REPLY_NIL:
    default:
      out.type = Reply::Type::kNil;
      break;
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(
    const ClientOptions& options) {
  std::string where = absl::StrCat("redis at ", options.endpoint.ToString());
  const timeval connect_timeout = absl::ToTimeval(options.connect_timeout);
  ContextUPtr context(
      options.endpoint.is_unix_socket()
          ? redisConnectUnixWithTimeout(options.endpoint.unix_socket.c_str(), connect_timeout)
          : redisConnectWithTimeout(options.endpoint.host.c_str(), options.endpoint.port, connect_timeout));
  if (context == nullptr) {
    return absl::UnavailableError(
        absl::StrCat(where, " unavailable: cannot allocate connection"));
  }
  if (context->err != 0) {
    return absl::UnavailableError(
        absl::StrCat(where, " unavailable: ", context->errstr));
  }
  BoundReplySize(context->reader);
  std::unique_ptr<Connection> connection(
      new Connection(std::move(context), std::move(where)));
  if (absl::Status s = connection->SetTimeout(options.command_timeout);
      !s.ok()) {
    return s;
  }
  if (!options.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!options.username.empty()) auth.push_back(options.username);
    auth.push_back(options.password);
    absl::StatusOr<Reply> reply = connection->Run(auth);
    if (!reply.ok()) {
      // A wrong password is a deployment problem, not a request problem; the
      // caller sees Redis as unavailable until the configuration is fixed.
      return absl::UnavailableError(absl::StrCat(
          connection->where_, " unavailable: AUTH failed: ",
          reply.status().message()));
    }
  }
  return connection;
}

absl::Status Connection::SetTimeout(absl::Duration timeout) {
  if (redisSetTimeout(context_.get(), absl::ToTimeval(timeout)) != REDIS_OK) {
    return TransportError();
  }
  return absl::OkStatus();
}

absl::Status Connection::TransportError() {
  broken_ = true;
  std::string detail = context_->errstr;
  if (absl::StrContains(detail, "Resource temporarily unavailable")) {
    detail = absl::StrCat("timed out (", detail, ")");
  }
  if (detail.empty()) detail = "connection error";
  return absl::UnavailableError(absl::StrCat(where_, " unavailable: ", detail));
}

bool Connection::LooksAlive() {
  if (broken_ || context_->err != 0) return false;
  char byte;
  const ssize_t n = recv(context_->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return false;  // orderly shutdown by the server
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  // Unsolicited bytes on an idle connection mean it is out of step.
  return false;
}

std::string FormatCommand(const std::vector<std::string>& argv) {
  // hiredis's redisFormatCommandArgv spells each length with sprintf, which
  // cost more instructions than anything else per command we send.
  size_t size = 16;
  for (const std::string& arg : argv) size += arg.size() + 16;
  std::string command;
  command.reserve(size);
  // "*<n>\r\n" or "$<n>\r\n"; the digits written backwards into a small buffer.
  auto append_header = [&command](char kind, size_t n) {
    char text[24];
    char* end = text + sizeof text;
    char* p = end;
    *--p = '\n';
    *--p = '\r';
    do {
      *--p = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n != 0);
    *--p = kind;
    command.append(p, end - p);
  };
  append_header('*', argv.size());
  for (const std::string& arg : argv) {
    append_header('$', arg.size());
    command.append(arg);
    command.append("\r\n", 2);
  }
  return command;
}

absl::Status Connection::Append(const std::vector<std::string>& argv) {
  if (broken_) return TransportError();
  const std::string command = FormatCommand(argv);
  if (redisAppendFormattedCommand(context_.get(), command.data(), command.size()) != REDIS_OK) {
    return TransportError();
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::StatusOr<Reply>> Connection::ReadReply() {
  if (broken_) return TransportError();
  void* raw = nullptr;
  if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) {
    return TransportError();
  }
  ReplyUPtr reply(static_cast<redisReply*>(raw));
  if (reply->type == REDIS_REPLY_ERROR) {
    if (absl::StartsWith(absl::string_view(reply->str, reply->len), "READONLY")) on_replica_ = true;
    return absl::StatusOr<Reply>(
        ErrorReplyToStatus(std::string_view(reply->str, reply->len)));
  }
  return absl::StatusOr<Reply>(ToReply(*reply));
}

absl::StatusOr<Reply> Connection::Run(const std::vector<std::string>& argv) {
  if (argv.empty()) return absl::InvalidArgumentError("empty redis command");
  if (absl::Status s = Append(argv); !s.ok()) return s;
  absl::StatusOr<absl::StatusOr<Reply>> reply = ReadReply();
  if (!reply.ok()) return reply.status();
  return *std::move(reply);
}

}  // namespace telederm::redis::internal
