#!/bin/sh
# kms-creds.sh: credentials without GBA (issue 6 item 7) through the real
# tkmsd, bsf-stub and tkms-ue: a password user (users file, HTTP Digest of
# realm tkms-users@<fqdn> on HTTPS, IDRpsk = username) asks for a ticket, a
# certificate user resolves it with RESOLVE_INIT_PK over HTTPS with its TLS
# client certificate, the call completes (SRTP keys equal on both sides); a
# GBA user's ticket is resolved by the certificate user and a certificate
# user's (PSS) by a GBA user over PSK-TLS. Refusals: wrong password (401),
# Digest username other than IDRpsk (403, MIKEY Error 0), certificate not in
# client_certs (403), altered signature (403, Error 0), certificate of an
# unknown CA (403 over plain HTTP; over HTTPS the TLS client certificate is
# not verified, so 401), PK disabled (400, Error 11). Certificates are made
# here with certtool; `tkmsd user-hash` makes the users file.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init kms-creds
UE="$TK_BUILDDIR/src/ue/tkms-ue"
TKMSD="$TK_BUILDDIR/src/tkmsd/tkmsd"
MIKEY="$TK_BUILDDIR/src/tools/tkms-mikey"
for p in "$UE" "$TKMSD" "$MIKEY"; do [ -x "$p" ] || tk_fail "$p not built"; done
command -v certtool >/dev/null || tk_fail "certtool (gnutls-bin) is needed"
command -v openssl >/dev/null || tk_fail "openssl is needed"
K1=465b5ce8b199b49faa5f0a2ee238a6
OPC=cd63cb71954a9f4e48a5994e37a02baf
C="$TK_TMP/certs"; mkdir -p "$C"

# ---- certificates: a CA, users bob and mallory, a rogue CA's bob ----------
mkkey() { certtool --generate-privkey --key-type rsa --bits 2048 --outfile "$C/$1.key" 2>/dev/null &&
	chmod 600 "$C/$1.key"; }
