#!/bin/sh
# kms-refuse.sh: what the KMS refuses, each with the HTTP status of P-6 and
# the MIKEY Error of mikey.md 6.4 / P-21 / P-22 (bodies decoded with
# tkms-mikey; an Error answering a message whose MAC verified must carry a
# V that verifies with that message's key, others none):
#   wrong MAC 403/0 unauthenticated; replay 400/1 MACed; old timestamp
#   400/1; IDRi not the subscriber's 403/0 MACed; resolver not in the
#   ticket 403/0 MACed; expired ticket 403/0; tampered ticket 403/0; unknown
#   TPK key id (ticket sealed by a KMS with another key ring, made with
#   `tkmsd keyring`) 403/0; transport B-TID other than IDRpsk 403/0 (PSK-TLS
#   and HTTPS Digest); unknown B-TID 401 with the 3GPP-bootstrapping realm;
#   replay cache full 503 with Retry-After and a MACed Error 12 (P-9: fail
#   closed); BSF down 503 with Retry-After. The refusals are audited.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init kms-refuse
UE="$TK_BUILDDIR/src/ue/tkms-ue"
TKMSD="$TK_BUILDDIR/src/tkmsd/tkmsd"
MIKEY="$TK_BUILDDIR/src/tools/tkms-mikey"
KC="$TK_BUILDDIR/tests/system/kms-client"
for p in "$UE" "$TKMSD" "$MIKEY" "$KC"; do [ -x "$p" ] || tk_fail "$p not built"; done
tk_start_bsf

P_PSK=$(tk_free_port); P_HTTPS=$(tk_free_port); P_HTTP=$(tk_free_port); P2_HTTP=$(tk_free_port)
cat >"$TK_TMP/kms.json" <<EOF
{ "listeners": {
    "psk":   { "listen": "127.0.0.1:$P_PSK" },
    "https": { "listen": "127.0.0.1:$P_HTTPS", "cert_out": "$TK_TMP/kms-cert.pem" },
    "http":  { "enabled": true, "listen": "127.0.0.1:$P_HTTP" } },
  "bsf": { "url": "$BSF_ZN_URL", "token": "$BSF_TOKEN", "connect_timeout_ms": 500, "timeout_ms": 1000 },
  "policy": { "default_lifetime": 3600 },
  "keyring": "$TK_TMP/keyring.json",
  "audit": { "path": "$TK_TMP/audit.log" } }
EOF
# A second KMS (same FQDN, same BSF) whose key ring has a key id the first
# one does not know, and whose replay cache is tiny (16 slots in 16 shards).
"$TKMSD" --config "$TK_TMP/kms.json" keyring create --keyring "$TK_TMP/keyring.json" >/dev/null ||
	tk_fail "keyring create"
"$TKMSD" keyring create --keyring "$TK_TMP/keyring2.json" >/dev/null &&
	"$TKMSD" keyring add --current --keyring "$TK_TMP/keyring2.json" >/dev/null ||
	tk_fail "second key ring"
cat >"$TK_TMP/kms2.json" <<EOF
{ "listeners": { "psk": { "enabled": false }, "https": { "enabled": false },
    "http":  { "enabled": true, "listen": "127.0.0.1:$P2_HTTP" } },
  "bsf": { "url": "$BSF_ZN_URL", "token": "$BSF_TOKEN" },
  "keyring": "$TK_TMP/keyring2.json", "audit": { "path": "$TK_TMP/audit2.log" },
  "replay_cache_size": 16 }
EOF
tk_start kms "$TKMSD" --config "$TK_TMP/kms.json"
tk_start kms2 "$TKMSD" --config "$TK_TMP/kms2.json"
tk_wait_http "https://127.0.0.1:$P_HTTPS/healthz" 10 kms
tk_wait_http "http://127.0.0.1:$P2_HTTP/healthz" 10 kms2
PSK="psk://127.0.0.1:$P_PSK"
HTTPS="https://127.0.0.1:$P_HTTPS"
HTTP="http://127.0.0.1:$P_HTTP"
KMSOPT="--kms-fqdn kms.home1.net --cacert $TK_TMP/kms-cert.pem"

ue() { tk_ue "$@"; }
boot() {
	tk_bootstrap "$1" "$2"
	ue "$1" naf-key --naf kms.home1.net --ua 0100000006 >"$TK_TMP/$1.psk" 2>&1 ||
		tk_fail "$1 naf-key: $(cat "$TK_TMP/$1.psk")"
}
boot alice 01
boot bob 02
boot carol 03
boot eve 05
psk_of() { tr -d '\n' <"$TK_TMP/$1.psk"; }
# logged TEXT: the KMS log names the reason of the last refusal
logged() {
	tail -n 3 "$TK_TMP/kms.log" | grep -qF "$1" || tk_fail "reason '$1' not logged: $(tail -n 3 "$TK_TMP/kms.log")"
}
run() { tk_run "$@"; }

