#!/bin/sh
# tkmsd-basic.sh: the tkmsd shell on free loopback ports: /healthz on plain
# HTTP and HTTPS (ephemeral certificate written out, fingerprint logged),
# the /mikey routing of P-5/P-6 (405 + Allow, 415, 413 over 64 KiB, 401
# challenge of P-27 on HTTPS, the engine's 400 for bodies that are not
# MIKEY), keep-alive, the PID file, SIGHUP reload (a broken file is refused
# and the running configuration kept), and SIGTERM with a request in flight
# (it completes; exit status 0; PID file removed). Then a second daemon with
# a configured certificate and client CA: a network function's verified
# client certificate is its transport identity (P-14).
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init tkmsd-basic
TKMSD="$TK_BUILDDIR/src/tkmsd/tkmsd"
[ -x "$TKMSD" ] || tk_fail "$TKMSD not built"

P_PSK=$(tk_free_port); P_HTTPS=$(tk_free_port); P_HTTP=$(tk_free_port)
P_NOBSF=$(tk_free_port) # nothing listens here: Zn is unreachable
CONF="$TK_TMP/kms.json"
cat >"$CONF" <<EOF
{ "_note": "comment members are ignored",
  "listeners": { "psk":   { "listen": "127.0.0.1:$P_PSK" },
                 "https": { "listen": "127.0.0.1:$P_HTTPS", "cert_out": "$TK_TMP/kms-cert.pem" },
                 "http":  { "enabled": true, "listen": "127.0.0.1:$P_HTTP" } },
  "bsf": { "url": "http://127.0.0.1:$P_NOBSF", "connect_timeout_ms": 500, "timeout_ms": 1000 },
  "pid_file": "$TK_TMP/kms.pid", "keyring": "$TK_TMP/keyring.json",
  "audit": { "path": "$TK_TMP/audit.log" } }
EOF
out=$("$TKMSD" --check-config --config "$CONF") || tk_fail "check-config: $out"
tk_expect_eq "$out" "$CONF: configuration OK" "--check-config accepts the test configuration"

tk_start kms "$TKMSD" --config "$CONF"
HTTP="http://127.0.0.1:$P_HTTP"
HTTPS="https://127.0.0.1:$P_HTTPS"
tk_wait_http "$HTTP/healthz" 10 kms

tk_expect_status 200 "GET /healthz on plain HTTP" "$HTTP/healthz"
tk_expect_eq "$(cat "$TK_BODY")" "ok" "healthz body"
tk_expect_eq "$(cat "$TK_TMP/kms.pid" 2>/dev/null)" "$(tk__pid kms)" "PID file holds the daemon's pid"

# HTTPS with the ephemeral certificate, verified against the file it wrote.
[ -s "$TK_TMP/kms-cert.pem" ] || tk_fail "cert_out not written"
code=$(curl -s --max-time 10 --cacert "$TK_TMP/kms-cert.pem" -o "$TK_BODY" -w '%{http_code}' "$HTTPS/healthz")
tk_expect_eq "$code" 200 "GET /healthz over HTTPS verified with the written certificate"
want=$(certtool --fingerprint --hash sha256 --infile "$TK_TMP/kms-cert.pem" 2>/dev/null | tr -d ':\n' | tr a-f A-F)
got=$(sed -n 's/.*ephemeral self-signed.*SHA-256 \([0-9A-F:]*\).*/\1/p' "$TK_TMP/kms.log" | tr -d ':')
[ -n "$want" ] || tk_fail "certtool gave no fingerprint"
tk_expect_eq "$got" "$want" "logged SHA-256 fingerprint equals the served certificate's"

# Keep-alive: two requests, one connection.
n=$(curl -sv --max-time 10 "$HTTP/healthz" "$HTTP/healthz" 2>&1 >/dev/null | grep -c 'Re-using existing connection')
tk_expect_eq "$n" 1 "second request reuses the connection"

