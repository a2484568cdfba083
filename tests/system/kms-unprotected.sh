#!/bin/sh
# kms-unprotected.sh: unprotected tickets (issue 6 item 8; the seed's
# SDES-like mode, RFC 6043 D = 0). `tkms-ue make-ticket` lets Alice make a
# ticket herself, with no KMS and no GBA bootstrap: Ticket Data in clear
# (THDR version 0, KEMAC with NULL encryption carrying MPK || TGK+SALT, V
# with NULL MAC), flags D = 0, L = 1, E = 0, I = 0. Bob refuses it unless told
# otherwise (exit 6, a loud message, a Transfer Error 15 for Alice); with
# `tkms-ue resolve --accept-unprotected` the call works, SRTP both ways, in
# both algorithm sets. The KMS refuses to resolve such a ticket (P-22: 400,
# MACed MIKEY Error 15, audited tp-param). An altered TRANSFER_INIT fails
# its MAC; a responder the ticket does not name is refused. And what the
# documentation warns about holds: anyone who captured the TRANSFER_INIT
# (Eve, claiming Bob's identity - nothing authenticates it) holds the TGK.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init kms-unprotected
. "$TK_SRCDIR/tests/system/call-common.sh"
KC="$TK_BUILDDIR/tests/system/kms-client"
[ -x "$KC" ] || tk_fail "$KC not built"
call_setup
boot bob 02
C="$TK_TMP/c"; mkdir -p "$C"

for set in 128 256; do
	rm -f "$C"/*
	run "alice make-ticket ($set)" ue alice make-ticket --call "$C/alice.call" \
		--impu sip:alice@home1.net --to sip:bob@home1.net --algs $set --json
	[ ! -f "$TK_TMP/alice.state" ] || tk_fail "alice has a GBA state"
	tk_expect_eq "$(jget "$TK_TMP/out" flags)" FGHJLNO "$set: flags D = 0, L = 1, E = 0, I = 0 (no KMS, no bootstrap)"
	run "alice transfer-init" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey"
	tk_expect_eq "$(mfield "$C/ti.mikey" D)" false "$set: the TRANSFER_INIT's ticket says D = 0"

	refuse "$set: bob resolve without --accept-unprotected" 6 ue bob resolve --call "$C/bob.call" \
		--in "$C/ti.mikey" --impu sip:bob@home1.net --kms "$PSK" $KMSOPT --error-out "$C/err.mikey"
	grep -q 'UNPROTECTED ticket' "$TK_TMP/out" && grep -q -- '--accept-unprotected' "$TK_TMP/out" ||
		tk_fail "refusal message: $(cat "$TK_TMP/out")"
	[ ! -f "$C/bob.call" ] || tk_fail "a call file was written for the refused ticket"
	tk_expect_eq "$(mtype "$C/err.mikey")/$(mfield "$C/err.mikey" Error_no)" "Error/Invalid TPpar" \
		"$set: Alice gets a Transfer Error 15"

	run "$set: bob resolve --accept-unprotected" ue bob resolve --call "$C/bob.call" \
		--in "$C/ti.mikey" --impu sip:bob@home1.net --accept-unprotected
	grep -q 'UNPROTECTED ticket' "$TK_TMP/out" || tk_fail "no warning on acceptance: $(cat "$TK_TMP/out")"
	run "bob transfer-resp" ue bob transfer-resp --call "$C/bob.call" --out "$C/tr.mikey"
	run "alice accept" ue alice accept --call "$C/alice.call" --in "$C/tr.mikey"
	run "alice srtp-keys" ue alice srtp-keys --call "$C/alice.call" --out "$C/alice.keys"
	run "bob srtp-keys" ue bob srtp-keys --call "$C/bob.call" --out "$C/bob.keys"
	proof "$set: unprotected call Alice <-> Bob" "$C/alice.keys" "$C/bob.keys"
done

# The KMS will not resolve it (P-22): 400 + MACed Error 15, audited.
"$KC" --state "$TK_TMP/bob.state" --kms "$PSK" $KMSOPT --body "$C/kms.body" \
	resolve --impu sip:bob@home1.net --in "$C/ti.mikey" >"$TK_TMP/kc.out" 2>&1 ||
	tk_fail "kms-client: $(cat "$TK_TMP/kc.out")"
grep -q '^status=400 mikey=1' "$TK_TMP/kc.out" || tk_fail "KMS answer: $(cat "$TK_TMP/kc.out")"
tk_expect_eq "$(mfield "$C/kms.body" Error_no)" "Invalid TPpar" "the KMS refuses to resolve it: HTTP 400, MIKEY Error 15"
[ -n "$(mfield "$C/kms.body" Auth_alg)" ] || tk_fail "Error not MACed: $("$MIKEY" decode --compact "$C/kms.body")"
tk_ok "  the Error is MACed (the RESOLVE_INIT was authentic)"
grep '"operation":"resolve"' "$TK_TMP/audit.log" | tail -n 1 | grep -q '"result":"tp-param"' ||
	tk_fail "audit: $(tail -n 1 "$TK_TMP/audit.log")"
tk_ok "  and audits it (tp-param)"

# Integrity against accidents only.
cp "$C/ti.mikey" "$C/ti-bad.mikey"
len=$(wc -c <"$C/ti.mikey")
printf '\001' | dd of="$C/ti-bad.mikey" bs=1 seek=$((len - 3)) conv=notrunc 2>/dev/null
refuse "an altered TRANSFER_INIT" 3 ue bob resolve --call "$C/bob2.call" --in "$C/ti-bad.mikey" \
	--impu sip:bob@home1.net --accept-unprotected
refuse "--no-send with an unprotected ticket (no KMS to send to)" 1 ue bob resolve \
	--call "$C/bob3.call" --in "$C/ti.mikey" --impu sip:bob@home1.net --kms-fqdn kms.home1.net \
	--no-send --out "$C/r.mikey"
refuse "a responder the ticket does not name" 6 ue carol resolve --call "$C/carol.call" \
	--in "$C/ti.mikey" --impu sip:carol@home1.net --accept-unprotected
grep -q 'does not name sip:carol@home1.net' "$TK_TMP/out" || tk_fail "message: $(cat "$TK_TMP/out")"

# No confidentiality: whoever saw the TRANSFER_INIT has the TGK and the
# salt (the TEKs then follow from RANDRi and RANDRr, both in clear in the
# signalling). Eve, with no credentials, claims Bob's identity.
run "eve (no credentials) claiming Bob" ue eve resolve --call "$C/eve.call" --in "$C/ti.mikey" \
	--impu sip:bob@home1.net --accept-unprotected
tgk() { sed -n '/"keys": \[/,/\]/s/.*"key": "\([0-9a-f]*\)".*/\1/p' "$1"; }
[ -n "$(tgk "$C/alice.call")" ] && [ "$(tgk "$C/eve.call")" = "$(tgk "$C/alice.call")" ] ||
	tk_fail "eve's TGK differs from Alice's"
tk_ok "as documented: an eavesdropper with the TRANSFER_INIT holds the call's TGK (no confidentiality)"
tk_done