# kc NAME URL ARGS...: kms-client as NAME; status in $ST, body in $TK_TMP/body,
# the message sent in $TK_TMP/req
kc() {
	_u=$1; _url=$2; shift 2
	rm -f "$TK_TMP/body"
	"$KC" --state "$TK_TMP/$_u.state" --kms "$_url" $KMSOPT --body "$TK_TMP/body" \
		--save-req "$TK_TMP/req" "$@" >"$TK_TMP/kc.out" 2>&1 || tk_fail "kms-client: $(cat "$TK_TMP/kc.out")"
	ST=$(sed -n 's/^status=\([0-9]*\).*/\1/p' "$TK_TMP/kc.out")
}
# refused DESC STATUS ERROR maced|plain SIGNER: checks the last kc answer
refused() {
	[ "$ST" = "$2" ] || tk_fail "$1: HTTP $ST, expected $2: $(cat "$TK_TMP/kc.out") $(head -c 200 "$TK_TMP/body" 2>/dev/null)"
	if [ "$4" = maced ]; then
		set -- "$1" "$2" "$3" "$4" --psk "$(psk_of "$5")" --init "$TK_TMP/req"
	else
		set -- "$1" "$2" "$3" "$4"
	fi
	_d=$1; _s=$2; _e=$3; _m=$4; shift 4
	"$MIKEY" decode --compact "$@" "$TK_TMP/body" >"$TK_TMP/dec" 2>&1 ||
		tk_fail "$_d: body does not decode / verify: $(cat "$TK_TMP/dec")"
	grep -q '"data_type":{"value":6,"name":"Error"}' "$TK_TMP/dec" ||
		tk_fail "$_d: not a MIKEY Error: $(cat "$TK_TMP/dec")"
	grep -q "\"Error_no\":{\"value\":$_e," "$TK_TMP/dec" || tk_fail "$_d: not Error $_e: $(cat "$TK_TMP/dec")"
	if [ "$_m" = maced ]; then
		grep -q '"mac":"ok"' "$TK_TMP/dec" || tk_fail "$_d: Error not MACed with the message's key: $(cat "$TK_TMP/dec")"
	else
		grep -q '"V":false' "$TK_TMP/dec" && ! grep -q '"payload":"V"' "$TK_TMP/dec" ||
			tk_fail "$_d: an unauthenticated message got a MACed Error: $(cat "$TK_TMP/dec")"
	fi
	tk_ok "$_d: HTTP $_s, MIKEY Error $_e ($_m)"
}

# ---- initial messages -----------------------------------------------------------
kc alice "$PSK" request --impu sip:alice@home1.net --to sip:bob@home1.net --mutate mac
refused "REQUEST_INIT with a wrong MAC" 403 0 plain alice
kc alice "$HTTP" request --impu sip:alice@home1.net --to sip:bob@home1.net
[ "$ST" = 200 ] || tk_fail "first request: $(cat "$TK_TMP/kc.out")"
cp "$TK_TMP/req" "$TK_TMP/req1"
kc alice "$HTTP" post --in "$TK_TMP/req1"
refused "the same REQUEST_INIT again (replay)" 400 1 maced alice
kc alice "$PSK" post --in "$TK_TMP/req1"
refused "the replay over another transport" 400 1 maced alice
kc alice "$HTTPS" request --impu sip:alice@home1.net --to sip:bob@home1.net --mutate ts-old
refused "REQUEST_INIT with T one hour old" 400 1 plain alice
kc alice "$PSK" request --impu sip:bob@home1.net --to sip:carol@home1.net
refused "IDRi not one of the requester's IMPUs" 403 0 maced alice
kc alice "$PSK" --mikey-state "$TK_TMP/bob.state" request --impu sip:bob@home1.net --to sip:carol@home1.net
refused "PSK-TLS B-TID (alice) differs from IDRpsk (bob)" 403 0 plain bob
kc alice "$HTTPS" --mikey-state "$TK_TMP/bob.state" request --impu sip:bob@home1.net --to sip:carol@home1.net
refused "Digest B-TID (alice) differs from IDRpsk (bob)" 403 0 plain bob

# ---- resolve ---------------------------------------------------------------------
C="$TK_TMP/c"; mkdir -p "$C"
run "alice request" ue alice request --call "$C/a.call" --impu sip:alice@home1.net \
	--to sip:bob@home1.net --kms "$PSK" $KMSOPT
