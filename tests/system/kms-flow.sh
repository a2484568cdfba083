#!/bin/sh
# kms-flow.sh: tickets through the real tkmsd and bsf-stub with tkms-ue
# (issue 4; profile P-1..P-7, P-11, P-14, P-15, P-25): Alice requests a
# ticket for Bob over PSK-TLS and Bob resolves it over PSK-TLS, over HTTPS +
# GBA Digest and over plain HTTP; each time the SRTP master keys and salts
# both sides derive are equal (with key forking: Bob's forked keys equal what
# Alice derives from TRANSFER_RESP), and differ between calls. The same
# without forking (128-bit and 256-bit sets). The audit file has one line
# per issued and per resolved ticket with the P-15 members, the same ticket
# fingerprint on both, and no key material. P-14: a group ticket resolved
# by a member (keys bound to her own IMPU), and a lawful-interception
# network function (by IMPI) resolving someone else's ticket: unforked keys,
# audited as such.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init kms-flow
. "$TK_SRCDIR/tests/system/call-common.sh"
KC="$TK_BUILDDIR/tests/system/kms-client"
[ -x "$KC" ] || tk_fail "$KC not built"
tk_start_bsf

tk_start_kms "$(cat <<EOF
  "groups": { "sip:team@home1.net": [ "sip:carol@home1.net", "sip:dave@home1.net" ] },
  "network_functions": [ { "name": "li-1", "impi": "eve@home1.net", "intercept": true } ],
  "audit": { "path": "$TK_TMP/audit.log" },
  "replay_cache_size": 10000
EOF
)"
grep -q "ticket engine with key ring $TK_TMP/keyring.json (1 key, current id 1), replay cache 10000 entries" \
	"$TK_TMP/kms.log" || tk_fail "start-up line: $(grep started "$TK_TMP/kms.log")"
tk_ok "start-up log names the key ring and the replay cache"
[ "$(stat -c %a "$TK_TMP/keyring.json")" = 600 ] || tk_fail "key ring not 0600"
tk_ok "key ring created 0600 at first start"

tk_bootstrap alice 01
tk_bootstrap bob 02
tk_bootstrap carol 03
tk_bootstrap eve 05

# keys FILE: "cs_id key salt" per crypto session of a srtp-keys JSON file
keys() {
	{ tr -d ' \n' <"$1"; echo; } | sed 's/},{/}\n{/g' |
		sed -n 's/.*"cs_id":\([0-9]*\).*"master_key":"\([0-9a-f]*\)","master_salt":"\([0-9a-f]*\)".*/\1 \2 \3/p'
}

# call NAME RESOLVE-URL [request options...]: the whole flow, keys compared
call() {
	_cn=$1; _c="$TK_TMP/$1"; _url=$2; shift 2; mkdir -p "$_c"
	run "$_cn: alice request" ue alice request --call "$_c/a.call" --impu sip:alice@home1.net \
		--to sip:bob@home1.net --kms "$PSK" $KMSOPT --json "$@"
	cp "$TK_TMP/out" "$_c/request.json"
	run "$_cn: transfer-init" ue alice transfer-init --call "$_c/a.call" --out "$_c/ti.mikey"
	run "$_cn: bob resolve" ue bob resolve --call "$_c/b.call" --in "$_c/ti.mikey" \
		--impu sip:bob@home1.net --kms "$_url" $KMSOPT --json
	cp "$TK_TMP/out" "$_c/resolve.json"
	grep -q '"forking": false' "$_c/resolve.json" ||
		grep -q '"idrr": "sip:bob@home1.net"' "$_c/resolve.json" ||
		tk_fail "$_cn: forked keys not bound to Bob's IDRr (P-25): $(cat "$_c/resolve.json")"
	run "$_cn: transfer-resp" ue bob transfer-resp --call "$_c/b.call" --out "$_c/tr.mikey"
	run "$_cn: accept" ue alice accept --call "$_c/a.call" --in "$_c/tr.mikey"
	run "$_cn: alice srtp-keys" ue alice srtp-keys --call "$_c/a.call" --out "$_c/a.keys"
	run "$_cn: bob srtp-keys" ue bob srtp-keys --call "$_c/b.call" --out "$_c/b.keys"
	keys "$_c/a.keys" >"$_c/a.k"; keys "$_c/b.keys" >"$_c/b.k"
	[ "$(wc -l <"$_c/a.k")" -ge 2 ] || tk_fail "$_cn: no keys: $(cat "$_c/a.keys")"
	cmp -s "$_c/a.k" "$_c/b.k" || tk_fail "$_cn: keys differ: $(cat "$_c/a.k") / $(cat "$_c/b.k")"
}

