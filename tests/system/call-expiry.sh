#!/bin/sh
# call-expiry.sh: a ticket is good until its TRe and no longer (P-22).
# Alice asks for a ticket valid for 6 seconds. Bob prepares two RESOLVE_INITs
# for it while it is valid (tkms-ue resolve --no-send); the first, sent at
# once with curl, is resolved (200) and tkms-ue resolve --response takes its
# keys; the second, sent after TRe, is refused by the KMS with 403 and MIKEY
# Error 0 (decoded with tkms-mikey). After TRe a resolve by tkms-ue is refused by the
# KMS too (403, Error 0), and tkms-ue refuses another TRANSFER_INIT. A call made with the ticket
# before TRe keeps working (SRTP both ways).
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init call-expiry
. "$TK_SRCDIR/tests/system/call-common.sh"
CALL_HTTP=1 call_setup
boot alice 01
boot bob 02
tk_ok "alice and bob bootstrapped"
C="$TK_TMP/c"; mkdir -p "$C"
run "alice request (6 s)" ue alice request --call "$C/alice.call" --impu sip:alice@home1.net \
	--to sip:bob@home1.net --lifetime 6 --kms "$PSK" $KMSOPT --json
cp "$TK_TMP/out" "$C/req.json"
TRE=$(sed -n 's/^ *"valid_to": \([0-9]*\).*/\1/p' "$C/alice.call")
[ -n "$TRE" ] && [ "$TRE" -le $(( $(date +%s) + 7 )) ] || tk_fail "TRe not within 7 s: '$TRE' ($(jget "$C/req.json" valid_to))"
tk_ok "ticket granted until $(jget "$C/req.json" valid_to)"
run "transfer-init" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey"

# Two RESOLVE_INITs built now, sent later with curl (plain HTTP: MIKEY
# authenticates itself, P-2).
for n in 1 2; do
	run "bob resolve --no-send $n" ue bob resolve --call "$C/bob-cap$n.call" --in "$C/ti.mikey" \
		--impu sip:bob@home1.net --kms-fqdn kms.home1.net --no-send --out "$C/resolve$n.mikey"
	tk_expect_eq "$(mtype "$C/resolve$n.mikey")" RESOLVE_INIT_PSK "RESOLVE_INIT $n kept"
done
post() { # FILE -> HTTP status; body in $C/answer
	curl -s --max-time 10 -o "$C/answer" -w '%{http_code}' -H 'Content-Type: application/mikey' \
		--data-binary "@$1" "$HTTP/mikey"
}
tk_expect_eq "$(post "$C/resolve1.mikey")" 200 "RESOLVE_INIT before TRe: 200"
tk_expect_eq "$(mtype "$C/answer")" RESOLVE_RESP "the answer is a RESOLVE_RESP"
run "bob resolve --response" ue bob resolve --call "$C/bob-cap1.call" --response "$C/answer"
tk_ok "tkms-ue takes the keys from the answer curl received"
# A call made with the ticket while it is valid.
call_answer "$C" alice bob "$HTTPS"
proof "call before TRe" "$C/alice.keys" "$C/bob.keys"

while [ "$(date +%s)" -le $((TRE + 1)) ]; do sleep 0.2; done
tk_expect_eq "$(post "$C/resolve2.mikey")" 403 "RESOLVE_INIT after TRe: 403"
tk_expect_eq "$(mtype "$C/answer")" Error "the answer is a MIKEY Error message"
"$MIKEY" decode --compact "$C/answer" >"$TK_TMP/err.json" 2>&1
grep -q '"Error_no":{"value":0,' "$TK_TMP/err.json" || tk_fail "not Error 0: $(cat "$TK_TMP/err.json")"
tk_ok "MIKEY Error 0 (Auth failure)"
grep -q '"operation":"resolve","result":"ticket-invalid"' "$TK_TMP/audit.log" ||
	tk_fail "refusal not audited: $(cat "$TK_TMP/audit.log")"
tk_ok "the refused resolve is audited (result ticket-invalid)"

# tkms-ue leaves TRe to the KMS (it allows for clock skew): refused there.
refuse "tkms-ue resolve of the expired ticket" 3 ue bob resolve --call "$C/bob2.call" \
	--in "$C/ti.mikey" --impu sip:bob@home1.net --kms "$PSK" $KMSOPT --json
tk_expect_eq "$(jget "$TK_TMP/out" http_status)/$(jget "$TK_TMP/out" mikey_error)" 403/0 \
	"tkms-ue resolve after TRe: HTTP 403, MIKEY Error 0"
[ ! -f "$C/bob2.call" ] || tk_fail "a call state was written for the refused resolve"
refuse "another TRANSFER_INIT with the expired ticket" 6 ue alice transfer-init \
	--call "$C/alice.call" --out "$C/ti2.mikey"
proof "the call made before TRe" "$C/alice.keys" "$C/bob.keys"
tk_stop kms
tk_done
