#!/usr/bin/env bash
# Makes a CA and a serving certificate for the capstan Service, then writes the CA (base64 PEM) as caBundle into
# manifests/webhooks.yaml and, when present, as caData into the scheduler's tlsConfig under manifests/scheduler/.
#
#   certs/gen.sh [OUT_DIR]      (default certs/out; `make certs` runs it)
#
# Output: ca.crt ca.key tls.crt tls.key client.crt client.key (a kube-scheduler client certificate signed by the CA).
# Private keys stay in OUT_DIR (git-ignored). Load the serving pair into the cluster with:
#   kubectl -n capstan create secret generic capstan-tls \
#     --from-file=tls.crt=certs/out/tls.crt --from-file=tls.key=certs/out/tls.key --from-file=ca.crt=certs/out/ca.crt
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-certs/out}
days=${CERT_DAYS:-365}
command -v openssl >/dev/null || { echo "certs/gen.sh: openssl is required" >&2; exit 1; }
mkdir -p "$out"
umask 077

openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days "$days" \
  -subj "/CN=capstan-ca" -keyout "$out/ca.key" -out "$out/ca.crt" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

cat > "$out/server.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:capstan,DNS:capstan.capstan,DNS:capstan.capstan.svc,DNS:capstan.capstan.svc.cluster.local,DNS:localhost,IP:127.0.0.1
EXT
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=capstan.capstan.svc" \
  -keyout "$out/tls.key" -out "$out/tls.csr" 2>/dev/null
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -sha256 -days "$days" \
  -extfile "$out/server.ext" -out "$out/tls.crt" 2>/dev/null

cat > "$out/client.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
EXT
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=kube-scheduler" \
  -keyout "$out/client.key" -out "$out/client.csr" 2>/dev/null
openssl x509 -req -in "$out/client.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -sha256 -days "$days" \
  -extfile "$out/client.ext" -out "$out/client.crt" 2>/dev/null
rm -f "$out"/*.csr "$out"/*.ext "$out"/*.srl
chmod 644 "$out/ca.crt" "$out/tls.crt" "$out/client.crt"

openssl verify -CAfile "$out/ca.crt" "$out/tls.crt" >/dev/null
bundle=$(base64 -w0 < "$out/ca.crt")
sed -i -E "s|^([[:space:]]*caBundle:).*$|\1 ${bundle}|" manifests/webhooks.yaml
echo "wrote $out/{ca,tls,client}.{crt,key}; caBundle set in manifests/webhooks.yaml"
if compgen -G "manifests/scheduler/*.yaml" >/dev/null; then
  for f in manifests/scheduler/*.yaml; do
    if grep -qE '^[[:space:]]*caData:' "$f"; then
      sed -i -E "s|^([[:space:]]*caData:).*$|\1 ${bundle}|" "$f"
      echo "caData set in $f"
    fi
  done
fi
