#!/bin/sh
# kms-nf.sh: network functions (profile P-14, P-15). tkmsd's
# "network_functions" names two principals that may resolve any ticket:
#  - li-1, a lawful-interception function known by the IMPI of its GBA
#    subscription (li-1@home1.net), "intercept": true. It resolves Alice's
#    forking ticket for Bob with `tkms-ue resolve --intercept` and gets the
#    unforked MPKi, MPKr and TGK (no IDRr, no RANDRkms); `tkms-ue observe`
#    then reads Bob's TRANSFER_RESP, derives Bob's fork from its IDRr and
#    RANDRkms as Alice does, and holds the same SRTP keys as Alice and Bob
#    (libsrtp2 proof against Bob's keys).
#  - mgw-1, a media gateway known by its TLS client certificate (CA and
#    certificate made here with certtool; tkmsd's HTTPS listener verifies
#    them with client_ca). Its RESOLVE_INIT (MACed under its own B-TID) is
#    written with `tkms-ue resolve --no-send` and POSTed by curl with the
#    certificate and no Digest; it gets keys forked for its own IMPU and
#    terminates the call with Alice (SRTP both ways).
# Each such resolve is audited with authorization network-function(-intercept)
# and the principal's name. Refused: Eve (no principal), a certificate of
# the right CA with an unconfigured subject, a certificate of another CA, no
# credentials at all, the NF without --intercept (the UE refuses unforked
# keys it did not ask for), an altered TRANSFER_RESP, the interceptor
# answering the call.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init kms-nf
command -v certtool >/dev/null || tk_fail "certtool (gnutls-bin) is needed"
mk() { # NAME CN SIGNER(or -) EXTRA-TEMPLATE-LINES
	certtool --generate-privkey --key-type=ecdsa --outfile "$TK_TMP/$1.key" 2>/dev/null
	printf 'cn = "%s"\norganization = "home1"\nexpiration_days = 2\n%s\n' "$2" "$4" >"$TK_TMP/$1.tmpl"
	if [ "$3" = - ]; then
		certtool --generate-self-signed --load-privkey "$TK_TMP/$1.key" \
			--template "$TK_TMP/$1.tmpl" --outfile "$TK_TMP/$1.pem" 2>/dev/null
	else
		certtool --generate-certificate --load-privkey "$TK_TMP/$1.key" \
			--load-ca-certificate "$TK_TMP/$3.pem" --load-ca-privkey "$TK_TMP/$3.key" \
			--template "$TK_TMP/$1.tmpl" --outfile "$TK_TMP/$1.pem" 2>/dev/null
	fi
	[ -s "$TK_TMP/$1.pem" ] || tk_fail "certtool could not make $1"
}
mk ca "home1 NF CA" - 'ca
cert_signing_key'
mk other-ca "other CA" - 'ca
cert_signing_key'
mk mgw mgw-1 ca 'tls_www_client
signing_key'
mk stranger stranger ca 'tls_www_client
signing_key'
mk forged mgw-1 other-ca 'tls_www_client
signing_key'
tk_ok "certtool made a CA, the media gateway's client certificate and three that must fail"

cat >"$TK_TMP/subs.json" <<EOF
{ "subscribers": [
$(for s in alice:01 bob:02 eve:05 li-1:08 mgw-1:09; do
	n=${s%%:*}; i=${s#*:}
	printf '  { "impi": "%s@home1.net", "k": "465b5ce8b199b49faa5f0a2ee238a6%s",\n' "$n" "$i"
	printf '    "opc": "cd63cb71954a9f4e48a5994e37a02baf", "amf": "8000", "sqn": "000000000020",\n'
	printf '    "guss": { "uiccType": "GBA", "lifeTime": 3600, "uss": [ { "id": "1", "type": 0,\n'
	printf '      "gsid": "0", "nafGroup": null, "uids": [ "sip:%s@home1.net" ], "flags": [] } ] } },\n' "$n"
done | sed '$ s/},$/}/')
] }
EOF
CALL_BSF_ARGS="--subscribers $TK_TMP/subs.json"
. "$TK_SRCDIR/tests/system/call-common.sh"
# call_setup splices this into the KMS config; the HTTPS listener is
# completed with client_ca below (call_setup writes its own listeners).
call_setup '"network_functions": [
    { "name": "li-1", "impi": "li-1@home1.net", "intercept": true },
    { "name": "mgw-1", "cert_subject": "CN=mgw-1,O=home1" } ],'
