#!/bin/sh
# tkmsd-psk.sh: tkmsd next to a real bsf-stub. A UE bootstraps (ub-client),
# derives Ks_NAF for the Ua id of the transport (P-1) and talks to tkmsd:
#  - PSK-TLS 1.2 (openssl s_client; gnutls-cli 3.7.9 crashes printing PSK
#    session details after a successful handshake) with identity "3GPP-bootstrapping." B-TID and
#    with the bare B-TID, each forced onto one suite so the key is
#    Ks_NAF(01 00 01 yy zz); TLS 1.3 with Ks_NAF(01 00 00 00 07);
#  - the server's identity hint is 3GPP-bootstrapping (P-7);
#  - a wrong key, a key for another suite and an unknown B-TID fail the
#    handshake;
#  - HTTPS with GBA Digest (curl --digest, password base64(Ks_NAF) for the
#    HTTPS suite) passes the Digest check and reaches /mikey; so does plain
#    HTTP Digest with Ks_NAF(01 00 00 00 02) (lab listener).
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init tkmsd-psk
TKMSD="$TK_BUILDDIR/src/tkmsd/tkmsd"
UE="$TK_BUILDDIR/tests/system/ub-client"
[ -x "$TKMSD" ] || tk_fail "$TKMSD not built"
[ -x "$UE" ] || tk_fail "$UE not built"
command -v openssl >/dev/null || tk_fail "openssl missing (apt-get install openssl)"
K1=465b5ce8b199b49faa5f0a2ee238a6
OPC=cd63cb71954a9f4e48a5994e37a02baf
tk_start_bsf

# The HTTPS listener offers one suite only, so the test knows its Ua id:
# TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = c0 2b (the lab certificate is ECDSA).
tk_start_kms '"log": { "level": "debug" }' \
	'"priority": "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL:+AES-128-GCM"'

