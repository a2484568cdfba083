#!/bin/sh
# kms-deferred.sh: deferred delivery (a voice message) through ONE tkmsd with
# its default policy (P-11: a UE may choose F, G, H, I, J; lifetime up to
# policy.max_lifetime). Alice asks with `tkms-ue request --deferred` (F = G =
# I = 0, H = 1, 7 days), writes the TRANSFER_INIT and SRTP media recorded
# with `tkms-ue srtp-record` into a mailbox, and goes away (call file and GBA
# state deleted). The KMS restarts with the same key ring. Dave resolves the
# stored ticket and `tkms-ue srtp-play` decrypts the media. Refused: a
# TRANSFER_RESP for F = 0, a damaged packet, Eve resolving the stored
# ticket, and --deferred at a KMS whose policy does not let UEs choose F, G, I.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init kms-deferred
. "$TK_SRCDIR/tests/system/call-common.sh"
call_setup   # tkmsd's default policy
boot alice 01
boot dave 04
boot eve 05
MB="$TK_TMP/mailbox"; mkdir -p "$MB"

run "alice request --deferred" ue alice request --call "$TK_TMP/alice.call" \
	--impu sip:alice@home1.net --to sip:dave@home1.net --deferred --kms "$PSK" $KMSOPT --json
cp "$TK_TMP/out" "$TK_TMP/req.json"
tk_expect_eq "$(jget "$TK_TMP/req.json" flags)" DEHJNO \
	"granted flags: no answer (F = 0), no responder RAND (G = 0), no forking (I = 0), RANDRi (H)"
tk_expect_eq "$(jget "$TK_TMP/req.json" policy_changed)" false "the main KMS granted it as asked (K = 0)"
valid_to=$(jget "$TK_TMP/req.json" valid_to)
want=$(date -u -d "@$(( $(date +%s) + 7 * 86400 ))" +%Y-%m-%d)
case "$valid_to" in "$want"*) tk_ok "ticket valid 7 days (to $valid_to)" ;;
	*) tk_fail "valid_to $valid_to, expected $want" ;; esac
grep '"operation":"request"' "$TK_TMP/audit.log" | tail -n 1 | grep -q '"valid_to":"'"$want" ||
	tk_fail "audit line of the request: $(tail -n 1 "$TK_TMP/audit.log")"
tk_ok "audit line shows the 7-day validity"

run "alice transfer-init" ue alice transfer-init --call "$TK_TMP/alice.call" --out "$MB/message.mikey"
run "alice srtp-keys without an answer" ue alice srtp-keys --call "$TK_TMP/alice.call" \
	--out "$TK_TMP/alice.keys"
run "alice srtp-record" ue alice srtp-record --call "$TK_TMP/alice.call" --out "$MB/message.srtp" \
	--packets 7 --text "Hi Dave, call me back about Friday."
grep -q '^7 SRTP packets (CS 1' "$TK_TMP/out" || tk_fail "srtp-record said: $(cat "$TK_TMP/out")"
tk_ok "7 SRTP packets recorded under Alice's keys of CS 1"
rm -f "$TK_TMP/alice.call" "$TK_TMP/alice.state"
tk_ok "Alice is gone: her call file and GBA state are deleted"

tk_stop kms
tk_start kms2 "$TKMSD" --config "$TK_TMP/kms.json"
tk_wait_http "https://127.0.0.1:$P_HTTPS/healthz" 10 kms2
tk_ok "KMS restarted with the same key ring"

run "dave resolve after the restart" ue dave resolve --call "$TK_TMP/dave.call" \
	--in "$MB/message.mikey" --impu sip:dave@home1.net --kms "$PSK" $KMSOPT --json
tk_expect_eq "$(jget "$TK_TMP/out" peer)" sip:alice@home1.net "Dave resolved the stored ticket from Alice"
tk_expect_eq "$(jget "$TK_TMP/out" forking)" false "no forking"
run "dave srtp-play" ue dave srtp-play --call "$TK_TMP/dave.call" --in "$MB/message.srtp"
grep -q '\[7/7\] Hi Dave, call me back about Friday.' "$TK_TMP/out" &&
	grep -q '^7 SRTP packets (CS 1, AES_CM_128_HMAC_SHA1_80) authenticated and decrypted' "$TK_TMP/out" ||
	tk_fail "srtp-play output: $(cat "$TK_TMP/out")"
tk_ok "Dave decrypted all 7 stored packets"
run "dave srtp-keys" ue dave srtp-keys --call "$TK_TMP/dave.call" --out "$TK_TMP/dave.keys"
[ "$(master_keys "$TK_TMP/alice.keys")" = "$(master_keys "$TK_TMP/dave.keys")" ] ||
	tk_fail "Alice's and Dave's SRTP master keys differ"
tk_ok "Dave's SRTP master keys equal the ones Alice recorded with"
grep '"operation":"resolve"' "$TK_TMP/audit.log" | tail -n 1 |
	grep -q '"result":"ok","authorization":"listed"' ||
	tk_fail "audit of the resolve: $(tail -n 1 "$TK_TMP/audit.log")"
tk_ok "the restarted KMS audited the resolve (listed)"

refuse "TRANSFER_RESP for an F = 0 ticket" 1 \
	ue dave transfer-resp --call "$TK_TMP/dave.call" --out "$TK_TMP/tr.mikey"
# Flip one octet of the first packet's payload (after the 2-octet length and the RTP header).
cp "$MB/message.srtp" "$TK_TMP/bad.srtp"
printf '\377' | dd of="$TK_TMP/bad.srtp" bs=1 seek=30 conv=notrunc 2>/dev/null
refuse "a damaged stored packet" 3 ue dave srtp-play --call "$TK_TMP/dave.call" --in "$TK_TMP/bad.srtp"
refuse "Eve resolving the stored ticket" 3 ue eve resolve --call "$TK_TMP/eve.call" \
	--in "$MB/message.mikey" --impu sip:eve@home1.net --kms "$PSK" $KMSOPT
[ ! -f "$TK_TMP/eve.call" ] || tk_fail "Eve got a call file"

# A KMS whose policy fixes F, G and I (UEs may choose only J): the UE
# refuses the grant rather than store a message nobody could play.
boot alice 01
sed 's/^  "keyring"/  "policy": { "flags_choosable": ["J"] },\n  "keyring"/' \
	"$TK_TMP/kms.json" >"$TK_TMP/kms.json.new" && mv "$TK_TMP/kms.json.new" "$TK_TMP/kms.json"
kill -HUP "$(tk__pid kms2)"
for i in 1 2 3 4 5 6 7 8 9 10; do
	grep -q 'SIGHUP: .* reloaded' "$TK_TMP/kms2.log" && break; sleep 0.2
done
grep -q 'SIGHUP: .* reloaded' "$TK_TMP/kms2.log" || tk_fail "no reload: $(tail -n 3 "$TK_TMP/kms2.log")"
refuse "--deferred at a KMS that grants F G I anyway" 6 ue alice request --call "$TK_TMP/a2.call" \
	--impu sip:alice@home1.net --to sip:dave@home1.net --deferred --kms "$PSK" $KMSOPT
grep -q 'did not grant deferred delivery' "$TK_TMP/out" || tk_fail "message: $(cat "$TK_TMP/out")"
tk_ok "the UE says why: the KMS did not grant deferred delivery"
tk_done