tk_stop kms
sed "s|\"cert_out\": \"$TK_TMP/kms-cert.pem\"|\"cert_out\": \"$TK_TMP/kms-cert.pem\", \"client_ca\": \"$TK_TMP/ca.pem\"|" \
	"$TK_TMP/kms.json" >"$TK_TMP/kms.new" && mv "$TK_TMP/kms.new" "$TK_TMP/kms.json"
grep -q client_ca "$TK_TMP/kms.json" || tk_fail "client_ca not set"
tk_start kms2 "$TKMSD" --config "$TK_TMP/kms.json"
tk_wait_http "https://127.0.0.1:$P_HTTPS/healthz" 10 kms2
boot alice 01
boot bob 02
boot eve 05
boot li-1 08
boot mgw-1 09
C="$TK_TMP/c"; mkdir -p "$C"
AUDIT="$TK_TMP/audit.log"
last_audit() { grep '"operation":"resolve"' "$AUDIT" | tail -n 1; }

# ---- Alice calls Bob; li-1 intercepts ------------------------------------------------
run "alice request" ue alice request --call "$C/alice.call" --impu sip:alice@home1.net \
	--to sip:bob@home1.net --kms "$PSK" $KMSOPT
run "alice transfer-init" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey"
cp "$C/alice.call" "$C/alice-mgw.call"
call_answer "$C" alice bob "$PSK"
proof "Alice and Bob" "$C/alice.keys" "$C/bob.keys"

refuse "li-1 without --intercept (unforked keys not asked for)" 6 ue li-1 resolve \
	--call "$C/li-x.call" --in "$C/ti.mikey" --impu sip:li-1@home1.net --kms "$PSK" $KMSOPT
grep -q 'unforked keys' "$TK_TMP/out" || tk_fail "message: $(cat "$TK_TMP/out")"
run "li-1 resolve --intercept" ue li-1 resolve --call "$C/li.call" --in "$C/ti.mikey" \
	--impu sip:li-1@home1.net --kms "$PSK" $KMSOPT --intercept --json
grep -q '"observer": true' "$TK_TMP/out" && ! grep -q '"idrr"' "$TK_TMP/out" ||
	tk_fail "li-1 resolve: $(cat "$TK_TMP/out")"
tk_ok "li-1 holds the unforked keys (no IDRr, no RANDRkms)"
last_audit | grep -q '"result":"ok","authorization":"network-function-intercept".*"impi":"li-1@home1.net".*"resolver":"sip:li-1@home1.net".*"network_function":"li-1".*"forked":false' ||
	tk_fail "li-1 audit: $(last_audit)"
tk_ok "audited: authorization network-function-intercept, network_function li-1, forked false"
refuse "li-1 answering the call" 1 ue li-1 transfer-resp --call "$C/li.call" --out "$C/li.tr"
cp "$C/tr.mikey" "$C/tr-bad.mikey"
printf '\001' | dd of="$C/tr-bad.mikey" bs=1 seek=60 conv=notrunc 2>/dev/null
cmp -s "$C/tr.mikey" "$C/tr-bad.mikey" && tk_fail "tamper did nothing"
refuse "li-1 observing an altered TRANSFER_RESP" 3 ue li-1 observe --call "$C/li.call" --in "$C/tr-bad.mikey"
run "li-1 observe Bob's TRANSFER_RESP" ue li-1 observe --call "$C/li.call" --in "$C/tr.mikey" --json
tk_expect_eq "$(jget "$TK_TMP/out" idrr)" sip:bob@home1.net "li-1 derived the fork bound to Bob"
run "li-1 srtp-keys" ue li-1 srtp-keys --call "$C/li.call" --out "$C/li.keys"
[ "$(master_keys "$C/li.keys")" = "$(master_keys "$C/alice.keys")" ] &&
	[ "$(master_keys "$C/li.keys")" = "$(master_keys "$C/bob.keys")" ] ||
	tk_fail "li-1's SRTP keys differ from the call's"
tk_ok "li-1's SRTP master keys equal Alice's and Bob's"
proof "li-1 decrypts Bob's media, Bob li-1's (the keys are the call's)" "$C/li.keys" "$C/bob.keys"
refuse "Bob observing (his keys are forked for him)" 1 ue bob observe --call "$C/bob.call" --in "$C/tr.mikey"

