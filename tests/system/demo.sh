#!/bin/sh
# demo.sh: contrib/demo.sh (the README's first command) on free ports, in
# both MIKEY algorithm sets: every step OK and exit 0; the four scenarios
# present in the transcript (Alice -> Bob, group answered by Carol, Dave's
# deferred message decrypted, Eve refused with 403 / MIKEY Error 0); no SRTP
# key bytes in the transcript; the daemons are gone afterwards. Then a busy
# port makes the demo stop at once with a clear message.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init demo
DEMO="$TK_SRCDIR/contrib/demo.sh"
[ -x "$DEMO" ] || tk_fail "$DEMO missing or not executable"
ports() {
	TKMS_DEMO_UB_PORT=$(tk_free_port); TKMS_DEMO_ZN_PORT=$(tk_free_port)
	TKMS_DEMO_PSK_PORT=$(tk_free_port); TKMS_DEMO_HTTPS_PORT=$(tk_free_port)
	export TKMS_DEMO_UB_PORT TKMS_DEMO_ZN_PORT TKMS_DEMO_PSK_PORT TKMS_DEMO_HTTPS_PORT
}
for set in 128 256; do
	ports
	T="$TK_TMP/demo$set.txt"
	TKMS_DEMO_ALGS=$set TKMS_DEMO_DIR="$TK_TMP/w$set" TKMS_DEMO_KEEP=1 \
		"$DEMO" "$TK_BUILDDIR" >"$T" 2>&1
	rc=$?
	[ $rc -eq 0 ] || tk_fail "$set-bit demo exit $rc: $(grep -A6 UNEXPECTED "$T" | head -n 40)"
	tk_ok "$set-bit demo exits 0"
	grep -q UNEXPECTED "$T" && tk_fail "$set-bit: UNEXPECTED in the transcript"
	grep -q '^demo: all [0-9]* steps OK$' "$T" || tk_fail "$set-bit: no final verdict: $(tail -n 3 "$T")"
	tk_ok "$set-bit: $(sed -n 's/^demo: //p' "$T" | head -n 1)"
	grep -q "MIKEY algorithm set: $set-bit" "$T" || tk_fail "$set-bit: algorithm set not shown"
	for want in '== 1. Alice calls Bob' 'keys bound to sip:bob@home1.net' \
		'== 2. Alice calls the group' 'keys forked to sip:carol@home1.net' \
		"key forking: Carol's and Dave's keys differ" \
		'== 3. Alice leaves a voice message' 'Call me back about Friday' \
		"Dave decrypted Alice's stored media" \
		'== 4. Eve' 'refused: HTTP 403, MIKEY Error 0'; do
		grep -qF "$want" "$T" || tk_fail "$set-bit: transcript lacks '$want'"
	done
	tk_ok "$set-bit: the four scenarios ran as described"
	tk_expect_eq "$(grep -c 'protected by one side and unprotected by the other' "$T")" 2 \
		"$set-bit: SRTP proofs of the two live calls"
	case $set in
	128) grep -q 'AES_CM_128_HMAC_SHA1_80' "$T" || tk_fail "128-bit SRTP policy not used" ;;
	256) grep -q 'AES_CM_256_HMAC_SHA1_80' "$T" || tk_fail "256-bit SRTP policy not used" ;;
	esac
	tk_ok "$set-bit: the message was recorded with the set's SRTP policy"
	# The stored media: Dave's keys play it; one altered octet is refused.
	w="$TK_TMP/w$set"
	UE="$TK_BUILDDIR/src/ue/tkms-ue"
	"$UE" --state "$w/dave.state" srtp-play --call "$w/call3/dave.call" \
		--in "$w/mailbox/dave/message.srtp" >"$TK_TMP/out" 2>&1 ||
		tk_fail "$set-bit: replay of the stored message: $(cat "$TK_TMP/out")"
	cp "$w/mailbox/dave/message.srtp" "$TK_TMP/bad.srtp"
	printf 'X' | dd of="$TK_TMP/bad.srtp" bs=1 seek=40 conv=notrunc 2>/dev/null
	cmp -s "$TK_TMP/bad.srtp" "$w/mailbox/dave/message.srtp" && tk_fail "tamper did nothing"
	"$UE" --state "$w/dave.state" srtp-play --call "$w/call3/dave.call" \
		--in "$TK_TMP/bad.srtp" >"$TK_TMP/out" 2>&1 &&
		tk_fail "$set-bit: an altered stored message was accepted"
	grep -q 'authentication failure' "$TK_TMP/out" || tk_fail "$set-bit: tamper: $(cat "$TK_TMP/out")"
	tk_ok "$set-bit: the stored message plays with Dave's keys; an altered packet fails SRTP authentication"
	# No key bytes in the transcript: none of the SRTP master keys or salts.
	n=0
	for k in $(cat "$TK_TMP/w$set"/call*/*.keys | sed -n 's/.*"master_\(key\|salt\)": "\([0-9a-f]*\)".*/\2/p'); do
		n=$((n + 1))
		grep -qi "$k" "$T" && tk_fail "$set-bit: key bytes $k printed"
	done
	[ $n -ge 12 ] || tk_fail "$set-bit: only $n keys found to check"
	tk_ok "$set-bit: none of the $n SRTP master keys/salts appears in the transcript"
	for p in $TKMS_DEMO_UB_PORT $TKMS_DEMO_ZN_PORT $TKMS_DEMO_PSK_PORT $TKMS_DEMO_HTTPS_PORT; do
		curl -s -o /dev/null --connect-timeout 1 "http://127.0.0.1:$p/"
		[ $? -eq 7 ] || tk_fail "$set-bit: something still listens on $p after the demo"
	done
	tk_ok "$set-bit: the demo's daemons are stopped"
done

# A busy port: a clear message, exit 1, quickly.
ports
tk_start_bsf
TKMS_DEMO_PSK_PORT=${BSF_UB_URL##*:} "$DEMO" "$TK_BUILDDIR" >"$TK_TMP/busy.txt" 2>&1
tk_expect_eq "$?" 1 "busy port: exit 1"
grep -q "port 127.0.0.1:${BSF_UB_URL##*:} is in use" "$TK_TMP/busy.txt" ||
	tk_fail "busy port message: $(cat "$TK_TMP/busy.txt")"
tk_ok "busy port: says which port is in use"
tk_stop bsf
tk_done