run "transfer-init" ue alice transfer-init --call "$C/a.call" --out "$C/ti.mikey"
kc eve "$PSK" resolve --impu sip:eve@home1.net --in "$C/ti.mikey"
refused "resolver not named in the ticket" 403 0 maced eve
logged "resolver not authorized by the ticket (P-14)"
kc eve "$PSK" resolve --impu sip:bob@home1.net --in "$C/ti.mikey"
refused "resolver claiming an IMPU that is not hers" 403 0 maced eve
kc bob "$HTTPS" resolve --impu sip:bob@home1.net --in "$C/ti.mikey" --tamper-ticket
refused "tampered ticket" 403 0 maced bob
logged "ticket MAC wrong"
kc bob "$HTTPS" resolve --impu sip:bob@home1.net --in "$C/ti.mikey"
[ "$ST" = 200 ] && grep -q '^resolve_finish=ok' "$TK_TMP/kc.out" ||
	tk_fail "the untampered ticket: $(cat "$TK_TMP/kc.out")"
tk_ok "the same ticket untampered resolves (and TRANSFER_INIT verifies)"
# sealed by the second KMS with key id 2
run "request at the second KMS" ue alice request --call "$C/a2.call" --impu sip:alice@home1.net \
	--to sip:bob@home1.net --kms "http://127.0.0.1:$P2_HTTP" --kms-fqdn kms.home1.net
run "transfer-init" ue alice transfer-init --call "$C/a2.call" --out "$C/ti2.mikey"
kc bob "$HTTP" resolve --impu sip:bob@home1.net --in "$C/ti2.mikey"
refused "ticket sealed under TPK key id 2, unknown here" 403 0 maced bob
logged "unknown or retired TPK key id (P-22)"
grep -q '"operation":"resolve","result":"ticket-invalid"' "$TK_TMP/audit.log" ||
	tk_fail "refused resolve not audited: $(tail -n 3 "$TK_TMP/audit.log")"
tk_ok "refused resolves are audited"
# expired: a 2 s ticket, resolved after its TRe
run "short ticket" ue alice request --call "$C/a3.call" --impu sip:alice@home1.net \
	--to sip:bob@home1.net --lifetime 2 --kms "$PSK" $KMSOPT
run "transfer-init" ue alice transfer-init --call "$C/a3.call" --out "$C/ti3.mikey"
sleep 3
kc bob "$PSK" resolve --impu sip:bob@home1.net --in "$C/ti3.mikey"
refused "ticket resolved after its TRe" 403 0 maced bob
logged "outside TRs..TRe (P-22)"

# ---- the replay cache is full (P-9: refuse rather than forget) ---------------------
i=0
while [ $i -lt 40 ]; do
	kc alice "http://127.0.0.1:$P2_HTTP" request --impu sip:alice@home1.net --to sip:bob@home1.net
	[ "$ST" = 200 ] || break
	i=$((i + 1))
done
grep -q 'retry_after=[1-9]' "$TK_TMP/kc.out" || tk_fail "replay cache full: no Retry-After: $(cat "$TK_TMP/kc.out")"
refused "replay cache full after $i tickets" 503 12 maced alice

# ---- GBA key problems -------------------------------------------------------------
kc alice "$HTTP" --btid 'AAAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net' request --impu sip:alice@home1.net \
	--to sip:bob@home1.net
[ "$ST" = 401 ] || tk_fail "unknown B-TID: HTTP $ST"
code=$(curl -s -o /dev/null -D "$TK_TMP/h" -w '%{http_code}' -H 'Content-Type: application/mikey' \
	--data-binary "@$TK_TMP/req" "$HTTP/mikey")
tk_expect_eq "$code" 401 "unknown B-TID in IDRpsk: 401"
grep -qi '^WWW-Authenticate: Digest realm="3GPP-bootstrapping@kms.home1.net"' "$TK_TMP/h" ||
	tk_fail "challenge: $(cat "$TK_TMP/h")"
tk_ok "the 401 carries the 3GPP-bootstrapping realm (P-27)"
# BSF down: carol's B-TID was never seen by the KMS
tk_stop bsf
kc carol "$HTTP" request --impu sip:carol@home1.net --to sip:bob@home1.net
tk_expect_eq "$ST" 503 "BSF down, B-TID not cached: 503"
grep -q 'retry_after=[1-9]' "$TK_TMP/kc.out" || tk_fail "no Retry-After: $(cat "$TK_TMP/kc.out")"
tk_ok "503 carries Retry-After"
# ... while a B-TID in the NAF cache still works without the BSF
kc alice "$HTTP" request --impu sip:alice@home1.net --to sip:bob@home1.net
tk_expect_eq "$ST" 200 "BSF down, cached B-TID: ticket issued"
tk_alive kms || tk_fail "tkmsd died"
tk_stop kms
tk_expect_eq "$TK_LAST_RC" 0 "clean exit"
tk_stop kms2
tk_done
