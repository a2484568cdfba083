#!/bin/sh
# call-rebootstrap.sh: B-TIDs that expire (BSF lifetime 4 s) while the UEs
# still use them (P-6, P-27). Alice and Bob bootstrap; Alice gets a ticket
# (the KMS caches her Ks_NAF); both B-TIDs expire at the BSF. Their UEs
# believe the B-TIDs still valid (state expiry moved forward, as a UE whose
# clock lags would): Alice's next request over HTTPS + Digest gets the KMS's
# 401, Bob's resolve over PSK-TLS finds the handshake refused; each tkms-ue
# bootstraps again by itself and retries once, and the call completes with
# SRTP both ways. Finally a UE that knows its B-TID expired bootstraps before
# it sends anything.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init call-rebootstrap
. "$TK_SRCDIR/tests/system/call-common.sh"
TK_BSF_LIFETIME=4 call_setup
boot alice 01
boot bob 02
T0=$(date +%s)
tk_ok "alice and bob bootstrapped (B-TID lifetime 4 s)"
btid() { sed -n 's/^ *"btid": "\([^"]*\)".*/\1/p' "$TK_TMP/$1.state"; }
# lag NAME: the UE's state claims its bootstrap valid for another hour
lag() {
	sed "s/\"expiry\": *\"[^\"]*\"/\"expiry\": \"$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)\"/" \
		"$TK_TMP/$1.state" >"$TK_TMP/$1.state.new" && chmod 600 "$TK_TMP/$1.state.new" &&
		mv "$TK_TMP/$1.state.new" "$TK_TMP/$1.state" || tk_fail "state edit"
}
A0=$(btid alice); B0=$(btid bob)
C="$TK_TMP/c0"; mkdir -p "$C"
run "alice request (fresh B-TID)" ue alice request --call "$C/alice.call" \
	--impu sip:alice@home1.net --to sip:bob@home1.net --kms "$HTTPS" $KMSOPT --json
tk_expect_eq "$(jget "$TK_TMP/out" rebootstrapped)" false "fresh B-TID: no new bootstrap"

while [ "$(date +%s)" -le $((T0 + 4)) ]; do sleep 0.2; done
lag alice
lag bob
C="$TK_TMP/c1"; mkdir -p "$C"
run "alice request (expired B-TID, HTTPS)" ue alice request --call "$C/alice.call" \
	--impu sip:alice@home1.net --to sip:bob@home1.net --kms "$HTTPS" $KMSOPT --json
tk_expect_eq "$(jget "$TK_TMP/out" rebootstrapped)" true "alice: tkms-ue bootstrapped again"
tk_expect_eq "$(jget "$TK_TMP/out" http_status)" 200 "alice: the retried request got its ticket"
A1=$(btid alice)
[ -n "$A1" ] && [ "$A1" != "$A0" ] || tk_fail "alice's B-TID unchanged: $A0"
tk_ok "alice has a new B-TID"
grep -q 'https .*Digest refused: no key for this B-TID (B-TID not found)' "$TK_TMP/kms.log" ||
	tk_fail "no Digest refusal (401) in the KMS log: $(grep -v debug "$TK_TMP/kms.log")"
tk_ok "the KMS refused the expired B-TID with 401 (its cached key was not used)"
run "transfer-init" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey"
call_answer "$C" alice bob "$PSK"
tk_expect_eq "$(jget "$C/bob.resolve.json" rebootstrapped)" true "bob (PSK-TLS refused): tkms-ue bootstrapped again"
grep -qF "psk: PSK identity \"$B0\" refused" "$TK_TMP/kms.log" ||
	tk_fail "the KMS did not refuse bob's expired B-TID on PSK-TLS: $(grep -F "$B0" "$TK_TMP/kms.log")"
tk_ok "the KMS refused bob's expired B-TID in the PSK-TLS handshake"
B1=$(btid bob)
[ -n "$B1" ] && [ "$B1" != "$B0" ] || tk_fail "bob's B-TID unchanged"
tk_ok "bob has a new B-TID"
proof "call after re-bootstrap" "$TK_TMP/c1/alice.keys" "$TK_TMP/c1/bob.keys"

# The UE knows its bootstrap expired: it bootstraps before sending.
while [ "$(date +%s)" -le $(( $(date -d "$(sed -n 's/^ *"expiry": "\([^"]*\)".*/\1/p' "$TK_TMP/alice.state")" +%s) )) ]; do
	sleep 0.2
done
C="$TK_TMP/c2"; mkdir -p "$C"
run "alice request (state says expired)" ue alice request --call "$C/alice.call" \
	--impu sip:alice@home1.net --to sip:bob@home1.net --kms "$PSK" $KMSOPT --json
tk_expect_eq "$(jget "$TK_TMP/out" rebootstrapped)" true "alice bootstrapped before sending"
grep -F "$A1" "$TK_TMP/kms.log" | grep -q 'psk' &&
	tk_fail "the expired B-TID was offered to the KMS: $(grep -F "$A1" "$TK_TMP/kms.log" | grep psk)"
tk_ok "the expired B-TID was not offered on PSK-TLS"
tk_stop kms
tk_done