# ub-client bootstraps anew each time; keep one B-TID and derive per Ua id
# through --usim-file (SQN kept) plus --naf/--ua.
naf_key() { # UA -> sets BTID and KEY
	o=$("$UE" --bsf "$BSF_UB_URL" --impi alice@home1.net --k "${K1}01" --opc "$OPC" \
		--usim-file "$TK_TMP/usim" --naf kms.home1.net --ua "$1") || tk_fail "bootstrap: $o"
	BTID=$(printf '%s\n' "$o" | sed -n 's/^btid=//p')
	KEY=$(printf '%s\n' "$o" | sed -n 's/^ks_naf=//p')
	[ ${#KEY} -eq 64 ] || tk_fail "no Ks_NAF from ub-client: $o"
}

printf 'GET /healthz HTTP/1.1\r\nHost: kms.home1.net\r\nConnection: close\r\n\r\n' >"$TK_TMP/get.req"
# psk_send REQFILE IDENTITY KEY VERSION-AND-SUITE-OPTIONS... -> $TK_TMP/cli.out;
# succeeds when an HTTP status line came back
psk_send() {
	_r=$1; _id=$2; _k=$3; shift 3
	timeout 15 openssl s_client -connect "127.0.0.1:$P_PSK" -psk_identity "$_id" -psk "$_k" \
		-ign_eof "$@" <"$_r" >"$TK_TMP/cli.out" 2>&1
	grep -q '^HTTP/1.1 ' "$TK_TMP/cli.out"
}
psk_get() { psk_send "$TK_TMP/get.req" "$@"; }
P12_ECDHE="-tls1_2 -cipher ECDHE-PSK-CHACHA20-POLY1305"
P12_DHE="-tls1_2 -cipher DHE-PSK-AES128-GCM-SHA256"
P13="-tls1_3"

naf_key 010001ccac
psk_get "3GPP-bootstrapping.$BTID" "$KEY" $P12_ECDHE || tk_fail "TLS 1.2 ECDHE-PSK: $(tail -n 5 "$TK_TMP/cli.out")"
grep -q 'HTTP/1.1 200 OK' "$TK_TMP/cli.out" || tk_fail "no 200: $(cat "$TK_TMP/cli.out")"
tk_ok "TLS 1.2 ECDHE-PSK-CHACHA20-POLY1305 (cc ac), identity 3GPP-bootstrapping.B-TID: GET /healthz 200"
grep -q 'PSK identity hint: 3GPP-bootstrapping$' "$TK_TMP/cli.out" || tk_fail "hint: $(grep -i hint "$TK_TMP/cli.out")"
tk_ok "identity hint 3GPP-bootstrapping"
grep -q "psk: key for B-TID $BTID (Ua 010001ccac)" "$TK_TMP/kms.log" || tk_fail "server Ua id not logged as 010001ccac"
tk_ok "server derived the key for Ua 01 00 01 cc ac"

naf_key 01000100aa
psk_get "$BTID" "$KEY" $P12_DHE || tk_fail "TLS 1.2 DHE-PSK: $(tail -n 5 "$TK_TMP/cli.out")"
grep -q 'HTTP/1.1 200 OK' "$TK_TMP/cli.out" || tk_fail "no 200 (DHE-PSK)"
tk_ok "TLS 1.2 DHE-PSK-AES-128-GCM (00 aa), bare B-TID identity: 200"
# The same B-TID's key for another suite (fetched over Zn) must not work here.
NAF_FETCH="$TK_BUILDDIR/naf/naf-fetch"
[ -x "$NAF_FETCH" ] || tk_fail "$NAF_FETCH not built"
KEY_CCAC=$("$NAF_FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn kms.home1.net --ua 010001ccac "$BTID") ||
	tk_fail "naf-fetch"
[ ${#KEY_CCAC} -eq 64 ] && [ "$KEY_CCAC" != "$KEY" ] || tk_fail "naf-fetch key: $KEY_CCAC"
psk_get "$BTID" "$KEY_CCAC" $P12_DHE && tk_fail "a key for suite cc ac was accepted on 00 aa"
tk_ok "a key derived for another suite fails the handshake"

naf_key 0100000007
if psk_get "$BTID" "$KEY" $P13; then
	grep -q 'HTTP/1.1 200 OK' "$TK_TMP/cli.out" || tk_fail "no 200 (TLS 1.3)"
	grep -q 'TLSv1.3' "$TK_TMP/cli.out" || tk_fail "not TLS 1.3: $(grep -i protocol "$TK_TMP/cli.out")"
	tk_ok "TLS 1.3 PSK with Ks_NAF(01 00 00 00 07): 200"
else
	tk_fail "TLS 1.3: $(tail -n 5 "$TK_TMP/cli.out")"
fi
psk_get "$BTID" "$(printf '%064d' 0)" $P12_ECDHE && tk_fail "wrong key accepted"
tk_ok "wrong key: handshake fails"
psk_get "3GPP-bootstrapping.AAAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net" "$KEY" $P12_ECDHE &&
	tk_fail "unknown B-TID accepted"
tk_ok "unknown B-TID: handshake fails"
psk_get "not a btid" "$KEY" $P12_ECDHE && tk_fail "malformed identity accepted"
tk_ok "malformed identity: handshake fails"

# /mikey over PSK-TLS reaches the engine slot with the PSK B-TID.
naf_key 010001ccac
printf 'POST /mikey HTTP/1.1\r\nHost: kms\r\nContent-Type: application/mikey\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc' \
	>"$TK_TMP/post.req"
psk_send "$TK_TMP/post.req" "$BTID" "$KEY" $P12_ECDHE || tk_fail "POST /mikey over PSK: $(tail -n 5 "$TK_TMP/cli.out")"
grep -q 'HTTP/1.1 400' "$TK_TMP/cli.out" || tk_fail "POST /mikey over PSK: $(cat "$TK_TMP/cli.out")"
grep -q "psk 127.0.0.1:[0-9]* POST /mikey (3 octets, B-TID $BTID)" "$TK_TMP/kms.log" ||
	tk_fail "transport identity not passed on"
tk_ok "POST /mikey over PSK-TLS carries the B-TID to the engine (400: not MIKEY)"

# HTTPS + GBA Digest (TS 33.222 5.3): password = base64(Ks_NAF(01 00 01 c0 2b)).
naf_key 010001c02b
PW=$(perl -e 'print pack("H*", $ARGV[0])' "$KEY" | base64)
code=$(curl -s --max-time 15 --cacert "$TK_TMP/kms-cert.pem" --digest -u "$BTID:$PW" \
	-H 'Content-Type: application/mikey' --data-binary abc -o "$TK_BODY" -w '%{http_code}' \
	"https://127.0.0.1:$P_HTTPS/mikey")
tk_expect_eq "$code" 400 "HTTPS + Digest with base64(Ks_NAF) passes and reaches the engine"
grep -q "https 127.0.0.1:[0-9]* POST /mikey (3 octets, B-TID $BTID)" "$TK_TMP/kms.log" ||
	tk_fail "Digest B-TID not passed on"
tk_ok "the Digest username (B-TID) is the transport identity"
code=$(curl -s --max-time 15 --cacert "$TK_TMP/kms-cert.pem" --digest -u "$BTID:wrong" \
	-H 'Content-Type: application/mikey' --data-binary abc -o /dev/null -w '%{http_code}' \
	"https://127.0.0.1:$P_HTTPS/mikey")
tk_expect_eq "$code" 401 "HTTPS + Digest with a wrong password: 401"
# Plain HTTP takes Digest when the client sends it (it does not challenge:
# a MIKEY message authenticates itself, P-2), keyed with 01 00 00 00 02.
# curl only answers challenges, so the header is computed here (RFC 2617,
# qop auth) on a nonce from an HTTPS challenge (same NAF nonce key).
md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }
plain_digest() { # BTID PASSWORD -> HTTP status of POST /mikey on plain HTTP
	tk_http /dev/null -D "$TK_TMP/hc" -H 'Content-Type: application/mikey' --data-binary abc \
		"https://127.0.0.1:$P_HTTPS/mikey" >/dev/null
	nonce=$(sed -n 's/.*nonce="\([^"]*\)".*/\1/p' "$TK_TMP/hc")
	realm="3GPP-bootstrapping@kms.home1.net"
	resp=$(md5 "$(md5 "$1:$realm:$2"):$nonce:00000001:c0ffee:auth:$(md5 "POST:/mikey")")
	tk_http /dev/null -H 'Content-Type: application/mikey' --data-binary abc \
		-H "Authorization: Digest username=\"$1\", realm=\"$realm\", nonce=\"$nonce\", uri=\"/mikey\", qop=auth, nc=00000001, cnonce=\"c0ffee\", response=\"$resp\", algorithm=MD5" \
		"http://127.0.0.1:$P_HTTP/mikey"
}
tk_expect_eq "$(plain_digest "$BTID" "$PW")" 401 "plain HTTP Digest with the HTTPS-suite key: 401"
naf_key 0100000002
PW=$(perl -e 'print pack("H*", $ARGV[0])' "$KEY" | base64)
tk_expect_eq "$(plain_digest "$BTID" "$PW")" 400 "plain HTTP Digest with Ks_NAF(01 00 00 00 02) reaches the engine"
grep -q "http 127.0.0.1:[0-9]* POST /mikey (3 octets, B-TID $BTID)" "$TK_TMP/kms.log" ||
	tk_fail "plain-HTTP Digest B-TID not passed on"
tk_ok "plain HTTP Digest username is the transport identity"
tk_expect_status 400 "plain HTTP without credentials goes to the engine (no transport identity)" \
	-H 'Content-Type: application/mikey' --data-binary abc "http://127.0.0.1:$P_HTTP/mikey"
tk_stop kms
tk_expect_eq "$TK_LAST_RC" 0 "clean exit"
tk_done
