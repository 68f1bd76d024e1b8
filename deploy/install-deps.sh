#!/usr/bin/env bash
# Installs the Debian 12 packages telederm builds, tests and runs with, when
# any is missing, and the FHIR validator's npm packages (tests/fhir) at the
# versions its package-lock.json pins. Needs root (or sudo). Nothing is
# downloaded from anywhere but Debian's archive and the npm registry.
#
#   deploy/install-deps.sh           everything: build, tests, checks, examples
#   deploy/install-deps.sh --build   only what compiling the services and tools
#                                    needs (deploy/docker/Dockerfile's build stage)
set -euo pipefail

# What compiling the services and tools needs (CMake also finds GTest at configure time).
build_packages=(
  # toolchain
  g++ cmake make pkg-config git ca-certificates
  # RPC, serialisation, Abseil
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  # Redis client, Boost.Asio, OpenSSL
  libhiredis-dev libboost-dev libssl-dev openssl
  # bearer tokens: JSON claims
  nlohmann-json3-dev
  # imaging: only these four OpenCV modules
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-dnn-dev
  # DICOM in and out (common/dicom)
  libdcmtk-dev
  # observability: Prometheus /metrics (civetweb comes with it)
  prometheus-cpp-dev
  libgtest-dev libgmock-dev
)
# What the tests, checks, benchmarks and examples need in addition.
test_packages=(
  # the tests' Redis
  redis-server
  # dcmtk's img2dcm, dcmdump and dcm2pnm make and read the tests' DICOM files
  dcmtk
  # examples/python clients: Debian's gRPC and protobuf for Python; YAML checks of deploy/
  python3-grpcio python3-protobuf python3-grpc-tools python3-yaml
  # benchmarks
  libbenchmark-dev
  # fuzzing: clang's libFuzzer and AddressSanitizer for ctest's fuzz_smoke (tests/fuzz),
  # which is skipped, not run, without them
  clang libclang-rt-14-dev
  # the classifier test builds a tiny ONNX model with Debian's python3
  python3 python3-onnx python3-numpy
  # the console's browser tests (ctest -L browser): headless Chromium driven by Selenium
  chromium chromium-driver python3-selenium
)

packages=("${build_packages[@]}")
build_only=0
[ "${1:-}" = "--build" ] && build_only=1
[ "$build_only" = 1 ] || packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The FHIR validator (ctest -L fhir, tests/fhir) runs on Debian's nodejs,
# installed by npm; a node and npm already on PATH serve as well. A
# Dockerfile's build stage copies this script alone: no tests, no validator.
fhir="$(cd "$(dirname "$0")/.." && pwd)/tests/fhir"
[ "$build_only" = 1 ] && fhir=/nonexistent
if [ -f "$fhir/package-lock.json" ]; then
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-deps: done"
fi

# The FHIR validator's packages, into tests/fhir/node_modules, once per
# package-lock.json: the tests then run offline.
if [ -f "$fhir/package-lock.json" ] &&
  ! cmp -s "$fhir/package-lock.json" "$fhir/node_modules/.installed-package-lock.json"; then
  echo "install-deps: npm ci in tests/fhir (the FHIR validator)"
  # Without the registry the rest still builds and tests; ctest -L fhir then
  # fails, saying the validator is missing.
  # npm trusts the machine's CA store (a proxy's CA installed there included),
  # not only the CAs bundled with Node.
  cafile=()
  [ -f /etc/ssl/certs/ca-certificates.crt ] && cafile=(--cafile /etc/ssl/certs/ca-certificates.crt)
  if npm ci --prefix "$fhir" "${cafile[@]}" --no-audit --no-fund --loglevel=error; then
    cp "$fhir/package-lock.json" "$fhir/node_modules/.installed-package-lock.json"
  else
    echo "install-deps: npm ci failed: the FHIR validator is missing until it succeeds" >&2
  fi
fi