# Routing (P-5, P-6).
tk_expect_status 405 "POST /healthz" -X POST "$HTTP/healthz"
tk_expect_status 405 "GET /mikey" -D "$TK_TMP/h" "$HTTP/mikey"
grep -qi '^Allow: POST' "$TK_TMP/h" || tk_fail "405 without Allow: POST"
tk_ok "405 carries Allow: POST"
tk_expect_status 415 "POST /mikey as text/plain" -H 'Content-Type: text/plain' --data-binary abc "$HTTP/mikey"
tk_expect_status 404 "unknown path" "$HTTP/other"
head -c 65537 /dev/zero >"$TK_TMP/big"
head -c 65536 /dev/zero >"$TK_TMP/max"
tk_expect_status 413 "POST /mikey of 64 KiB + 1" -H 'Content-Type: application/mikey' --data-binary "@$TK_TMP/big" "$HTTP/mikey"
tk_expect_status 400 "POST /mikey of exactly 64 KiB reaches the engine: not MIKEY" \
	-H 'Content-Type: application/mikey' --data-binary "@$TK_TMP/max" "$HTTP/mikey"
tk_expect_status 400 "POST /mikey; charset parameter tolerated, body refused by the engine" \
	-H 'Content-Type: application/mikey; x=y' --data-binary abc "$HTTP/mikey"

# HTTPS needs GBA Digest: a complete P-27 challenge, fresh nonce each time.
tk_expect_status 401 "POST /mikey over HTTPS without credentials" -D "$TK_TMP/h1" \
	-H 'Content-Type: application/mikey' --data-binary abc "$HTTPS/mikey"
www=$(grep -i '^WWW-Authenticate:' "$TK_TMP/h1" | tr -d '\r')
case "$www" in *'Digest realm="3GPP-bootstrapping@kms.home1.net"'*) tk_ok "realm 3GPP-bootstrapping@<kms fqdn>" ;;
	*) tk_fail "challenge realm: $www" ;; esac
case "$www" in *'qop="auth"'*) tk_ok "qop auth" ;; *) tk_fail "qop: $www" ;; esac
n1=$(printf '%s' "$www" | sed -n 's/.*nonce="\([^"]*\)".*/\1/p')
tk_http /dev/null -D "$TK_TMP/h2" -H 'Content-Type: application/mikey' --data-binary abc "$HTTPS/mikey" >/dev/null
n2=$(grep -i '^WWW-Authenticate:' "$TK_TMP/h2" | sed -n 's/.*nonce="\([^"]*\)".*/\1/p')
[ -n "$n1" ] && [ "$n1" != "$n2" ] || tk_fail "nonces: '$n1' '$n2'"
tk_ok "each challenge has a fresh nonce"
# A well-formed Digest answer needs the key of its B-TID: with the BSF
# unreachable that is 503 with Retry-After (P-6).
tk_expect_status 503 "Digest answer while the BSF is unreachable" -D "$TK_TMP/h3" \
	-H 'Content-Type: application/mikey' --data-binary abc \
	-H "Authorization: Digest username=\"AAAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net\", realm=\"3GPP-bootstrapping@kms.home1.net\", nonce=\"$n1\", uri=\"/mikey\", qop=auth, nc=00000001, cnonce=\"x\", response=\"00000000000000000000000000000000\"" \
	"$HTTPS/mikey"
grep -qi '^Retry-After: [0-9]' "$TK_TMP/h3" || tk_fail "503 without Retry-After"
tk_ok "503 carries Retry-After"

# SIGHUP: a valid file is applied, a broken one is reported and ignored.
kill -HUP "$(tk__pid kms)"
tk_wait_log kms "SIGHUP: $CONF reloaded: ticket engine with key ring $TK_TMP/keyring.json (1 key, current id 1)" \
	"SIGHUP with a valid file not reported"
tk_ok "SIGHUP reloads the configuration and the key ring"
cp "$CONF" "$TK_TMP/kms.good"
echo '{ "limits": { "threads": 0 } }' >"$CONF"
kill -HUP "$(tk__pid kms)"
tk_wait_log kms "SIGHUP: configuration not valid, keeping the running one: $CONF: limits.threads: 0 is out of range 1..256" \
	"SIGHUP with a broken file not reported"
tk_ok "SIGHUP with a broken file keeps the running configuration"
tk_expect_status 200 "still serving after SIGHUP" "$HTTP/healthz"

# SIGTERM while a slow upload is in flight: it completes, then a clean exit.
head -c 40000 /dev/zero >"$TK_TMP/slow"
curl -s --max-time 20 --limit-rate 16k -o "$TK_TMP/slow.body" -w '%{http_code}' \
	-H 'Content-Type: application/mikey' --data-binary "@$TK_TMP/slow" "$HTTP/mikey" >"$TK_TMP/slow.code" &