ca() { # NAME CN
	mkkey "$1"
	printf 'cn = "%s"\norganization = "home1"\nca\ncert_signing_key\nexpiration_days = 2\n' "$2" \
		>"$C/$1.tmpl"
	certtool --generate-self-signed --load-privkey "$C/$1.key" --template "$C/$1.tmpl" \
		--outfile "$C/$1.pem" 2>/dev/null || tk_fail "certtool: CA $1"
}
user() { # NAME CN CA [SAN-URI]
	mkkey "$1"
	printf 'cn = "%s"\norganization = "home1"\ntls_www_client\nsigning_key\nencryption_key\nexpiration_days = 2\n' \
		"$2" >"$C/$1.tmpl"
	[ -z "$4" ] || printf 'uri = "%s"\n' "$4" >>"$C/$1.tmpl"
	certtool --generate-certificate --load-privkey "$C/$1.key" --load-ca-certificate "$C/$3.pem" \
		--load-ca-privkey "$C/$3.key" --template "$C/$1.tmpl" --outfile "$C/$1.pem" 2>/dev/null ||
		tk_fail "certtool: $1"
}
ca ca "tkms test CA"
ca rogue "rogue CA"
user bob bob ca
user mallory mallory ca
user bobrogue bob rogue
user erin erin ca sip:erin@home1.net
BOB_DN=$(openssl x509 -in "$C/bob.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
[ "$BOB_DN" = "CN=bob,O=home1" ] || tk_fail "unexpected DN of bob: $BOB_DN"
tk_ok "certificates made with certtool (CA, bob, mallory, bob of a rogue CA, erin with a SAN URI)"

# ---- the users file: carol and dave, HA1 only ---------------------------------
printf 'carol-secret\n' | "$TKMSD" user-hash carol sip:carol@home1.net >"$TK_TMP/carol.json" ||
	tk_fail "tkmsd user-hash"
printf 'dave-secret\n' | "$TKMSD" user-hash dave sip:dave@home1.net >"$TK_TMP/dave.json"
grep -q '"ha1": "[0-9a-f]\{32\}"' "$TK_TMP/carol.json" || tk_fail "user-hash: $(cat "$TK_TMP/carol.json")"
grep -q 'carol-secret' "$TK_TMP/carol.json" && tk_fail "user-hash printed the password"
want=$(printf 'carol:tkms-users@kms.home1.net:carol-secret' | md5sum | cut -c1-32)
grep -q "\"ha1\": \"$want\"" "$TK_TMP/carol.json" || tk_fail "HA1 is not MD5(user:realm:password)"
printf '{ "users": [ %s, %s ] }\n' "$(cat "$TK_TMP/carol.json")" "$(cat "$TK_TMP/dave.json")" \
	>"$TK_TMP/users.json"
chmod 600 "$TK_TMP/users.json"
tk_ok "tkmsd user-hash: HA1 = MD5(username:tkms-users@kms.home1.net:password), no password kept"

# ---- bsf-stub and tkmsd ---------------------------------------------------------
tk_start_bsf
P_PSK=$(tk_free_port); P_HTTPS=$(tk_free_port); P_HTTP=$(tk_free_port)
kms_conf() { # FILE PK-ENABLED [SAN-IMPUS]
	cat >"$1" <<EOF2
{ "listeners": {
    "psk":   { "listen": "127.0.0.1:$P_PSK" },
    "https": { "listen": "127.0.0.1:$P_HTTPS", "cert_out": "$TK_TMP/kms-https.pem",
               "client_ca": "$C/ca.pem" },
    "http":  { "enabled": true, "listen": "127.0.0.1:$P_HTTP" } },
  "bsf": { "url": "$BSF_ZN_URL", "token": "$BSF_TOKEN" },
  "pk": { "enabled": $2, "cert": "$TK_TMP/pk-cert.pem", "key": "$TK_TMP/pk-key.pem",
          "san_impus": ${3:-false} },
  "client_certs": [ { "subject": "$BOB_DN", "impus": [ "sip:bob@home1.net" ], "name": "bob-cert" } ],
  "users": "$TK_TMP/users.json",
  "keyring": "$TK_TMP/keyring.json",
  "audit": { "path": "$TK_TMP/audit.log" },
  "replay_cache_size": 10000 }
EOF2
}
kms_conf "$TK_TMP/kms.json" true
"$TKMSD" --config "$TK_TMP/kms.json" --check-config >/dev/null || tk_fail "--check-config"
tk_start kms "$TKMSD" --config "$TK_TMP/kms.json"
tk_wait_http "https://127.0.0.1:$P_HTTPS/healthz" 10 kms
HTTPS="https://127.0.0.1:$P_HTTPS"
HTTP="http://127.0.0.1:$P_HTTP"
PSK="psk://127.0.0.1:$P_PSK"
[ -s "$TK_TMP/pk-cert.pem" ] && [ "$(stat -c %a "$TK_TMP/pk-key.pem")" = 600 ] ||
	tk_fail "PK certificate / key (0600) not made at start"
grep -q "pk: .* did not exist: made an RSA key" "$TK_TMP/kms.log" || tk_fail "no log line for the PK key"
tk_ok "tkmsd made its PK key (0600) and certificate at the first start"
KMSOPT="--kms-fqdn kms.home1.net --cacert $TK_TMP/kms-https.pem"
BOB="--cert $C/bob.pem --key $C/bob.key --kms-cert $TK_TMP/pk-cert.pem"

ue() { tk_ue "$@"; }
run() { tk_run "$@"; }
# refused WANT-EXIT DESCRIPTION CMD...: the command fails with that exit status
refused() {
	_w=$1; _d=$2; shift 2
	"$@" >"$TK_TMP/out" 2>&1; _rc=$?
	[ "$_rc" = "$_w" ] || tk_fail "$_d: exit $_rc, expected $_w: $(cat "$TK_TMP/out")"
}
keys() {
	{ tr -d ' \n' <"$1"; echo; } | sed 's/},{/}\n{/g' |
		sed -n 's/.*"cs_id":\([0-9]*\).*"master_key":"\([0-9a-f]*\)","master_salt":"\([0-9a-f]*\)".*/\1 \2 \3/p'
}
# finish_call DIR: transfer-resp (bob), accept (initiator), keys equal
finish_call() {
	run "transfer-resp" ue bob transfer-resp --call "$1/b.call" --out "$1/tr.mikey"
	run "accept" ue x accept --call "$1/a.call" --in "$1/tr.mikey"
	run "srtp-keys a" ue x srtp-keys --call "$1/a.call" --json
	keys "$TK_TMP/out" >"$1/ka"
	run "srtp-keys b" ue x srtp-keys --call "$1/b.call" --json
	keys "$TK_TMP/out" >"$1/kb"
	[ -s "$1/ka" ] && cmp -s "$1/ka" "$1/kb" || tk_fail "$1: SRTP keys differ: $(cat "$1/ka") / $(cat "$1/kb")"
}

# ---- 1. password user -> certificate user ----------------------------------------------
D="$TK_TMP/c1"; mkdir -p "$D"
run "carol request" ue x request --call "$D/a.call" --impu sip:carol@home1.net --to sip:bob@home1.net \
	--kms "$HTTPS" $KMSOPT --user carol --password carol-secret --json
grep -q '"http_status": 200' "$TK_TMP/out" && grep -q '"transport": "HTTPS+Digest (user carol)"' "$TK_TMP/out" ||
	tk_fail "carol request: $(cat "$TK_TMP/out")"
tk_ok "password user carol: REQUEST_INIT_PSK (IDRpsk Byte string) over HTTPS + Digest of the users realm"
run "carol transfer-init" ue x transfer-init --call "$D/a.call" --out "$D/ti.mikey"
run "bob resolve" ue x resolve --call "$D/b.call" --in "$D/ti.mikey" --impu sip:bob@home1.net \
	--kms "$HTTPS" $KMSOPT $BOB --no-send --out "$D/ri.mikey"
"$MIKEY" decode --compact "$D/ri.mikey" >"$D/ri.txt" 2>&1 || tk_fail "decode: $(cat "$D/ri.txt")"
grep -q 'RESOLVE_INIT_PK' "$D/ri.txt" && grep -q '"SIGN"\|"sign"' "$D/ri.txt" ||
	tk_fail "not a signed RESOLVE_INIT_PK: $(head -c 600 "$D/ri.txt")"
run "bob resolve" ue x resolve --call "$D/b.call" --in "$D/ti.mikey" --impu sip:bob@home1.net \
	--kms "$HTTPS" $KMSOPT $BOB --json
grep -q '"http_status": 200' "$TK_TMP/out" && grep -q 'client certificate' "$TK_TMP/out" ||
	tk_fail "bob resolve: $(cat "$TK_TMP/out")"
finish_call "$D"
tk_ok "certificate user bob resolved carol's ticket with RESOLVE_INIT_PK over HTTPS + client certificate; SRTP keys equal"
grep '"operation": *"request"' "$TK_TMP/audit.log" | grep -q '"btid": *"carol"' ||
	tk_fail "audit: no request by carol: $(cat "$TK_TMP/audit.log")"
grep '"operation": *"resolve"' "$TK_TMP/audit.log" | grep -q "$BOB_DN" ||
	tk_fail "audit: no resolve by $BOB_DN: $(cat "$TK_TMP/audit.log")"
tk_ok "audit lines name the password user and the certificate subject"

# ---- 2. GBA alice -> certificate bob; certificate bob (PSS) -> GBA alice ------------------
ue alice bootstrap --bsf "$BSF_UB_URL" --impi alice@home1.net --k "${K1}01" --opc "$OPC" \
	>"$TK_TMP/boot.out" 2>&1 || tk_fail "alice bootstrap: $(cat "$TK_TMP/boot.out")"
D="$TK_TMP/c2"; mkdir -p "$D"
run "alice request" ue alice request --call "$D/a.call" --impu sip:alice@home1.net --to sip:bob@home1.net \
	--kms "$PSK" $KMSOPT
run "alice transfer-init" ue alice transfer-init --call "$D/a.call" --out "$D/ti.mikey"
run "bob resolve" ue x resolve --call "$D/b.call" --in "$D/ti.mikey" --impu sip:bob@home1.net \
	--kms "$HTTPS" $KMSOPT $BOB
finish_call "$D"
tk_ok "GBA user's ticket (PSK-TLS) resolved by the certificate user; SRTP keys equal"
D="$TK_TMP/c3"; mkdir -p "$D"
run "bob request" ue x request --call "$D/a.call" --impu sip:bob@home1.net --to sip:alice@home1.net \
	--kms "$HTTPS" $KMSOPT $BOB --pss --algs 256
run "bob transfer-init" ue x transfer-init --call "$D/a.call" --out "$D/ti.mikey"
run "alice resolve" ue alice resolve --call "$D/b.call" --in "$D/ti.mikey" --impu sip:alice@home1.net \
	--kms "$PSK" $KMSOPT
run "transfer-resp" ue alice transfer-resp --call "$D/b.call" --out "$D/tr.mikey"
run "accept" ue x accept --call "$D/a.call" --in "$D/tr.mikey"
tk_ok "certificate user (RSA-PSS, 256-bit set) asked, GBA user resolved over PSK-TLS, call accepted"

# ---- refusals ---------------------------------------------------------------------------
D="$TK_TMP/r"; mkdir -p "$D"
refused 3 "wrong password" ue x request --call "$D/a.call" --impu sip:carol@home1.net \
	--to sip:bob@home1.net --kms "$HTTPS" $KMSOPT --user carol --password guess
grep -q 'HTTP 401' "$TK_TMP/out" || tk_fail "wrong password: $(cat "$TK_TMP/out")"
tk_ok "wrong password: 401"
# carol's message sent with dave's Digest credentials
run "carol no-send" ue x request --call "$D/a.call" --impu sip:carol@home1.net --to sip:bob@home1.net \
	--kms-fqdn kms.home1.net --user carol --password carol-secret --no-send --out "$D/carol.mikey"
run "dave no-send" ue x request --call "$D/a.call" --impu sip:dave@home1.net --to sip:bob@home1.net \
	--kms "$HTTPS" $KMSOPT --user dave --password dave-secret --no-send --out "$D/dave.mikey"
run "dave no-send (old password)" ue x request --call "$D/a.call" --impu sip:dave@home1.net \
	--to sip:bob@home1.net --kms-fqdn kms.home1.net --user dave --password old-secret --no-send \
	--out "$D/dave-old.mikey"
# users_post USER PASSWORD FILE [URL]: POST FILE answering the users-realm
# Digest challenge by hand (RFC 2617, qop auth) -> HTTP status in $st, body
# in $D/body
md5() { printf '%s' "$1" | md5sum | cut -c1-32; }
users_post() {
	_url=${4:-$HTTPS/mikey}
	curl -sk -D "$D/h401" -o /dev/null -H 'Content-Type: application/mikey' \
		--data-binary @"$3" "$_url"
	_nonce=$(grep -i '^WWW-Authenticate: Digest realm="tkms-users@' "$D/h401" |
		sed 's/.*nonce="\([^"]*\)".*/\1/')
	[ -n "$_nonce" ] || tk_fail "no users-realm challenge: $(cat "$D/h401")"
	_ha1=$(md5 "$1:tkms-users@kms.home1.net:$2")
	_r=$(md5 "$_ha1:$_nonce:00000001:0a1b2c3d:auth:$(md5 "POST:/mikey")")
	st=$(tk_http "$D/body" -H 'Content-Type: application/mikey' -H "Authorization: Digest \
username=\"$1\", realm=\"tkms-users@kms.home1.net\", nonce=\"$_nonce\", uri=\"/mikey\", \
algorithm=MD5, qop=auth, nc=00000001, cnonce=\"0a1b2c3d\", response=\"$_r\"" \
		--data-binary @"$3" "$_url")
}
# mikey_error: the Error no of the MIKEY Error message in $D/body
mikey_error() {
	"$MIKEY" decode --compact "$D/body" 2>/dev/null |
		sed -n 's/.*"Error_no":{"value":\([0-9]*\).*/\1/p' | head -1
}
users_post carol carol-secret "$D/carol.mikey"
[ "$st" = 200 ] || tk_fail "hand-made users Digest refused: $st $(head -c 200 "$D/body")"
[ "$(grep -ic '^WWW-Authenticate: Digest' "$D/h401")" = 2 ] &&
	head -n 20 "$D/h401" | grep -i '^WWW-Authenticate' | head -1 | grep -q '3GPP-bootstrapping@' ||
	tk_fail "401 does not offer the GBA realm first, then the users realm: $(cat "$D/h401")"
tk_ok "401 offers both realms (GBA first); a hand-made users-realm Digest is accepted"
users_post dave dave-secret "$D/dave.mikey"
[ "$st" = 200 ] || tk_fail "dave: $st"
users_post dave dave-secret "$D/dave-old.mikey"
[ "$st" = 403 ] && [ "$(mikey_error)" = 0 ] || tk_fail "dave, MIKEY keyed from another password: $st"
tk_ok "right Digest password but a MIKEY message keyed from another one: 403, MIKEY Error 0"
run "carol no-send 2" ue x request --call "$D/a.call" --impu sip:carol@home1.net --to sip:bob@home1.net \
	--kms-fqdn kms.home1.net --user carol --password carol-secret --no-send --out "$D/carol2.mikey"
users_post dave dave-secret "$D/carol2.mikey"
[ "$st" = 403 ] && [ "$(mikey_error)" = 0 ] ||
	tk_fail "Digest user dave with IDRpsk carol: $st, Error $(mikey_error)"
grep -q 'user dave).*403' "$TK_TMP/kms.log" || tk_fail "log: $(tail -3 "$TK_TMP/kms.log")"
tk_ok "Digest username (dave) other than IDRpsk (carol): 403, MIKEY Error 0"

# certificate users
D2="$TK_TMP/c1"
refused 3 "mallory (not in client_certs)" ue x resolve --call "$D/m.call" --in "$D2/ti.mikey" \
	--impu sip:bob@home1.net --kms "$HTTPS" $KMSOPT --cert "$C/mallory.pem" --key "$C/mallory.key" \
	--kms-cert "$TK_TMP/pk-cert.pem" --json
grep -q '"http_status": 403' "$TK_TMP/out" && grep -q '"mikey_error": 0' "$TK_TMP/out" ||
	tk_fail "mallory: $(cat "$TK_TMP/out")"
tk_ok "certificate not in client_certs: 403, MIKEY Error 0"
run "bob no-send" ue x resolve --call "$D/b.call" --in "$D2/ti.mikey" --impu sip:bob@home1.net \
	--kms-fqdn kms.home1.net $BOB --no-send --out "$D/bob.mikey"
n=$(stat -c %s "$D/bob.mikey")
cp "$D/bob.mikey" "$D/bad.mikey"
printf '\125' | dd of="$D/bad.mikey" bs=1 seek=$((n - 9)) conv=notrunc 2>/dev/null
cmp -s "$D/bob.mikey" "$D/bad.mikey" && tk_fail "signature not altered"
st=$(tk_http "$D/body" --cert "$C/bob.pem" --key "$C/bob.key" -H 'Content-Type: application/mikey' \
	--data-binary @"$D/bad.mikey" "$HTTPS/mikey")
[ "$st" = 403 ] && [ "$(mikey_error)" = 0 ] || tk_fail "altered signature: $st, Error $(mikey_error)"
grep -q 'signature wrong' "$TK_TMP/kms.log" || tk_fail "log: $(tail -2 "$TK_TMP/kms.log")"
tk_ok "altered signature: 403, MIKEY Error 0"
st=$(tk_http "$D/body" --cert "$C/bob.pem" --key "$C/bob.key" -H 'Content-Type: application/mikey' \
	--data-binary @"$D/bob.mikey" "$HTTPS/mikey")
[ "$st" = 200 ] || tk_fail "the unaltered RESOLVE_INIT_PK with curl: $st"
st=$(tk_http "$D/body" --cert "$C/bob.pem" --key "$C/bob.key" -H 'Content-Type: application/mikey' \
	--data-binary @"$D/bob.mikey" "$HTTPS/mikey")
[ "$st" = 400 ] && [ "$(mikey_error)" = 1 ] || tk_fail "replayed RESOLVE_INIT_PK: $st, Error $(mikey_error)"
tk_ok "the same RESOLVE_INIT_PK sent with curl: 200, then 400 / Error 1 as a replay"
st=$(tk_http "$D/body" --cert "$C/mallory.pem" --key "$C/mallory.key" -H 'Content-Type: application/mikey' \
	--data-binary @"$D/bob.mikey" "$HTTPS/mikey")
[ "$st" = 403 ] || tk_fail "bob's message over mallory's TLS certificate: $st"
tk_ok "bob's signed message over mallory's TLS client certificate: 403"
run "rogue no-send" ue x resolve --call "$D/b.call" --in "$D2/ti.mikey" --impu sip:bob@home1.net \
	--kms-fqdn kms.home1.net --cert "$C/bobrogue.pem" --key "$C/bobrogue.key" \
	--kms-cert "$TK_TMP/pk-cert.pem" --no-send --out "$D/rogue.mikey"
st=$(tk_http "$D/body" -H 'Content-Type: application/mikey' --data-binary @"$D/rogue.mikey" "$HTTP/mikey")
[ "$st" = 403 ] && [ "$(mikey_error)" = 0 ] || tk_fail "unknown CA over HTTP: $st, Error $(mikey_error)"
grep -q 'certificate chain not trusted' "$TK_TMP/kms.log" || tk_fail "log: $(tail -2 "$TK_TMP/kms.log")"
refused 3 "unknown CA over HTTPS" ue x resolve --call "$D/b.call" --in "$D2/ti.mikey" \
	--impu sip:bob@home1.net --kms "$HTTPS" $KMSOPT --cert "$C/bobrogue.pem" --key "$C/bobrogue.key" \
	--kms-cert "$TK_TMP/pk-cert.pem" --json
grep -q '"http_status": 401' "$TK_TMP/out" || tk_fail "unknown CA over HTTPS: $(cat "$TK_TMP/out")"
tk_ok "certificate of an unknown CA: 403 / Error 0 over plain HTTP, 401 over HTTPS (TLS client certificate not verified)"

# PK variants off: Error 11; after SIGHUP with pk.enabled true again they work
kms_conf "$TK_TMP/kms.json" false
hup() { tk_hup kms 'SIGHUP: .* reloaded: ticket engine'; }
hup
st=$(tk_http "$D/body" -H 'Content-Type: application/mikey' --data-binary @"$D/rogue.mikey" "$HTTP/mikey")
[ "$st" = 400 ] && [ "$(mikey_error)" = 11 ] || tk_fail "PK disabled: $st, Error $(mikey_error)"
kms_conf "$TK_TMP/kms.json" true
hup
run "bob resolve after reload" ue x resolve --call "$D/b.call" --in "$D2/ti.mikey" \
	--impu sip:bob@home1.net --kms "$HTTPS" $KMSOPT $BOB
tk_ok "pk.enabled false: 400 / Error 11; SIGHUP back to true: resolves again with the same KMS certificate"

# pk.san_impus: erin (not in client_certs) speaks for her certificate's SAN URI
ERIN="--cert $C/erin.pem --key $C/erin.key --kms-cert $TK_TMP/pk-cert.pem"
refused 3 "erin without san_impus" ue x request --call "$D/e.call" --impu sip:erin@home1.net \
	--to sip:bob@home1.net --kms "$HTTPS" $KMSOPT $ERIN
kms_conf "$TK_TMP/kms.json" true true
hup
run "erin with san_impus" ue x request --call "$D/e.call" --impu sip:erin@home1.net \
	--to sip:bob@home1.net --kms "$HTTPS" $KMSOPT $ERIN
refused 3 "erin as bob" ue x request --call "$D/e.call" --impu sip:bob@home1.net \
	--to sip:alice@home1.net --kms "$HTTPS" $KMSOPT $ERIN
kms_conf "$TK_TMP/kms.json" true
tk_ok "pk.san_impus: an unlisted certificate speaks for its subjectAltName URI only when enabled, and only for it"

# ---- configuration mistakes are refused -----------------------------------------------
cat >"$TK_TMP/bad1.json" <<EOF2
{ "listeners": { "https": { "client_ca": null } }, "pk": { "enabled": true },
  "client_certs": [ { "subject": "CN=x", "impus": [] }, { "subject": "CN=y", "impus": ["no uri"] } ] }
EOF2
out=$("$TKMSD" --check-config --config "$TK_TMP/bad1.json" 2>&1) && tk_fail "bad1 accepted"
for m in "pk.client_ca: needed" "client_certs\[0\].impus: must be a non-empty array" \
	"client_certs\[1\].impus\[0\]: must be a URI"; do
	echo "$out" | grep -q "$m" || tk_fail "no '$m' in: $out"
done
chmod 644 "$TK_TMP/users.json"
timeout 10 "$TKMSD" --config "$TK_TMP/kms.json" >"$TK_TMP/bad2.log" 2>&1 && tk_fail "started with a 0644 users file"
grep -q "users: .*users.json" "$TK_TMP/bad2.log" || tk_fail "no reason: $(cat "$TK_TMP/bad2.log")"
chmod 600 "$TK_TMP/users.json"
tk_ok "refused: PK without client CAs, client_certs without IMPUs or with a non-URI, a users file others can read"
tk_done
