#!/usr/bin/env bash
# Makes a local development CA and certificates with openssl, for running the
# stack over TLS on one machine (deploy/demo.sh does) — never for production,
# where certificates come from your own CA and keys never leave their host.
#
#   deploy/dev-certs.sh DIR      writes into DIR (created if missing):
#     ca.pem ca.key              the development CA (signs everything below)
#     server.pem server.key      the services' certificate: localhost, 127.0.0.1, ::1
#     clinic.pem clinic.key      a clinic device's client certificate (mutual TLS)
#     token-keys                 a bearer-token key ring: "<kid> <hex secret>"
# Existing files are kept, so re-running is harmless. TELEDERM_DEV_CERT_HOSTS
# (space-separated) adds host names to the server certificate, for services
# that reach each other by name (deploy/container-check.sh's containers).
set -euo pipefail
dir=${1:?usage: deploy/dev-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

if [ ! -f ca.pem ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/CN=telederm development CA" -keyout ca.key -out ca.pem \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

issue() {  # name subject extensions
  local name=$1 subject=$2 ext=$3
  [ -f "$name.pem" ] && return 0
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$subject" \
    -keyout "$name.key" -out "$name.csr" 2>/dev/null
  printf '%b' "$ext" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
    -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}
names="DNS:localhost,IP:127.0.0.1,IP:::1"
for host in ${TELEDERM_DEV_CERT_HOSTS:-}; do names+=",DNS:$host"; done
issue server "/CN=telederm services" \
  "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth\nsubjectAltName=$names\n"
issue clinic "/CN=clinic-device-01/O=clinic-kisumu-rural-03" \
  "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\nextendedKeyUsage=clientAuth\n"

if [ ! -f token-keys ]; then
  echo "# kid secret (hex). The first key signs new tokens; all verify. Rotate: add a new first line." > token-keys
  echo "dev-$(date +%Y%m%d) $(openssl rand -hex 32)" >> token-keys
fi
chmod 600 ./*.key token-keys
chmod 644 ./*.pem
echo "dev-certs: CA, server and clinic certificates and token keys in $PWD"