call psk "$PSK"
grep -q '"forking": true' "$TK_TMP/psk/request.json" || tk_fail "no forking: $(cat "$TK_TMP/psk/request.json")"
grep -q '"transport": "PSK-TLS' "$TK_TMP/psk/resolve.json" || tk_fail "transport: $(cat "$TK_TMP/psk/resolve.json")"
tk_ok "forking ticket resolved over PSK-TLS: Bob's forked SRTP keys equal Alice's"
call https "$HTTPS"
grep -q '"transport": "HTTPS+Digest' "$TK_TMP/https/resolve.json" || tk_fail "transport: $(cat "$TK_TMP/https/resolve.json")"
tk_ok "forking ticket resolved over HTTPS + GBA Digest: keys equal"
call http "$HTTP"
grep -q '"transport": "HTTP' "$TK_TMP/http/resolve.json" || tk_fail "transport: $(cat "$TK_TMP/http/resolve.json")"
tk_ok "forking ticket resolved over plain HTTP: keys equal"
call nofork "$HTTPS" --no-forking
grep -q '"forking": false' "$TK_TMP/nofork/request.json" || tk_fail "forking on: $(cat "$TK_TMP/nofork/request.json")"
tk_ok "ticket without forking: keys equal"
call set256 "$PSK" --algs 256
grep -q 'AES_CM_256' "$TK_TMP/set256/a.keys" || tk_fail "256-bit set: $(cat "$TK_TMP/set256/a.keys")"
tk_ok "256-bit set (PRF-HMAC-SHA-256, AES-CM-256): keys equal"
n=$(cat "$TK_TMP"/*/a.k | cut -d' ' -f2 | sort -u | wc -l)
tk_expect_eq "$n" "$(cat "$TK_TMP"/*/a.k | wc -l)" "every crypto session of every call has its own key"

# ---- P-14: group member, network function -------------------------------------
G="$TK_TMP/group"; mkdir -p "$G"
run "request for the group" ue alice request --call "$G/alice.call" --impu sip:alice@home1.net \
	--to sip:team@home1.net --kms "$PSK" $KMSOPT
run "transfer-init" ue alice transfer-init --call "$G/alice.call" --out "$G/ti.mikey"
call_answer "$G" alice carol "$HTTPS"
grep -q '"idrr": "sip:carol@home1.net"' "$G/carol.resolve.json" ||
	tk_fail "group IDRr: $(cat "$G/carol.resolve.json")"
keys "$G/alice.keys" >"$G/a.k"; keys "$G/carol.keys" >"$G/c.k"
[ -s "$G/a.k" ] && cmp -s "$G/a.k" "$G/c.k" || tk_fail "group member keys differ"
tail -n 1 "$TK_TMP/audit.log" | grep -q '"operation":"resolve","result":"ok","authorization":"group".*"group":"sip:team@home1.net"' ||
	tk_fail "group audit: $(tail -n 1 "$TK_TMP/audit.log")"
tk_ok "group ticket: carol resolves as a member of sip:team@home1.net, keys equal, audited as group"
"$KC" --state "$TK_TMP/eve.state" --kms "$PSK" $KMSOPT --save-req "$TK_TMP/li.req" --body "$TK_TMP/li.resp" \
	resolve --impu sip:eve@home1.net --in "$TK_TMP/psk/ti.mikey" >"$TK_TMP/out" 2>&1
grep -q '^status=200 mikey=1' "$TK_TMP/out" || tk_fail "LI resolve: $(cat "$TK_TMP/out")"
"$MIKEY" decode --compact --show-keys --psk "$(ue eve naf-key --naf kms.home1.net --ua 0100000006)" \
	--init "$TK_TMP/li.req" "$TK_TMP/li.resp" >"$TK_TMP/li.dec" 2>&1 || tk_fail "LI RESOLVE_RESP: $(cat "$TK_TMP/li.dec")"