cpid=$!
sleep 1
tk_stop kms
wait "$cpid"
tk_expect_eq "$TK_LAST_RC" 0 "SIGTERM: exit status 0"
tk_expect_eq "$(cat "$TK_TMP/slow.code")" 400 "the in-flight request got its answer"
[ ! -e "$TK_TMP/kms.pid" ] || tk_fail "PID file left behind"
tk_ok "PID file removed at exit"
grep -q 'stopped' "$TK_TMP/kms.log" || tk_fail "no 'stopped' line"
tk_ok "logged the stop"

# Configured certificate files and client certificates (openssl CLI).
command -v openssl >/dev/null || tk_fail "openssl missing (apt-get install openssl)"
cd "$TK_TMP" || tk_fail "cd"
EC="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
openssl req -x509 $EC -keyout ca.key -out ca.pem -subj /CN=lab-ca -days 2 \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign >/dev/null 2>&1 || tk_fail "CA"
printf 'subjectAltName=IP:127.0.0.1,DNS:kms.home1.net\n' >srv.ext
openssl req $EC -keyout srv.key -out srv.csr -subj /CN=kms.home1.net >/dev/null 2>&1 &&
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
	-extfile srv.ext -out srv.pem >/dev/null 2>&1 || tk_fail "server certificate"
openssl req $EC -keyout li.key -out li.csr -subj /CN=li-1/O=home1 >/dev/null 2>&1 &&
	openssl x509 -req -in li.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
	-out li.pem >/dev/null 2>&1 || tk_fail "client certificate"
openssl req -x509 $EC -keyout rogue.key -out rogue.pem -subj /CN=li-1/O=home1 -days 2 \
	>/dev/null 2>&1 || tk_fail "rogue certificate"
P_TLS=$(tk_free_port)
cat >"$TK_TMP/kms2.json" <<EOF
{ "listeners": { "psk": { "enabled": false },
                 "https": { "listen": "127.0.0.1:$P_TLS", "cert": "$TK_TMP/srv.pem",
                            "key": "$TK_TMP/srv.key", "client_ca": "$TK_TMP/ca.pem" } },
  "bsf": { "url": "http://127.0.0.1:$P_NOBSF", "connect_timeout_ms": 500 },
  "keyring": "$TK_TMP/keyring2.json",
  "network_functions": [ { "name": "li-1", "cert_subject": "O=home1,CN=li-1", "intercept": true } ] }
EOF
tk_start kms2 "$TKMSD" --config "$TK_TMP/kms2.json"
TLS="https://127.0.0.1:$P_TLS"
tk_wait_http "$TLS/healthz" 10 kms2
grep -q 'ephemeral' "$TK_TMP/kms2.log" && tk_fail "ephemeral certificate despite cert/key"
code=$(curl -s --max-time 10 --cacert ca.pem -o /dev/null -w '%{http_code}' "$TLS/healthz")
tk_expect_eq "$code" 200 "configured certificate served (verified against its CA)"
code=$(curl -s --max-time 10 --cacert ca.pem --cert li.pem --key li.key -o /dev/null -w '%{http_code}' \
	-H 'Content-Type: application/mikey' --data-binary abc "$TLS/mikey")
tk_expect_eq "$code" 400 "client certificate instead of Digest reaches /mikey (engine: not MIKEY)"
grep -q "https 127.0.0.1:[0-9]* POST /mikey (3 octets, client certificate O=home1,CN=li-1)" "$TK_TMP/kms2.log" ||
	tk_fail "client DN not passed on: $(grep mikey "$TK_TMP/kms2.log")"
tk_ok "the verified client DN is the transport identity"
code=$(curl -s --max-time 10 --cacert ca.pem --cert rogue.pem --key rogue.key -o /dev/null -w '%{http_code}' \
	-H 'Content-Type: application/mikey' --data-binary abc "$TLS/mikey")
tk_expect_eq "$code" 401 "a self-made certificate with the same DN is not trusted (Digest asked)"
code=$(curl -s --max-time 10 --cacert ca.pem -o /dev/null -w '%{http_code}' \
	-H 'Content-Type: application/mikey' --data-binary abc "$TLS/mikey")
tk_expect_eq "$code" 401 "no certificate: Digest asked"
tk_stop kms2
tk_expect_eq "$TK_LAST_RC" 0 "second daemon: exit status 0"
tk_done
