#include "tools/bench/bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/blob/blob_store.h"
#include "common/case_store/keys.h"
#include "common/redis/client.h"
#include "tests/e2e/stack.h"
#include "tests/harness/child_process.h"
#include "tests/harness/net.h"
#include "tools/bench/calls.h"
#include "tools/bench/cpu.h"
#include "tools/bench/driver.h"
#include "tools/bench/redis_probe.h"
#include "tools/bench/sample_case.h"
#include "tools/bench/upload_images.h"

namespace telederm::bench {
namespace {

constexpr int kClinics = 4;
constexpr size_t kChunkBytes = 256 * 1024;  // as the CLI sends
constexpr char kScalePool[] = "bench-scale";
// The Submitter prefixes of the scenarios that submit to the real intake.
constexpr const char* kIntakeScenarios[] = {"submit", "count", "pipe", "half"};

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return absl::StrCat(one, " ", five, " ", fifteen);
}

void Progress(const std::string& what) {
  std::cerr << absl::FormatTime("%H:%M:%S ", absl::Now(), absl::UTCTimeZone()) << what << std::endl;
}

// Everything a scenario talks to.
struct Target {
  std::vector<std::unique_ptr<v1::IntakeService::Stub>> intake;
  std::vector<std::unique_ptr<v1::ReferralService::Stub>> referral;
  v1::IntakeService::Stub& Intake(int64_t i) { return *intake[i % intake.size()]; }
  v1::ReferralService::Stub& Referral(int64_t i) { return *referral[i % referral.size()]; }
};

Target Connect(const std::string& intake, const std::string& referral, int channels) {
  Target t;
  for (const auto& channel : Channels(intake, channels)) t.intake.push_back(v1::IntakeService::NewStub(channel));
  for (const auto& channel : Channels(referral, channels)) t.referral.push_back(v1::ReferralService::NewStub(channel));
  return t;
}

// Waits for one asynchronous call.
bool Await(const std::function<void(Done)>& start) {
  absl::Notification done;
  bool ok = false;
  start([&](bool result) {
    ok = result;
    done.Notify();
  });
  return done.WaitForNotificationWithTimeout(absl::Seconds(60)) && ok;
}

Row MakeRow(std::string scenario, const LatencySummary& latency, std::string unit = "calls/s") {
  Row row;
  row.scenario = std::move(scenario);
  row.latency = latency;
  row.unit = std::move(unit);
  row.throughput = latency.per_second;
  return row;
}

std::string ScaleName(int64_t n) {
  int exponent = 0;
  int64_t v = n;
  while (v >= 10 && v % 10 == 0) {
    v /= 10;
    ++exponent;
  }
  return v == 1 && exponent > 0 ? absl::StrCat("1e", exponent) : absl::StrCat(n);
}

// The submissions of one scenario: clinic `prefix`-k, unique idempotency keys.
struct Submitter {
  std::string prefix;
  std::vector<Identity> tokens;
  v1::ImageRef image;