grep -q '"mac":"ok"' "$TK_TMP/li.dec" || tk_fail "LI RESOLVE_RESP MAC: $(cat "$TK_TMP/li.dec")"
AC=$(tr -d ' \n' <"$TK_TMP/psk/a.call")
TGK=$(printf '%s' "$AC" | sed 's/.*"keys":\[{"key":"\([0-9a-f]*\)".*/\1/')
FTGK=$(printf '%s' "$AC" | sed 's/.*"forked_keys":\[{"key":"\([0-9a-f]*\)".*/\1/')
MPKI=$(printf '%s' "$AC" | sed 's/.*"mpki":{"key":"\([0-9a-f]*\)".*/\1/')
[ ${#TGK} -ge 32 ] && [ ${#FTGK} -ge 32 ] && [ ${#MPKI} -ge 32 ] || tk_fail "alice's call state: no keys"
grep -q "$TGK" "$TK_TMP/li.dec" && grep -q "$MPKI" "$TK_TMP/li.dec" ||
	tk_fail "LI did not get alice's unforked TGK and MPKi: $(cat "$TK_TMP/li.dec")"
grep -q "$FTGK" "$TK_TMP/li.dec" && tk_fail "LI got bob's forked TGK"
grep -q '"RANDRkms\|"role":{"value":3' "$TK_TMP/li.dec" && tk_fail "LI answer carries RANDRkms: $(cat "$TK_TMP/li.dec")"
tail -n 1 "$TK_TMP/audit.log" | grep -q '"authorization":"network-function-intercept","btid":"[^"]*","impi":"eve@home1.net".*"forked":false' ||
	tk_fail "LI audit: $(tail -n 1 "$TK_TMP/audit.log")"
tk_ok "lawful interception (network function by IMPI) resolves alice's ticket for bob: alice's unforked TGK and MPKi, no RANDRkms, audited"

# ---- P-15 audit ---------------------------------------------------------------
A="$TK_TMP/audit.log"
tk_expect_eq "$(grep -c '"operation":"request","result":"ok"' "$A")" 6 "one audit line per issued ticket"
tk_expect_eq "$(grep -c '"operation":"resolve","result":"ok"' "$A")" 7 "one audit line per resolved ticket"
line=$(grep '"operation":"resolve","result":"ok"' "$A" | head -n 1)
for m in '"time":"20' '"authorization":"listed"' '"impi":"bob@home1.net"' '"initiator":"sip:alice@home1.net"' \
	'"resolver":"sip:bob@home1.net"' '"key_id":1' '"ticket_fingerprint":"[0-9a-f]\{16\}"' \
	'"valid_from":"20[0-9-]*T[0-9:]*Z"' '"valid_to":"20' '"forked":true'; do
	printf '%s' "$line" | grep -q "$m" || tk_fail "resolve audit line lacks $m: $line"
done
tk_ok "resolve audit line: time, authorization, IMPI, identities, key id, fingerprint, validity, forked"
fp_req=$(grep '"operation":"request","result":"ok"' "$A" | head -n 1 | sed 's/.*"ticket_fingerprint":"\([0-9a-f]*\)".*/\1/')
fp_res=$(printf '%s' "$line" | sed 's/.*"ticket_fingerprint":"\([0-9a-f]*\)".*/\1/')
tk_expect_eq "$fp_res" "$fp_req" "request and resolve of one ticket carry the same fingerprint"
for k in $(cat "$TK_TMP"/*/a.k | cut -d' ' -f2,3 | tr ' ' '\n' | sort -u); do
	grep -qi "$k" "$A" "$TK_TMP/kms.log" && tk_fail "key material in the audit or the log"
done
sed 's/"key_id"//g' "$A" | grep -qi '"[a-z_]*\(key\|psk\|tgk\|mpk\|salt\)[a-z_]*"' && tk_fail "key-like member in audit: $A"
tk_ok "no key in the audit trail or the log"
tk_stop kms
tk_expect_eq "$TK_LAST_RC" 0 "clean exit"
tk_done
