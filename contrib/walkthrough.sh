#!/bin/sh
# contrib/walkthrough.sh BUILDDIR: the README's "Trying it with curl", as a
# script. The lines between the ">>> walkthrough" and "<<< walkthrough"
# markers are exactly the commands the README shows (tests/system/walkthrough.sh
# checks that they agree and runs this script). They bootstrap Alice with
# tkms-ue, keep a REQUEST_INIT in a file, POST it to tkmsd's HTTPS listener
# with curl and GBA HTTP Digest, and decode the answer with tkms-mikey.
# Environment (optional): UB_PORT ZN_PORT KMS_PORT (8080 8081 8444), WALK_DIR
# (scratch directory, kept; default a temp dir, removed).
B=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
PATH=$B/src/ue:$B/src/tkmsd:$B/bsf-stub:$B/src/tools:$PATH
UB_PORT=${UB_PORT:-8080} ZN_PORT=${ZN_PORT:-8081} KMS_PORT=${KMS_PORT:-8444}
if [ -n "${WALK_DIR:-}" ]; then mkdir -p "$WALK_DIR" && cd "$WALK_DIR" || exit 2
else cd "$(mktemp -d "${TMPDIR:-/tmp}/tkms-curl.XXXXXX")" || exit 2; fi
BSF_PID= KMS_PID=
trap 'kill $KMS_PID $BSF_PID 2>/dev/null; [ -n "${WALK_DIR:-}" ] || rm -rf "$PWD"' EXIT

# >>> walkthrough
# A BSF and a KMS with their embedded lab defaults. tkmsd makes a self-signed
# certificate at start; cert_out writes it where curl can trust it.
bsf-stub --ub-listen 127.0.0.1:$UB_PORT --zn-listen 127.0.0.1:$ZN_PORT --state-dir bsf-state >bsf.log 2>&1 &
BSF_PID=$!
cat >kms.json <<EOF
{ "listeners": { "psk": { "enabled": false },
                 "https": { "listen": "127.0.0.1:$KMS_PORT", "cert_out": "kms-cert.pem" } },
  "bsf": { "url": "http://127.0.0.1:$ZN_PORT" } }
EOF
tkmsd --config kms.json >kms.log 2>&1 &
KMS_PID=$!
for i in 1 2 3 4 5 6 7 8 9 10; do    # until both answer
    curl -s -o /dev/null http://127.0.0.1:$UB_PORT/healthz &&
        curl -s --cacert kms-cert.pem -o /dev/null https://127.0.0.1:$KMS_PORT/healthz && break
    sleep 0.2
done

# 1. Alice bootstraps over Ub (HTTP Digest AKA); K and OPc of her SIM are the
#    ones `bsf-stub --print-config` shows.
tkms-ue --state alice.state bootstrap --bsf http://127.0.0.1:$UB_PORT --impi alice@home1.net \
    --k 465b5ce8b199b49faa5f0a2ee238a601 --opc cd63cb71954a9f4e48a5994e37a02baf

# 2. A REQUEST_INIT for a ticket to Bob, written to req.mikey and not sent
#    (--no-send); the call file alice.call remembers it for the answer.
tkms-ue --state alice.state request --call alice.call --impu sip:alice@home1.net \
    --to sip:bob@home1.net --kms-fqdn kms.home1.net --no-send --out req.mikey

# 3. The keys (profile P-1). The MIKEY PSK is Ks_NAF for Ua id 01 00 00 00 06.
#    HTTP Digest inside TLS (TS 33.222 5.3) uses username = B-TID and password
#    = base64(Ks_NAF) for Ua id 01 00 01 yy zz, yy zz = the TLS cipher suite.
#    curl is held to TLS 1.2 and ECDHE-ECDSA-AES128-GCM-SHA256 = c0 2b (the
#    lab certificate is ECDSA); this line shows what curl negotiates.
curl -sv --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 --cacert kms-cert.pem \
    -o /dev/null https://127.0.0.1:$KMS_PORT/healthz 2>&1 | grep 'SSL connection using'
tkms-ue --state alice.state naf-key --naf kms.home1.net --ua 010001c02b --json >digest.json
BTID=$(sed -n 's/.*"btid": "\(.*\)".*/\1/p' digest.json)
PASSWORD=$(sed -n 's/.*"password": "\(.*\)".*/\1/p' digest.json)
PSK=$(tkms-ue --state alice.state naf-key --naf kms.home1.net --ua 0100000006)
tkms-mikey decode --psk "$PSK" req.mikey >req.json
grep -A2 '"data_type"' req.json | head -n 3; sed -n '/"verification"/,$p' req.json

# 4. POST it to the KMS with curl and GBA Digest, read the answer.
curl --digest -u "$BTID:$PASSWORD" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 \
    --cacert kms-cert.pem --data-binary @req.mikey -H 'Content-Type: application/mikey' \
    -s -o resp.mikey -w 'HTTP %{http_code} %{content_type}\n' https://127.0.0.1:$KMS_PORT/mikey
tkms-mikey decode --psk "$PSK" --init req.mikey resp.mikey >resp.json
grep -A2 '"data_type"' resp.json | head -n 3; sed -n '/"verification"/,$p' resp.json
#    tkms-ue takes the answer from the file: Alice now holds the ticket.
tkms-ue --state alice.state request --call alice.call --response resp.mikey

# 5. The same message once more: the KMS remembers it (P-9) and refuses the
#    replay with 400 and a MIKEY Error 1 (Invalid TS).
curl --digest -u "$BTID:$PASSWORD" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 \
    --cacert kms-cert.pem --data-binary @req.mikey -H 'Content-Type: application/mikey' \
    -s -o replay.mikey -w 'HTTP %{http_code}\n' https://127.0.0.1:$KMS_PORT/mikey
tkms-mikey decode --compact replay.mikey | grep -o '"Error_no":{[^}]*}'
kill $KMS_PID $BSF_PID
# <<< walkthrough