  Submitter(std::string p, const v1::ImageRef& img) : prefix(std::move(p)), image(img) {
    for (int k = 0; k < kClinics; ++k) tokens.push_back(bench::Clinic(Clinic(k)));
  }
  std::string Clinic(int64_t i) const { return absl::StrCat(prefix, "-clinic-", i % kClinics); }
  void Start(Target& target, int64_t i, std::string* case_id, Done done) const {
    v1::SubmitCaseRequest request;
    *request.mutable_submission() = SampleSubmission(absl::StrCat("p-", prefix, "-", i), image);
    request.set_idempotency_key(absl::StrCat(prefix, "-", i));
    StartSubmit(target.Intake(i), tokens[i % kClinics], std::move(request), case_id, std::move(done));
  }
};

// Submits cases (closed loop at `concurrency`, or paced at `per_second`) and
// times each from its SubmitCase to its QUEUED event.
struct PipelineResult {
  LatencySummary submit;
  LatencySummary queued;  // latency: SubmitCase start -> QUEUED event here; per_second: cases queued per second
  // The same latency in two stages: SubmitCase start -> the case is in the
  // specialist queue (QueuedWatcher's in_queue_by), and that -> the QUEUED
  // event's arrival here, on the clinic's WatchEvents stream.
  LatencySummary to_queue;
  LatencySummary event_delivery;
  int64_t submitted = 0;
};

PipelineResult RunPipeline(Target& target, const Submitter& submitter, int64_t cases, int concurrency,
                           double per_second, absl::Duration paced_duration, absl::Duration time_limit) {
  std::vector<std::unique_ptr<QueuedWatcher>> watchers;
  for (int k = 0; k < kClinics; ++k) {
    watchers.push_back(
        std::make_unique<QueuedWatcher>(target.Intake(k), submitter.tokens[k], time_limit * 3));
  }
  absl::SleepFor(absl::Milliseconds(300));  // the watchers' streams are open
  if (per_second > 0) cases = static_cast<int64_t>(absl::ToDoubleSeconds(paced_duration) * per_second) + 1;
  std::vector<std::string> ids(cases);
  std::vector<absl::Time> started(cases);
  auto start = [&](int64_t i, Done done) {
    started[i] = absl::Now();
    submitter.Start(target, i, &ids[i], std::move(done));
  };
  PipelineResult result;
  const absl::Time t0 = absl::Now();
  result.submit = per_second > 0 ? RunPaced(per_second, paced_duration, 4 * concurrency, start)
                                 : RunClosedLoop(concurrency, cases, time_limit, start);
  result.submitted = result.submit.count;
  // Every accepted case must reach the queue; wait for the last one (bounded).
  std::vector<double> latencies, to_queue, delivery;
  absl::Time last = t0;
  const absl::Time give_up = absl::Now() + time_limit;
  for (int64_t i = 0; i < cases; ++i) {
    if (ids[i].empty()) continue;
    absl::Time at, by_server;
    while (!watchers[i % kClinics]->QueuedAt(ids[i], &at) && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    if (!watchers[i % kClinics]->QueuedAt(ids[i], &at, &by_server)) continue;
    latencies.push_back(absl::ToDoubleMicroseconds(at - started[i]));
    to_queue.push_back(absl::ToDoubleMicroseconds(by_server - started[i]));
    delivery.push_back(absl::ToDoubleMicroseconds(at - by_server));
    last = std::max(last, at);
  }
  const int64_t lost = result.submitted - static_cast<int64_t>(latencies.size());
  result.queued = Summarize(latencies, lost, last - t0);
  result.to_queue = Summarize(to_queue, lost, last - t0);
  result.event_delivery = Summarize(delivery, lost, last - t0);
  return result;
}

class Bench {
 public:
  Bench(const BenchOptions& options) : options_(options) {}

  absl::StatusOr<Report> Run() {
    report_.machine = absl::StrCat(std::thread::hardware_concurrency(), " cores shared by client and servers, load ",
                                   LoadAverage(), " at start; Redis over ",
                                   options_.redis_over_unix_socket ? "its Unix socket" : "TCP loopback",
                                   options_.redis_replica ? "; a replica under Sentinel, intake waits for it" : "");
    if (absl::Status s = Start(); !s.ok()) return s;
    if (Runs("submit")) {
      if (absl::Status s = SubmitScenarios(); !s.ok()) return s;
    }
    if (Runs("upload")) {
      if (absl::Status s = UploadScenarios(); !s.ok()) return s;
    }
    if (Runs("pipeline")) {
      if (absl::Status s = PipelineScenarios(); !s.ok()) return s;
    }
    if (Runs("scale")) {
      if (absl::Status s = ScaleScenarios(); !s.ok()) return s;
    }
    report_.machine += absl::StrCat(", ", LoadAverage(), " at end");
    AddTargets();
    return report_;
  }

 private:
  // `used` over `n` calls or cases, in microseconds each, with the user/system split.
  void AddCpuFigure(const std::string& name, const CpuSeconds& used, double n, const std::string& source) {
    report_.figures.push_back({name, used.total() / n * 1e6, "us", absl::StrCat(CpuSplitNote(used, n), "; ", source)});
  }

  bool Runs(absl::string_view group) const {
    return std::find(options_.scenarios.begin(), options_.scenarios.end(), group) != options_.scenarios.end();
  }

  absl::Status Start() {
    Progress(absl::StrCat("starting redis-server (services over ",
                          options_.redis_over_unix_socket ? "its Unix socket" : "TCP loopback",
                          "), intake, triage (--skip_image_analysis), referral"));
    testing::StackOptions stack_options;
    stack_options.triage_flags = {"--skip_image_analysis"};
    if (options_.stream_batch > 0) {
      stack_options.triage_flags.push_back(absl::StrCat("--stream_batch=", options_.stream_batch));
      stack_options.referral_flags.push_back(absl::StrCat("--stream_batch=", options_.stream_batch));
    }
    stack_options.redis_over_unix_socket = options_.redis_over_unix_socket;
    if (options_.redis_replica) {
      stack_options.sentinel = testing::SentinelRedisOptions{};
      stack_options.intake_flags.push_back("--redis_wait_replicas=1");
    }
    absl::StatusOr<std::unique_ptr<testing::Stack>> stack = testing::Stack::Start(stack_options);
    if (!stack.ok()) return stack.status();
    stack_ = std::move(*stack);
    const int bare_port = testing::FreeLoopbackPort();
    absl::StatusOr<std::unique_ptr<testing::ChildProcess>> bare = testing::ChildProcess::Spawn(
        {options_.self_path, absl::StrCat("--serve_bare=127.0.0.1:", bare_port)}, {},
        absl::StrCat(stack_->data_dir(), "/bare.log"));
    if (!bare.ok()) return bare.status();
    bare_ = std::move(*bare);
    if (absl::Status s = testing::WaitForPort(bare_port, absl::Seconds(20)); !s.ok()) return s;
    const std::string bare_address = absl::StrCat("127.0.0.1:", bare_port);
    bare_marker_ = absl::StrCat("--serve_bare=", bare_address);
    real_ = Connect(stack_->address(testing::Service::kIntake), stack_->address(testing::Service::kReferral),
                    options_.channels);
    bare_target_ = Connect(bare_address, bare_address, options_.channels);
    redis::ClientOptions redis_options;
    // The probes (INFO, MONITOR, redis-benchmark) talk to the master itself.
    absl::StatusOr<redis::Endpoint> endpoint = redis::Endpoint::Parse(
        options_.redis_replica ? absl::StrCat("127.0.0.1:", stack_->redis().port()) : stack_->redis_address());
    if (!endpoint.ok()) return endpoint.status();
    redis_endpoint_ = *endpoint;
    redis_options.endpoint = *endpoint;
    redis_options.command_timeout = absl::Seconds(30);
    redis_ = redis::Client::Create(redis_options);

    // The image every submitted case refers to, uploaded by every clinic that
    // submits to intake: a clinic may name only images it uploaded itself.
    std::ifstream in(options_.sample_image, std::ios::binary);
    auto bytes = std::make_shared<std::string>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes->empty()) return absl::NotFoundError(absl::StrCat("cannot read ", options_.sample_image));
    for (const char* scenario : kIntakeScenarios) {
      const Submitter submitter(scenario, case_image_);
      for (const Identity& token : submitter.tokens) {
        if (!Await([&](Done done) {
              StartUpload(real_.Intake(0), token, bytes, Sha256Hex(*bytes), kChunkBytes, &case_image_,
                          std::move(done));
            })) {
          return absl::InternalError(absl::StrCat("uploading ", options_.sample_image, " failed:\n",
                                                  stack_->LogTail(testing::Service::kIntake)));
        }
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> QueueLength(const std::string& pool) {
    absl::StatusOr<redis::Reply> n = redis_->Command({"ZCARD", keys::PoolQueue(pool)});
    if (!n.ok()) return n.status();
    return static_cast<int64_t>(n->integer);
  }

  // SubmitCase alone: triage is stopped, so only intake and Redis work (the
  // cases wait in stream:intake and are drained afterwards).
  absl::Status SubmitScenarios() {
    Progress("SubmitCase: bare ceiling, then intake (triage stopped meanwhile)");
    Submitter bare_submitter("bare", case_image_);
    CpuSeconds client_cpu = ClientCpu();
    const CpuSeconds server_cpu = ProcessCpu("telederm-bench", bare_marker_);
    LatencySummary bare = RunClosedLoop(options_.concurrency, options_.submit_calls, options_.time_limit,
                                        [&](int64_t i, Done done) { bare_submitter.Start(bare_target_, i, nullptr, std::move(done)); });
    const double bare_calls = std::max<int64_t>(1, bare.count);
    AddCpuFigure("CPU per SubmitCase, bare echo: the server", ProcessCpu("telederm-bench", bare_marker_) - server_cpu,
                 bare_calls, "/proc/<pid>/stat over the bare run");
    AddCpuFigure("CPU per SubmitCase, bare echo: the bench client", ClientCpu() - client_cpu, bare_calls, "getrusage");
    Row bare_row = MakeRow(absl::StrCat("SubmitCase bare echo, c=", options_.concurrency), bare);
    report_.rows.push_back(bare_row);
    submit_ceiling_ = bare.per_second;

    if (absl::Status s = stack_->Kill9(testing::Service::kTriage); !s.ok()) return s;
    absl::StatusOr<int64_t> before = QueueLength(kBenchPool);
    if (!before.ok()) return before.status();
    Submitter submitter("submit", case_image_);
    client_cpu = ClientCpu();
    const CpuSeconds intake_cpu = ProcessCpu("telederm-intake", stack_->data_dir());
    absl::StatusOr<CpuSeconds> redis_cpu = RedisCpu(*redis_);
    if (!redis_cpu.ok()) return redis_cpu.status();
    LatencySummary real = RunClosedLoop(options_.concurrency, options_.submit_calls, options_.time_limit,
                                        [&](int64_t i, Done done) { submitter.Start(real_, i, nullptr, std::move(done)); });
    const double calls = std::max<int64_t>(1, real.count);
    absl::StatusOr<CpuSeconds> redis_cpu_after = RedisCpu(*redis_);
    if (!redis_cpu_after.ok()) return redis_cpu_after.status();
    AddCpuFigure("CPU per SubmitCase: telederm-intake", ProcessCpu("telederm-intake", stack_->data_dir()) - intake_cpu,
                 calls, "/proc/<pid>/stat over the SubmitCase run");
    AddCpuFigure("CPU per SubmitCase: Redis", *redis_cpu_after - *redis_cpu, calls,
                 "INFO cpu over the SubmitCase run, the audit entries included");
    AddCpuFigure("CPU per SubmitCase: the bench client", ClientCpu() - client_cpu, calls, "getrusage");
    Row row = MakeRow(absl::StrCat("SubmitCase, c=", options_.concurrency), real);
    row.ceiling_name = "bare echo SubmitCase";
    row.ceiling = bare.per_second;
    report_.rows.push_back(row);
    submit_qps_ = real.per_second;

    // Triage back; the backlog drains with nothing else running.
    Progress("triage restarted: draining the backlog");
    const absl::Time t0 = absl::Now();
    if (absl::Status s = stack_->Restart(testing::Service::kTriage); !s.ok()) return s;
    int64_t queued = 0;
    const absl::Time give_up = absl::Now() + options_.time_limit;
    while (absl::Now() < give_up) {
      absl::StatusOr<int64_t> n = QueueLength(kBenchPool);
      if (!n.ok()) return n.status();
      queued = *n - *before;
      if (queued >= real.count - 2 * options_.concurrency) break;  // those in hand at the kill wait for reclaim
      absl::SleepFor(absl::Milliseconds(20));
    }
    report_.figures.push_back({"backlog drain (triage + referral alone)", queued / absl::ToDoubleSeconds(absl::Now() - t0),
                               "cases/s", absl::StrCat(queued, " cases, from triage's restart")});
    return absl::OkStatus();
  }

  // Each format and size: the bare stream, the bare stream plus the gate's
  // decode (the ceiling), then UploadImage, with the same images. Intake
  // decodes every image for the quality gate inside the call; a JPEG is
  // decoded at reduced scale (DCT scaling), a PNG in full and resized.
  absl::Status UploadScenarios() {
    // MiB moved and seconds taken by each kind of run.
    struct Totals {
      double mib[3] = {0, 0, 0}, seconds[3] = {0, 0, 0};  // UploadImage, stream+decode, stream
      double RatioOf(int run, int ceiling) const {
        return (seconds[run] > 0 && seconds[ceiling] > 0 && mib[ceiling] > 0)
                   ? (mib[run] / seconds[run]) / (mib[ceiling] / seconds[ceiling])
                   : 0;
      }
      void Add(int run, double m, double s) { mib[run] += m, seconds[run] += s; }
      void Add(const Totals& o) {
        for (int r = 0; r < 3; ++r) Add(r, o.mib[r], o.seconds[r]);
      }
    };
    enum { kReal = 0, kDecodeCeiling = 1, kStream = 2 };
    Totals all;
    const Identity token = bench::Clinic("bench-clinic-1");
    for (UploadFormat format : {UploadFormat::kJpeg, UploadFormat::kPng}) {
      Totals of_format;
      for (int mib : options_.upload_mib) {
        Progress(absl::StrCat("UploadImage ", UploadFormatName(format), " ", mib, " MiB: making ",
                              options_.uploads_per_size, " images"));
        absl::StatusOr<std::vector<UploadImage>> images =
            MakeUploadImages(options_.sample_image, format, mib, options_.uploads_per_size);
        if (!images.ok()) return images.status();
        double total = 0;
        for (const UploadImage& image : *images) total += image.bytes->size();
        const double mean_mib = total / images->size() / (1024 * 1024);
        auto upload = [&](Target& target, bool bare_decode) {
          return [&, bare_decode](int64_t i, Done done) {
            const UploadImage& image = (*images)[i];
            StartUpload(target.Intake(i), token, image.bytes, image.sha256, kChunkBytes, nullptr, std::move(done),
                        bare_decode);
          };
        };
        auto run = [&](Target& target, bool bare_decode) {
          return RunClosedLoop(options_.upload_concurrency, images->size(), options_.time_limit,
                               upload(target, bare_decode));
        };
        const LatencySummary stream = run(bare_target_, false);
        const LatencySummary decode = run(bare_target_, true);
        const LatencySummary real = run(real_, false);
        const std::string name = absl::StrFormat("%s %.1f MiB %.0f MP, c=%d", UploadFormatName(format), mean_mib,
                                                 images->front().megapixels, options_.upload_concurrency);
        // A row in MiB/s, against the row of its ceiling when it has one.
        auto mib_row = [&](const std::string& label, const LatencySummary& summary, const Row* ceiling,
                           const std::string& ceiling_name) {
          Row row = MakeRow(absl::StrCat(label, name), summary, "MiB/s");
          row.throughput = summary.per_second * mean_mib;
          if (ceiling != nullptr) row.ceiling_name = ceiling_name, row.ceiling = ceiling->throughput;
          return row;
        };
        const Row stream_row = mib_row("upload bare stream ", stream, nullptr, "");
        const Row decode_row = mib_row("upload bare stream+decode ", decode, &stream_row, "bare client-streaming");
        const Row row = mib_row("UploadImage ", real, &decode_row, "bare stream+decode");
        report_.rows.push_back(stream_row);
        report_.rows.push_back(decode_row);
        report_.rows.push_back(row);
        of_format.Add(kReal, real.count * mean_mib, real.seconds);
        of_format.Add(kDecodeCeiling, decode.count * mean_mib, decode.seconds);
        of_format.Add(kStream, stream.count * mean_mib, stream.seconds);
      }
      const std::string format_name = UploadFormatName(format);
      report_.figures.push_back({absl::StrCat("UploadImage / bare stream+decode, ", format_name, " only"),
                                 of_format.RatioOf(kReal, kDecodeCeiling), "ratio",
                                 "MiB/s over all its sizes, against the stream+decode ceiling's"});
      report_.figures.push_back({absl::StrCat("bare stream+decode / bare stream, ", format_name, " only"),
                                 of_format.RatioOf(kDecodeCeiling, kStream), "ratio",
                                 "what the gate's decode alone costs a bare stream"});
      all.Add(of_format);
    }
    report_.figures.push_back({"UploadImage / bare stream (information)", all.RatioOf(kReal, kStream), "ratio",
                               "MiB/s over all formats and sizes, against the plain stream's"});
    upload_ratio_ = all.RatioOf(kReal, kDecodeCeiling);
    return absl::OkStatus();
  }

  absl::Status PipelineScenarios() {
    // Round trips: a small run under MONITOR (not timed).
    Progress(absl::StrCat("pipeline: counting Redis commands of ", options_.monitored_cases, " cases (MONITOR)"));
    absl::StatusOr<std::unique_ptr<CommandMonitor>> monitor =
        CommandMonitor::Start(redis_endpoint_);
    if (!monitor.ok()) return monitor.status();
    Submitter counted("count", case_image_);
    PipelineResult small = RunPipeline(real_, counted, options_.monitored_cases, std::min(8, options_.concurrency), 0,
                                       absl::ZeroDuration(), options_.time_limit);
    absl::SleepFor(absl::Milliseconds(200));
    std::map<std::string, int64_t> sent = (*monitor)->Stop();
    const double cases = std::max<int64_t>(1, small.queued.count);
    double round_trips = 0;
    std::vector<std::string> mix;
    for (const auto& [command, n] : sent) {
      if (command == "monitor" || command == "info") continue;
      round_trips += n / cases;
      mix.push_back(absl::StrFormat("%s %.2f", command, n / cases));
    }
    report_.figures.push_back({"Redis round trips per case (commands sent)", round_trips, "per case",
                               absl::StrJoin(mix, ", ")});

    // The queue ceiling: redis-benchmark on the same Redis, per command sent.
    Progress("redis-benchmark on the same Redis, for each command the pipeline sends");
    std::map<std::string, double> rps_by_benchmark;
    double seconds_per_case = 0;
    std::map<std::string, double> rps_by_line;  // commands costed alike are measured once
    for (const auto& [command, n] : sent) {
      if (command == "monitor" || command == "info") continue;
      const std::string line = BenchmarkFor(command);
      if (!rps_by_line.contains(line)) {
        absl::StatusOr<RedisCeiling> ceiling =
            BenchmarkCommand(redis_endpoint_, command, options_.redis_benchmark_requests);
        if (!ceiling.ok()) return ceiling.status();
        rps_by_line[line] = ceiling->per_second;
        rps_by_benchmark[line.substr(0, 40)] = ceiling->per_second;
      }
      seconds_per_case += (n / cases) / rps_by_line[line];
    }
    queue_ceiling_ = seconds_per_case > 0 ? 1 / seconds_per_case : 0;
    std::vector<std::string> measured;
    for (const auto& [benchmark, rps] : rps_by_benchmark) measured.push_back(absl::StrFormat("%s: %.0f/s", benchmark, rps));
    report_.figures.push_back({"queue ceiling (redis-benchmark / round trips)", queue_ceiling_, "cases/s",
                               absl::StrJoin(measured, "; ")});

    // Maximum load: closed loop.
    Progress(absl::StrCat("pipeline: ", options_.pipeline_cases, " cases at c=", options_.concurrency));
    absl::StatusOr<std::map<std::string, int64_t>> calls_before = CommandCalls(*redis_);
    absl::StatusOr<int64_t> memory_before = UsedMemory(*redis_);
    if (!calls_before.ok()) return calls_before.status();
    if (!memory_before.ok()) return memory_before.status();
    absl::StatusOr<CpuSeconds> redis_cpu_before = RedisCpu(*redis_);
    if (!redis_cpu_before.ok()) return redis_cpu_before.status();
    const CpuSeconds client_cpu_before = ClientCpu();
    const char* kServices[] = {"telederm-intake", "telederm-triage", "telederm-referral"};
    std::vector<CpuSeconds> service_cpu_before;
    for (const char* service : kServices) service_cpu_before.push_back(ProcessCpu(service, stack_->data_dir()));
    Submitter full("pipe", case_image_);
    if (absl::Status s = SettleAofBefore("the full-load run"); !s.ok()) return s;
    const int64_t forks_before_full = TotalForks();
    PipelineResult max = RunPipeline(real_, full, options_.pipeline_cases, options_.concurrency, 0,
                                     absl::ZeroDuration(), options_.time_limit);
    AddForksFigure("full-load run", forks_before_full);
    std::vector<CpuSeconds> service_cpu;
    for (size_t i = 0; i < std::size(kServices); ++i) {
      service_cpu.push_back(ProcessCpu(kServices[i], stack_->data_dir()) - service_cpu_before[i]);
    }
    const CpuSeconds client_cpu = ClientCpu() - client_cpu_before;
    absl::StatusOr<CpuSeconds> redis_cpu_after = RedisCpu(*redis_);
    if (!redis_cpu_after.ok()) return redis_cpu_after.status();
    absl::StatusOr<std::map<std::string, int64_t>> calls_after = CommandCalls(*redis_);
    absl::StatusOr<int64_t> memory_after = UsedMemory(*redis_);
    if (!calls_after.ok()) return calls_after.status();
    if (!memory_after.ok()) return memory_after.status();
    Row submit = MakeRow(absl::StrCat("pipeline SubmitCase, c=", options_.concurrency), max.submit);
    report_.rows.push_back(submit);
    Row queued = MakeRow(absl::StrCat("pipeline submit->queued, c=", options_.concurrency), max.queued, "cases/s");
    queued.ceiling_name = "queue ceiling";
    queued.ceiling = queue_ceiling_;
    report_.rows.push_back(queued);
    pipeline_rate_ = max.queued.per_second;
    int64_t executed = 0;
    for (const auto& [command, n] : Difference(*calls_before, *calls_after)) executed += n;
    const double n_cases = std::max<int64_t>(1, max.queued.count);
    report_.figures.push_back({"Redis commands executed per case (incl. in scripts)", executed / n_cases, "per case",
                               "INFO commandstats over the full-load run"});
    AddCpuFigure("CPU per case: Redis", *redis_cpu_after - *redis_cpu_before, n_cases,
                 "INFO cpu over the full-load run");
    AddCpuFigure("CPU per case: the bench client", client_cpu, n_cases, "getrusage");
    for (size_t i = 0; i < std::size(kServices); ++i) {
      AddCpuFigure(absl::StrCat("CPU per case: ", kServices[i]), service_cpu[i], n_cases,
                   "/proc/<pid>/stat over the full-load run");
    }
    pipeline_memory_per_case_ = (*memory_after - *memory_before) / n_cases;
    report_.figures.push_back({"Redis memory per case, through the pipeline", pipeline_memory_per_case_, "bytes",
                               "INFO used_memory delta: record, indexes, stream entries, events, audit"});

    // Half the maximum load: open loop.
    const double half = std::max(1.0, pipeline_rate_ / 2);
    Progress(absl::StrFormat("pipeline: paced at %.0f cases/s for %s", half, absl::FormatDuration(options_.paced_duration)));
    Submitter paced("half", case_image_);
    if (absl::Status s = SettleAofBefore("the half-load run"); !s.ok()) return s;
    const int64_t forks_before_half = TotalForks();
    PipelineResult half_load = RunPipeline(real_, paced, 0, options_.concurrency, half, options_.paced_duration,
                                           options_.time_limit);
    AddForksFigure("half-load run", forks_before_half);
    // The target's latency: from the start of SubmitCase until the case is in
    // the specialist queue. Then the QUEUED event's way back to the clinic,
    // which is not part of it, and the two together.
    report_.rows.push_back(
        MakeRow(absl::StrFormat("pipeline submit->in the queue @%.0f/s", half), half_load.to_queue, "cases/s"));
    report_.rows.push_back(MakeRow(absl::StrFormat("  of which SubmitCase @%.0f/s", half), half_load.submit));
    report_.rows.push_back(
        MakeRow(absl::StrFormat("then QUEUED event to the clinic @%.0f/s", half), half_load.event_delivery, "cases/s"));
    report_.rows.push_back(
        MakeRow(absl::StrFormat("submit->QUEUED event at the clinic @%.0f/s", half), half_load.queued, "cases/s"));
    half_load_p99_ms_ = half_load.to_queue.p99_us / 1000;
    return absl::OkStatus();
  }

  absl::Status ScaleScenarios() {
    std::vector<Identity> tokens;
    for (int k = 0; k < options_.specialists; ++k) {
      tokens.push_back(Specialist(absl::StrCat("bench-specialist-", k), kScalePool));
    }
    const int c = options_.specialists;
    auto claim = [&](Target& target) {
      return [&](int64_t i, Done done) { StartClaimNext(target.Referral(i), tokens[i % c], kScalePool, std::move(done)); };
    };
    auto list = [&](Target& target) {
      return [&](int64_t i, Done done) { StartListQueue(target.Referral(i), tokens[i % c], kScalePool, 50, std::move(done)); };
    };
    Progress("ClaimNext and ListQueue: bare ceilings");
    RunClosedLoop(c, options_.warmup_calls_per_level, options_.time_limit, claim(bare_target_));
    RunClosedLoop(c, options_.warmup_calls_per_level, options_.time_limit, list(bare_target_));
    LatencySummary bare_claim = RunClosedLoop(c, options_.calls_per_level, options_.time_limit, claim(bare_target_));
    LatencySummary bare_list = RunClosedLoop(c, options_.calls_per_level, options_.time_limit, list(bare_target_));
    report_.rows.push_back(MakeRow(absl::StrCat("ClaimNext bare echo, c=", c), bare_claim));
    report_.rows.push_back(MakeRow(absl::StrCat("ListQueue(50) bare echo, c=", c), bare_list));

    // Redis records every event slower than 10 ms (LATENCY LATEST per level).
    (void)redis_->Command({"CONFIG", "SET", "latency-monitor-threshold", "10"});
    int64_t filled = 0;
    int64_t fill_memory = 0;  // used_memory grown by the fills alone (claims and lists write audit and events)
    absl::Duration fill_time;
    const absl::Time first_due = absl::Now() + absl::Hours(24 * 7);
    // Each ClaimNext takes a case out of the queue: the level is filled with
    // as many more as its calls will claim, so that at least `level` cases
    // wait throughout the measurement.
    const int64_t claimed_per_level = options_.warmup_calls_per_level + options_.calls_per_level;
    for (int64_t level : options_.scale) {
      absl::StatusOr<int64_t> now_queued = QueueLength(kScalePool);
      if (!now_queued.ok()) return now_queued.status();
      const int64_t add = level + claimed_per_level - *now_queued;
      if (add > 0) {
        Progress(absl::StrCat("filling ", kScalePool, " to ", level, " queued cases (+", add, ")"));
        absl::StatusOr<int64_t> before = UsedMemory(*redis_);
        absl::StatusOr<absl::Duration> took = FillQueueFrom(add, first_due + absl::Milliseconds(filled));
        if (!took.ok()) return took.status();
        absl::StatusOr<int64_t> after = UsedMemory(*redis_);
        if (!before.ok() || !after.ok()) return before.ok() ? after.status() : before.status();
        fill_memory += *after - *before;
        filled += add;
        fill_time += *took;
      }
      // The fill appends to the AOF far faster than the pipeline ever would,
      // and Redis rewrites the AOF (a fork, copy-on-write over all its memory)
      // once the file has doubled. That rewrite belongs to the fill: let it
      // finish before measuring, and record whatever Redis did meanwhile.
      Progress(absl::StrCat("waiting for Redis to finish rewriting the AOF at ", level, " queued"));
      absl::StatusOr<absl::Duration> settled = SettleAof(*redis_, absl::Seconds(180));
      if (!settled.ok()) return settled.status();
      (void)redis_->Command({"LATENCY", "RESET"});
      absl::StatusOr<std::map<std::string, std::string>> stats_before = InfoFields(*redis_, "stats");
      if (!stats_before.ok()) return stats_before.status();
      Progress(absl::StrCat("ClaimNext and ListQueue at ", level, " queued: warm-up"));
      RunClosedLoop(c, options_.warmup_calls_per_level, options_.time_limit, claim(real_));
      RunClosedLoop(c, options_.warmup_calls_per_level, options_.time_limit, list(real_));
      Progress(absl::StrCat("ClaimNext and ListQueue at ", level, " queued"));
      LatencySummary claims = RunClosedLoop(c, options_.calls_per_level, options_.time_limit, claim(real_));
      LatencySummary lists = RunClosedLoop(c, options_.calls_per_level, options_.time_limit, list(real_));
      absl::StatusOr<std::map<std::string, std::string>> stats_after = InfoFields(*redis_, "stats");
      absl::StatusOr<std::map<std::string, std::string>> persistence = InfoFields(*redis_, "persistence");
      absl::StatusOr<std::string> latency = LatencyLatest(*redis_);
      if (!stats_after.ok() || !persistence.ok() || !latency.ok()) {
        return !stats_after.ok() ? stats_after.status() : !persistence.ok() ? persistence.status() : latency.status();
      }
      int64_t forks_before = 0, forks_after = 0;
      (void)absl::SimpleAtoi((*stats_before)["total_forks"], &forks_before);
      (void)absl::SimpleAtoi((*stats_after)["total_forks"], &forks_after);
      report_.figures.push_back(
          {absl::StrCat("Redis forks during the calls @", ScaleName(level)), static_cast<double>(forks_after - forks_before),
           "forks",
           absl::StrCat("AOF rewrite settled ", absl::FormatDuration(absl::Trunc(*settled, absl::Milliseconds(100))),
                        " before; after: aof_rewrite_in_progress=", (*persistence)["aof_rewrite_in_progress"],
                        " aof_current_size=", (*persistence)["aof_current_size"], " latest_fork_usec=",
                        (*stats_after)["latest_fork_usec"], "; LATENCY LATEST: ", *latency)});
      Row claim_row = MakeRow(absl::StrCat("ClaimNext @", ScaleName(level), " queued, c=", c), claims);
      claim_row.ceiling_name = "bare echo ClaimNext";
      claim_row.ceiling = bare_claim.per_second;
      Row list_row = MakeRow(absl::StrCat("ListQueue(50) @", ScaleName(level), " queued, c=", c), lists);
      list_row.ceiling_name = "bare echo ListQueue";
      list_row.ceiling = bare_list.per_second;
      report_.rows.push_back(claim_row);
      report_.rows.push_back(list_row);
      claim_p99_ms_.push_back(claims.p99_us / 1000);
    }
    if (filled > 0) {
      fill_memory_per_case_ = static_cast<double>(fill_memory) / filled;
      report_.figures.push_back({"Redis memory per queued case, filled directly", fill_memory_per_case_, "bytes",
                                 absl::StrCat("INFO used_memory delta over ", filled,
                                              " cases: record + queue + fairness meta + clinic index")});
      report_.figures.push_back({"queue fill rate (pipelined HSET/ZADD/RPUSH, keys.h layout)",
                                 filled / absl::ToDoubleSeconds(fill_time), "cases/s", ""});
    }
    return absl::OkStatus();
  }

  // Redis rewrites its AOF (a fork, and a child writing the whole data set on
  // the same 2 cores) each time the file has doubled since the last rewrite.
  // The earlier scenarios' writes would otherwise start one at a random point
  // of a timed run (a rewrite inside the 6 s half-load window has given a p99
  // of 78 ms). So each timed pipeline run starts on a fresh rewrite, and
  // the forks during the run are printed beside it.
  absl::Status SettleAofBefore(absl::string_view run) {
    Progress(absl::StrCat("rewriting the AOF before ", run));
    absl::StatusOr<absl::Duration> settled = SettleAof(*redis_, absl::Seconds(180));
    if (!settled.ok()) return settled.status();
    // Redis records every event slower than 10 ms; LATENCY LATEST is read after the run.
    (void)redis_->Command({"CONFIG", "SET", "latency-monitor-threshold", "10"});
    (void)redis_->Command({"LATENCY", "RESET"});
    return absl::OkStatus();
  }

  // Redis's forks so far (AOF rewrites, saves): -1 if Redis did not say.
  int64_t TotalForks() {
    absl::StatusOr<std::map<std::string, std::string>> stats = InfoFields(*redis_, "stats");
    int64_t forks = -1;
    if (stats.ok()) (void)absl::SimpleAtoi((*stats)["total_forks"], &forks);
    return forks;
  }

  // A fork copies Redis's page tables and its child rewrites the AOF on the
  // same cores, and a slow disk delays the AOF's writes: a run's latencies
  // are read beside whether either happened.
  void AddForksFigure(absl::string_view run, int64_t forks_before) {
    const int64_t forks_after = TotalForks();
    absl::StatusOr<std::map<std::string, std::string>> persistence = InfoFields(*redis_, "persistence");
    absl::StatusOr<std::string> latency = LatencyLatest(*redis_);
    report_.figures.push_back(
        {absl::StrCat("Redis forks during the ", run), static_cast<double>(forks_after - forks_before), "forks",
         persistence.ok() ? absl::StrCat("aof_rewrite_in_progress=", (*persistence)["aof_rewrite_in_progress"],
                                         " aof_current_size=", (*persistence)["aof_current_size"],
                                         " aof_delayed_fsync=", (*persistence)["aof_delayed_fsync"],
                                         "; LATENCY LATEST: ", latency.ok() ? *latency : latency.status().ToString())
                          : std::string(persistence.status().message())});
  }

  absl::StatusOr<absl::Duration> FillQueueFrom(int64_t count, absl::Time first_due) {
    return FillQueue(*redis_, kScalePool, count, first_due, 50);
  }

  // Only the targets of the scenario groups that ran.
  void AddTargets() {
    if (Runs("submit")) {
      report_.targets.push_back({"SubmitCase QPS / bare echo QPS (same concurrency)",
                                 submit_ceiling_ > 0 ? submit_qps_ / submit_ceiling_ : 0, ">=", 0.5, "ratio"});
    }
    if (Runs("pipeline")) {
      report_.targets.push_back({"pipeline sustained (no image analysis)", pipeline_rate_, ">=", 2000, "cases/s"});
      report_.targets.push_back({"pipeline / queue ceiling",
                                 queue_ceiling_ > 0 ? pipeline_rate_ / queue_ceiling_ : 0, ">=", 0.5, "ratio"});
      report_.targets.push_back({"submit->in the queue p99 at half the maximum load", half_load_p99_ms_, "<=", 25, "ms"});
    }
    if (Runs("scale") && claim_p99_ms_.size() >= 2 && claim_p99_ms_.front() > 0) {
      report_.targets.push_back({absl::StrCat("ClaimNext p99 @", ScaleName(options_.scale.back()), " / p99 @",
                                              ScaleName(options_.scale.front())),
                                 claim_p99_ms_.back() / claim_p99_ms_.front(), "<=", 2, "ratio"});
    }
    if (Runs("pipeline")) {
      report_.targets.push_back({"Redis memory per queued case, through the pipeline", pipeline_memory_per_case_,
                                 "<=", 2048, "bytes"});
    }
    if (Runs("scale")) {
      report_.targets.push_back({"Redis memory per queued case, record + indexes", fill_memory_per_case_, "<=",
                                 2048, "bytes"});
    }
    if (Runs("upload")) {
      report_.targets.push_back(
          {"UploadImage MiB/s / bare stream+decode MiB/s", upload_ratio_, ">=", 0.7, "ratio"});
    }
  }


  const BenchOptions options_;
  Report report_;
  std::unique_ptr<testing::Stack> stack_;
  std::unique_ptr<testing::ChildProcess> bare_;
  std::shared_ptr<redis::Client> redis_;
  redis::Endpoint redis_endpoint_;  // the way the services reach Redis
  Target real_, bare_target_;
  v1::ImageRef case_image_;
  double submit_ceiling_ = 0, submit_qps_ = 0, upload_ratio_ = 0, queue_ceiling_ = 0, pipeline_rate_ = 0;
  std::string bare_marker_;  // in the bare server's command line: finds its process
  double half_load_p99_ms_ = 0, pipeline_memory_per_case_ = 0, fill_memory_per_case_ = 0;
  std::vector<double> claim_p99_ms_;
};

}  // namespace

BenchOptions SmokeOptions(BenchOptions base) {
  base.channels = 2;
  base.concurrency = 4;
  base.submit_calls = 40;
  base.pipeline_cases = 40;
  base.monitored_cases = 10;
  base.paced_duration = absl::Seconds(1);
  base.upload_mib = {2};
  base.uploads_per_size = 2;
  base.upload_concurrency = 1;
  base.scale = {100, 300};
  base.specialists = 2;
  base.calls_per_level = 20;
  base.warmup_calls_per_level = 8;
  base.redis_benchmark_requests = 2000;
  base.time_limit = absl::Seconds(20);
  return base;
}

absl::StatusOr<Report> RunBench(const BenchOptions& options) { return Bench(options).Run(); }

}  // namespace telederm::bench
