#!/bin/sh
# kms-groups.sh: tickets for several responders and groups (profile P-14,
# P-25). Alice asks for one ticket naming Bob and the group
# sip:team@home1.net (Carol, Dave in tkmsd's "groups"). Bob is accepted as
# listed, Carol and Dave as members (keys bound to their own IMPU, forked
# apart), Eve is refused. Membership is checked at resolve time: the KMS
# keeps no per-ticket state, so after the configuration moves Dave out and
# Eve in and tkmsd reloads it on SIGHUP, the SAME ticket is refused to Dave
# and resolved for Eve, who then answers the call (SRTP both ways). An
# invalid group configuration on SIGHUP is refused and the running groups
# stay. Every resolve has its audit line (listed / group + group URI /
# forbidden).
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init kms-groups
. "$TK_SRCDIR/tests/system/call-common.sh"
call_setup '"groups": { "sip:team@home1.net": [ "sip:carol@home1.net", "sip:dave@home1.net" ] },'
boot alice 01
boot bob 02
boot carol 03
boot dave 04
boot eve 05
C="$TK_TMP/c"; mkdir -p "$C"
AUDIT="$TK_TMP/audit.log"
# last_audit: the newest resolve line of the audit file
last_audit() { grep '"operation":"resolve"' "$AUDIT" | tail -n 1; }
# resolve_as NAME: NAME resolves Alice's ticket as sip:NAME@home1.net over PSK-TLS
resolve_as()
{
	ue "$1" resolve --call "$C/$1.call" --in "$C/ti.mikey" --impu "sip:$1@home1.net" \
		--kms "$PSK" $KMSOPT --json
}
# reload: SIGHUP and wait for tkmsd's verdict (the Nth "SIGHUP:" result line)
RELOADS=0
reload()
{
	RELOADS=$((RELOADS + 1))
	kill -HUP "$(tk__pid kms)"
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		[ "$(grep -c 'SIGHUP: .*\(reloaded\|keeping\)' "$TK_TMP/kms.log")" -ge $RELOADS ] && return 0
		sleep 0.1
	done
	tk_fail "no reaction to SIGHUP: $(tail -n 3 "$TK_TMP/kms.log")"
}

run "alice request for Bob and the team" ue alice request --call "$C/alice.call" \
	--impu sip:alice@home1.net --to sip:bob@home1.net --to sip:team@home1.net \
	--kms "$PSK" $KMSOPT --json
grep '"operation":"request"' "$AUDIT" | tail -n 1 |
	grep -q '"responders":"sip:bob@home1.net sip:team@home1.net"' ||
	tk_fail "request audit: $(tail -n 1 "$AUDIT")"
tk_ok "one ticket names two responders, a user and a group (audit responders)"
run "transfer-init" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey"

run "bob resolves" resolve_as bob
last_audit | grep -q '"result":"ok","authorization":"listed".*"resolver":"sip:bob@home1.net"' ||
	tk_fail "bob audit: $(last_audit)"
tk_ok "Bob is accepted as listed in the ticket"
for who in carol dave; do
	run "$who resolves" resolve_as "$who"
	tk_expect_eq "$(jget "$TK_TMP/out" idrr)" "sip:$who@home1.net" "$who: keys bound to the resolver's own IMPU (P-25)"
	last_audit | grep -q '"authorization":"group".*"resolver":"sip:'"$who"'@home1.net","group":"sip:team@home1.net"' ||
		tk_fail "$who audit: $(last_audit)"
	tk_ok "$who is accepted as a member of sip:team@home1.net (audited with the group)"
	run "$who srtp-keys" ue "$who" srtp-keys --call "$C/$who.call" --out "$C/$who.keys"
done
[ "$(master_keys "$C/carol.keys")" != "$(master_keys "$C/dave.keys")" ] ||
	tk_fail "Carol and Dave hold the same keys"
tk_ok "Carol's and Dave's keys are forked apart"
refuse "Eve (not listed, not a member)" 3 resolve_as eve
last_audit | grep -q '"result":"forbidden".*"resolver":"sip:eve@home1.net"' ||
	tk_fail "eve audit: $(last_audit)"
tk_ok "Eve's refusal is audited (forbidden)"

# Membership change: Dave leaves, Eve joins; tkmsd reloads on SIGHUP.
sed 's|"sip:carol@home1.net", "sip:dave@home1.net"|"sip:carol@home1.net", "sip:eve@home1.net"|' \
	"$TK_TMP/kms.json" >"$TK_TMP/kms.new" && mv "$TK_TMP/kms.new" "$TK_TMP/kms.json"
grep -q '"sip:eve@home1.net"' "$TK_TMP/kms.json" || tk_fail "config edit failed"
reload
grep -q 'SIGHUP: .* reloaded' "$TK_TMP/kms.log" || tk_fail "reload: $(tail -n 3 "$TK_TMP/kms.log")"
tk_ok "tkmsd reloaded the groups on SIGHUP"
refuse "Dave after leaving the group (same ticket)" 3 resolve_as dave
last_audit | grep -q '"result":"forbidden".*"resolver":"sip:dave@home1.net"' ||
	tk_fail "dave audit: $(last_audit)"
run "eve after joining the group (same ticket)" resolve_as eve
last_audit | grep -q '"authorization":"group".*"resolver":"sip:eve@home1.net","group":"sip:team@home1.net"' ||
	tk_fail "eve audit: $(last_audit)"
tk_ok "the membership at resolve time decides: the removed member is refused, the added one accepted"
run "carol still a member" resolve_as carol

# An invalid group on SIGHUP: refused, the running groups stay.
sed 's|"sip:eve@home1.net" \]|"not a uri" ]|' "$TK_TMP/kms.json" >"$TK_TMP/kms.new" &&
	mv "$TK_TMP/kms.new" "$TK_TMP/kms.json"
reload
grep -q 'SIGHUP: configuration not valid, keeping the running one' "$TK_TMP/kms.log" ||
	tk_fail "bad reload: $(tail -n 3 "$TK_TMP/kms.log")"
tk_ok "an invalid group configuration is refused on SIGHUP"
run "eve resolves again" resolve_as eve
tk_ok "the running groups stay in force"

# Eve answers; Alice completes the call with her.
run "eve transfer-resp" ue eve transfer-resp --call "$C/eve.call" --out "$C/tr.mikey"
run "alice accept" ue alice accept --call "$C/alice.call" --in "$C/tr.mikey"
run "alice srtp-keys" ue alice srtp-keys --call "$C/alice.call" --out "$C/alice.keys"
run "eve srtp-keys" ue eve srtp-keys --call "$C/eve.call" --out "$C/eve.keys"
proof "Alice and Eve (joined after the ticket was issued)" "$C/alice.keys" "$C/eve.keys"
tk_done
