#!/bin/sh
# call-algs.sh: a whole call Alice -> Bob (key forking) in each MIKEY
# algorithm set of profile P-8, through the real tkmsd and bsf-stub:
#  - 128-bit: PRF MIKEY-1, HMAC-SHA-1-160, AES-CM-128; SRTP keys of 16 octets
#    (AES_CM_128_HMAC_SHA1_80);
#  - 256-bit: PRF-HMAC-SHA-256, HMAC-SHA-256-256, AES-CM-256; SRTP keys of
#    32 octets (AES_CM_256_HMAC_SHA1_80);
# as seen on the wire by tkms-mikey (REQUEST_INIT, REQUEST_RESP, TRANSFER_INIT,
# TRANSFER_RESP) and in the derived keys; SRTP both ways in each set; a KMS
# that allows only the 256-bit set refuses a 128-bit request (400).
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init call-algs
. "$TK_SRCDIR/tests/system/call-common.sh"
call_setup
boot alice 01
boot bob 02
tk_ok "alice and bob bootstrapped"

# hexmsg CALLFILE KEY OUT: a message kept (hex) in a call state, to a file
hexmsg() { sed -n "s/^ *\"$2\": *\"\([0-9a-f]*\)\".*/\1/p" "$1" | head -n 1 >"$3"; }

for set in 128 256; do
	C="$TK_TMP/c$set"; mkdir -p "$C"
	if [ $set = 128 ]; then
		prf=MIKEY-1; mac=HMAC-SHA-1-160; encr=AES-CM-128; klen=32; pol=AES_CM_128_HMAC_SHA1_80
	else
		prf=PRF-HMAC-SHA-256; mac=HMAC-SHA-256-256; encr=AES-CM-256; klen=64; pol=AES_CM_256_HMAC_SHA1_80
	fi
	run "alice request ($set)" ue alice request --call "$C/alice.call" --impu sip:alice@home1.net \
		--to sip:bob@home1.net --algs $set --kms "$PSK" $KMSOPT --json
	tk_expect_eq "$(jget "$TK_TMP/out" forking)" true "$set-bit: ticket granted with key forking"
	hexmsg "$C/alice.call" kms_request "$C/req.hex"
	hexmsg "$C/alice.call" request_resp "$C/resp.hex"
	tk_expect_eq "$(mtype "$C/req.hex")/$(mfield "$C/req.hex" PRF_func)/$(mfield "$C/req.hex" Auth_alg last)" \
		"REQUEST_INIT_PSK/$prf/$mac" "$set-bit: REQUEST_INIT PRF and MAC"
	tk_expect_eq "$(mtype "$C/resp.hex")/$(mfield "$C/resp.hex" PRF_func)/$(mfield "$C/resp.hex" Auth_alg last)/$(mfield "$C/resp.hex" Encr_alg last)" \
		"REQUEST_RESP/$prf/$mac/$encr" "$set-bit: REQUEST_RESP PRF, MAC and KEMAC encryption"
	run "transfer-init ($set)" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey"
	tk_expect_eq "$(mtype "$C/ti.mikey")/$(mfield "$C/ti.mikey" PRF_func)/$(mfield "$C/ti.mikey" Auth_alg last)" \
		"TRANSFER_INIT/$prf/$mac" "$set-bit: TRANSFER_INIT PRF and MAC"
	call_answer "$C" alice bob "$HTTPS"
	tk_expect_eq "$(mtype "$C/tr.mikey")/$(mfield "$C/tr.mikey" PRF_func)/$(mfield "$C/tr.mikey" Auth_alg last)" \
		"TRANSFER_RESP/$prf/$mac" "$set-bit: TRANSFER_RESP PRF and MAC"
	k=$(sed -n 's/.*"master_key": "\([0-9a-f]*\)".*/\1/p' "$C/alice.keys" | head -n 1)
	tk_expect_eq "${#k}" $klen "$set-bit: SRTP master key of $((klen / 2)) octets"
	grep -q "\"policy\": \"$pol\"" "$C/alice.keys" || tk_fail "$set-bit: keys not for $pol: $(cat "$C/alice.keys")"
	tk_ok "$set-bit: SRTP policy $pol"
	[ "$(master_keys "$C/alice.keys")" = "$(master_keys "$C/bob.keys")" ] ||
		tk_fail "$set-bit: Alice's and Bob's master keys differ"
	tk_ok "$set-bit: Alice and Bob derived the same master keys"
	proof "$set-bit call" "$C/alice.keys" "$C/bob.keys"
done
[ "$(master_keys "$TK_TMP/c128/alice.keys")" != "$(master_keys "$TK_TMP/c256/alice.keys")" ] ||
	tk_fail "the two calls have the same keys"
tk_ok "the two calls have different keys"
tk_stop kms

# A KMS that allows only the 256-bit set refuses a 128-bit request (P-8).
P2=$(tk_free_port)
cat >"$TK_TMP/kms256.json" <<EOF
{ "listeners": { "psk": { "listen": "127.0.0.1:$P2" },
                 "https": { "enabled": false } },
  "bsf": { "url": "$BSF_ZN_URL", "token": "$BSF_TOKEN" },
  "policy": { "allowed_sets": ["256"] },
  "keyring": "$TK_TMP/keyring256.json", "audit": { "path": "$TK_TMP/audit256.log" } }
EOF
tk_start kms256 "$TKMSD" --config "$TK_TMP/kms256.json"
tk_wait_log kms256 started "kms256 did not start"
"$UE" --state "$TK_TMP/alice.state" request --call "$TK_TMP/x.call" --impu sip:alice@home1.net \
	--to sip:bob@home1.net --algs 128 --kms "psk://127.0.0.1:$P2" --kms-fqdn kms.home1.net --json \
	>"$TK_TMP/out" 2>&1 && tk_fail "128-bit request accepted by a 256-only KMS"
tk_expect_eq "$(jget "$TK_TMP/out" http_status)" 400 "256-only KMS: a 128-bit REQUEST_INIT gets 400"
run "256-bit request at the 256-only KMS" ue alice request --call "$TK_TMP/y.call" \
	--impu sip:alice@home1.net --to sip:bob@home1.net --algs 256 --kms "psk://127.0.0.1:$P2" \
	--kms-fqdn kms.home1.net
tk_ok "256-only KMS: a 256-bit REQUEST_INIT is served"
tk_stop kms256
tk_done
