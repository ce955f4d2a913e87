#!/usr/bin/env bash
# Makes a CA, Capstan's serving certificate and kube-scheduler's client certificate, then writes the CA (base64 PEM)
# as caBundle into manifests/webhooks.yaml and, where the key is present, as caData into manifests/scheduler/*.yaml.
# The work is done by `capstan certs` (src/Capstan.Tls, the same code the sandbox and the tests use); no openssl.
#
#   certs/gen.sh [OUT_DIR]      (default certs/out; `make certs` runs it; CERT_DAYS=N sets the validity, default 365)
#
# Output: ca.crt ca.key tls.crt tls.key client.crt client.key. Private keys (mode 600) stay in OUT_DIR (git-ignored).
# Load the serving pair into the cluster with:
#   kubectl -n capstan create secret generic capstan-tls \
#     --from-file=tls.crt=certs/out/tls.crt --from-file=tls.key=certs/out/tls.key --from-file=ca.crt=certs/out/ca.crt
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-certs/out}")   # OUT_DIR is relative to the repository root, as it always was
# Absolute paths: `dotnet run` starts the web project in its own folder, not here.
exec "${DOTNET:-dotnet}" run --project src/Capstan.Host -c "${CONFIG:-Release}" --no-launch-profile -- \
  certs --out "$out" --days "${CERT_DAYS:-365}" --manifests "$PWD/manifests"