# ---- mgw-1 by client certificate over HTTPS ---------------------------------------------
post() { # CERT-NAME|- REQ RESP: curl POST to the HTTPS listener, prints the status
	_c=""; [ "$1" = - ] || _c="--cert $TK_TMP/$1.pem --key $TK_TMP/$1.key"
	curl -s --cacert "$TK_TMP/kms-cert.pem" $_c --data-binary "@$2" \
		-H 'Content-Type: application/mikey' -o "$3" -w '%{http_code}' "$HTTPS/mikey"
}
nf_req() { # NAME: a fresh RESOLVE_INIT of NAME for Alice's ticket, not sent
	run "$1 resolve --no-send" ue "$1" resolve --call "$C/$1.call" --in "$C/ti.mikey" \
		--impu "sip:$1@home1.net" --kms-fqdn kms.home1.net --no-send --out "$C/$1.req"
}
nf_req mgw-1
tk_expect_eq "$(post mgw "$C/mgw-1.req" "$C/mgw-1.resp")" 200 "mgw-1 with its client certificate: HTTP 200"
cp "$C/mgw-1.resp" "$C/mgw-1.bad"
printf '\001' | dd of="$C/mgw-1.bad" bs=1 seek=$(($(wc -c <"$C/mgw-1.resp") - 2)) conv=notrunc 2>/dev/null
refuse "an altered RESOLVE_RESP given to --response" 3 ue mgw-1 resolve --call "$C/mgw-1.call" \
	--response "$C/mgw-1.bad"
run "mgw-1 resolve --response" ue mgw-1 resolve --call "$C/mgw-1.call" --response "$C/mgw-1.resp" --json
tk_expect_eq "$(jget "$TK_TMP/out" idrr)" sip:mgw-1@home1.net "mgw-1's keys are forked for its own IMPU"
last_audit | grep -q '"result":"ok","authorization":"network-function".*"impi":"mgw-1@home1.net".*"network_function":"mgw-1".*"forked":true' ||
	tk_fail "mgw-1 audit: $(last_audit)"
tk_ok "audited: authorization network-function, network_function mgw-1"
grep -q 'client certificate CN=mgw-1,O=home1' "$TK_TMP/kms2.log" ||
	tk_fail "tkmsd log does not name the certificate: $(grep 'POST /mikey' "$TK_TMP/kms2.log" | tail -n 2)"
tk_ok "tkmsd's log names the verified client certificate"
refuse "--response again (nothing pending)" 1 ue mgw-1 resolve --call "$C/mgw-1.call" \
	--response "$C/mgw-1.resp"
run "mgw-1 transfer-resp" ue mgw-1 transfer-resp --call "$C/mgw-1.call" --out "$C/mgw.tr"
run "alice accepts the gateway's answer" ue alice accept --call "$C/alice-mgw.call" --in "$C/mgw.tr"
run "alice srtp-keys" ue alice srtp-keys --call "$C/alice-mgw.call" --out "$C/alice-mgw.keys"
run "mgw-1 srtp-keys" ue mgw-1 srtp-keys --call "$C/mgw-1.call" --out "$C/mgw.keys"
proof "Alice and the media gateway" "$C/alice-mgw.keys" "$C/mgw.keys"

nf_req mgw-1
tk_expect_eq "$(post stranger "$C/mgw-1.req" "$C/x.resp")" 403 "a certificate of the CA with another subject: 403"
tk_expect_eq "$(mfield "$C/x.resp" Error_no)" "Auth failure" "  with MIKEY Error 0"
last_audit | grep -q '"result":"forbidden".*"resolver":"sip:mgw-1@home1.net"' || tk_fail "audit: $(last_audit)"
code=$(post forged "$C/mgw-1.req" "$C/x.resp")
case "$code" in 000|401|403) tk_ok "a certificate of another CA with the right subject: refused ($code)" ;;
	*) tk_fail "forged certificate: HTTP $code" ;; esac
tk_expect_eq "$(post - "$C/mgw-1.req" "$C/x.resp")" 401 "neither certificate nor Digest: 401"

# ---- Eve: no principal ---------------------------------------------------------------------
refuse "Eve resolving as herself" 3 ue eve resolve --call "$C/eve.call" --in "$C/ti.mikey" \
	--impu sip:eve@home1.net --kms "$PSK" $KMSOPT --intercept
last_audit | grep -q '"result":"forbidden".*"impi":"eve@home1.net"' || tk_fail "eve audit: $(last_audit)"
# li-1 resolved twice (once refused by its own UE), mgw-1 once: three NF lines.
tk_expect_eq "$(grep -c '"network_function"' "$AUDIT")" 3 "exactly the three NF resolves carry a network_function"
tk_expect_eq "$(grep -c '"authorization":"network-function' "$AUDIT")" 3 "  and an NF authorization"
tk_done
