#!/bin/sh
# ue-call.sh: the whole RFC 6043 flow between two tkms-ue instances through
# the real tkmsd and bsf-stub (contracts B, D; profile P-1..P-7):
#  - Alice and Bob bootstrap over Ub;
#  - Alice requests a ticket for Bob over PSK-TLS (key forking), sends
#    TRANSFER_INIT as an SDP line; Bob resolves over HTTPS + GBA Digest,
#    answers with TRANSFER_RESP; Alice accepts; both derive SRTP keys and
#    tkms-srtp-proof protects/unprotects packets both ways with libsrtp2;
#  - the same without forking over plain HTTP;
#  - a group ticket resolved by a member (IDRr bound to the member, P-25);
#  - refusals: an altered TRANSFER_RESP / TRANSFER_INIT, a responder not
#    named in the ticket, a wrong SRTP key in the proof;
#  - a B-TID the KMS does not know (401, P-6) makes tkms-ue bootstrap again
#    and retry once.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init ue-call
. "$TK_SRCDIR/tests/system/call-common.sh"
tk_start_bsf

tk_start_kms "$(cat <<EOF
  "fqdn": "kms.home1.net",
  "groups": { "sip:team@home1.net": ["sip:carol@home1.net", "sip:dave@home1.net"] },
  "log": { "level": "debug" }
EOF
)"

tk_bootstrap alice 01
tk_bootstrap bob 02
tk_bootstrap carol 03
tk_bootstrap eve 05
tk_ok "alice, bob, carol, eve bootstrapped"

# flip FILE OFFSET: invert one octet in place
flip() {
	_b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((_b ^ 255)))" |
		dd of="$1" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}

# ---- 1. forking ticket over PSK-TLS, resolve over HTTPS + Digest ----------
C="$TK_TMP/c1"; mkdir -p "$C"
run "alice request (PSK-TLS)" ue alice request --call "$C/alice.call" --impu sip:alice@home1.net \
	--to sip:bob@home1.net --lifetime 3600 --kms "$PSK" $KMSOPT --json
grep -q '"forking": true' "$TK_TMP/out" || tk_fail "no forking granted: $(cat "$TK_TMP/out")"
grep -q '"transport": "PSK-TLS' "$TK_TMP/out" || tk_fail "transport: $(cat "$TK_TMP/out")"
tk_ok "ticket for bob over PSK-TLS with key forking"
[ "$(stat -c %a "$C/alice.call")" = 600 ] || tk_fail "call state not 0600"
tk_ok "call state written 0600"
run "alice transfer-init" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey" \
	--sdp "$C/ti.sdp"
grep -q '^a=key-mgmt:mikey [A-Za-z0-9+/=]*$' "$C/ti.sdp" || tk_fail "SDP line: $(cat "$C/ti.sdp")"
tk_ok "TRANSFER_INIT written with its a=key-mgmt:mikey line"
cp "$C/ti.mikey" "$C/ti.orig"
# An independent check with the decoder and the KMS's own TPK (P-10): the
# ticket opens, and TRANSFER_INIT's V (MPKi) and Vr (MPKr) verify.
TPK=$(grep -o '"key": *"[0-9a-fA-F]*"' "$TK_TMP/keyring.json" | head -n 1 | sed 's/.*"\([0-9a-fA-F]*\)"$/\1/')
[ -n "$TPK" ] || tk_fail "no TPK in the KMS key ring"
run "tkms-mikey decode TRANSFER_INIT" "$MIKEY" decode --tpk "$TPK" "$C/ti.sdp"
grep -q '"FAILED"' "$TK_TMP/out" && tk_fail "decoder verification: $(cat "$TK_TMP/out")"
grep -q '"ticket": "ok"' "$TK_TMP/out" && grep -q '"Vr": "ok"' "$TK_TMP/out" ||
	tk_fail "decoder did not verify ticket and Vr: $(grep -A8 verification "$TK_TMP/out")"
tk_ok "tkms-mikey opens the ticket with the KMS TPK and verifies TRANSFER_INIT's V and Vr"
run "bob resolve (HTTPS + Digest, from the SDP line)" ue bob resolve --call "$C/bob.call" \
	--in "$C/ti.sdp" --impu sip:bob@home1.net --kms "$HTTPS" $KMSOPT --json
grep -q '"idrr": "sip:bob@home1.net"' "$TK_TMP/out" || tk_fail "bound IDRr: $(cat "$TK_TMP/out")"
grep -q '"transport": "HTTPS+Digest' "$TK_TMP/out" || tk_fail "transport: $(cat "$TK_TMP/out")"
tk_ok "bob resolved the ticket over HTTPS + GBA Digest and verified TRANSFER_INIT"
run "bob transfer-resp" ue bob transfer-resp --call "$C/bob.call" --out "$C/tr.mikey"
cp "$C/alice.call" "$C/alice.before-accept"
# An altered TRANSFER_RESP is refused (a few positions; the unit test does all).
LEN=$(stat -c %s "$C/tr.mikey")
for off in 4 12 $((LEN / 2)) $((LEN - 1)); do
	cp "$C/tr.mikey" "$C/tr.bad"; flip "$C/tr.bad" "$off"
	cp "$C/alice.before-accept" "$C/alice.try"
	"$UE" --state "$TK_TMP/alice.state" accept --call "$C/alice.try" --in "$C/tr.bad" \
		>"$TK_TMP/out" 2>&1 && tk_fail "TRANSFER_RESP with octet $off altered accepted"
done
tk_ok "TRANSFER_RESP with an altered octet refused"
run "alice accept" ue alice accept --call "$C/alice.call" --in "$C/tr.mikey" --json
grep -q '"forking": true' "$TK_TMP/out" || tk_fail "accept: $(cat "$TK_TMP/out")"
tk_ok "alice verified TRANSFER_RESP with the forked MPKr'"
run "alice srtp-keys" ue alice srtp-keys --call "$C/alice.call" --out "$C/alice.keys"
run "bob srtp-keys" ue bob srtp-keys --call "$C/bob.call" --out "$C/bob.keys"
[ "$(stat -c %a "$C/alice.keys")" = 600 ] || tk_fail "key file not 0600"
run "SRTP proof" "$PROOF" --initiator "$C/alice.keys" --responder "$C/bob.keys" --packets 200
grep -q 'initiator -> responder' "$TK_TMP/out" && grep -q 'responder -> initiator' "$TK_TMP/out" ||
	tk_fail "not both directions: $(cat "$TK_TMP/out")"
tk_ok "SRTP (libsrtp2) round trip in both directions with the exchanged keys"
sed 's/"master_key": "[0-9a-e]/"master_key": "f/; t; s/"master_key": "f/"master_key": "0/' \
	"$C/bob.keys" >"$C/bob.badkeys"
cmp -s "$C/bob.keys" "$C/bob.badkeys" && tk_fail "key edit did nothing"
refuse "SRTP proof with a wrong master key" 1 "$PROOF" --initiator "$C/alice.keys" \
	--responder "$C/bob.badkeys"

# A TRANSFER_INIT altered by the network: Bob refuses it.
flip "$C/ti.mikey" $(( $(stat -c %s "$C/ti.mikey") - 3 ))
refuse "TRANSFER_INIT with its MAC altered" 3 ue bob resolve --call "$C/bob2.call" \
	--in "$C/ti.mikey" --impu sip:bob@home1.net --kms "$HTTPS" $KMSOPT
# Eve is not named in the ticket: the KMS will not resolve it for her.
refuse "resolve by eve (not an authorized responder)" 3 ue eve resolve --call "$C/eve.call" \
	--in "$C/ti.orig" --impu sip:eve@home1.net --kms "$PSK" $KMSOPT
# Eve cannot claim Bob's identity either.
refuse "resolve by eve claiming sip:bob@home1.net" 3 ue eve resolve --call "$C/eve.call" \
	--in "$C/ti.orig" --impu sip:bob@home1.net --kms "$PSK" $KMSOPT

# ---- 2. no forking, plain HTTP ------------------------------------------------
C="$TK_TMP/c2"; mkdir -p "$C"
run "alice request (HTTP, no forking)" ue alice request --call "$C/alice.call" \
	--impu sip:alice@home1.net --to sip:bob@home1.net --no-forking --kms "$HTTP" $KMSOPT --json
grep -q '"forking": false' "$TK_TMP/out" || tk_fail "forking not off: $(cat "$TK_TMP/out")"
run "transfer-init" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey"
call_answer "$C" alice bob "$HTTP"
run "SRTP proof (no forking)" "$PROOF" --initiator "$C/alice.keys" --responder "$C/bob.keys"
tk_ok "no-forking call over plain HTTP: SRTP proof passed"

# ---- 3. group ticket: carol resolves as a member of sip:team@home1.net -----
C="$TK_TMP/c3"; mkdir -p "$C"
run "alice request (group)" ue alice request --call "$C/alice.call" --impu sip:alice@home1.net \
	--to sip:team@home1.net --kms "$PSK" $KMSOPT
run "transfer-init to the group" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey"
call_answer "$C" alice carol "$PSK"
grep -q '"idrr": "sip:carol@home1.net"' "$C/carol.resolve.json" ||
	tk_fail "group IDRr: $(cat "$C/carol.resolve.json")"
run "SRTP proof (group member)" "$PROOF" --initiator "$C/alice.keys" --responder "$C/carol.keys"
tk_ok "group ticket resolved by a member, keys forked to her identity"
refuse "resolve of the group ticket by eve" 3 ue eve resolve --call "$C/eve.call" \
	--in "$C/ti.mikey" --impu sip:eve@home1.net --kms "$PSK" $KMSOPT

# ---- 4. the KMS does not know the B-TID: bootstrap again, retry once --------
C="$TK_TMP/c4"; mkdir -p "$C"
sed 's/"btid": *"[^"]*"/"btid": "AAAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net"/' "$TK_TMP/alice.state" \
	>"$TK_TMP/alice.state.new" && chmod 600 "$TK_TMP/alice.state.new" &&
	mv "$TK_TMP/alice.state.new" "$TK_TMP/alice.state"
grep -q 'AAAAAAAAAAAAAAAAAAAAAA==@' "$TK_TMP/alice.state" || tk_fail "state edit failed"
run "alice request with an unknown B-TID" ue alice request --call "$C/alice.call" \
	--impu sip:alice@home1.net --to sip:bob@home1.net --kms "$PSK" $KMSOPT --json
grep -q '"rebootstrapped": true' "$TK_TMP/out" || tk_fail "no re-bootstrap: $(cat "$TK_TMP/out")"
grep -q 'AAAAAAAAAAAAAAAAAAAAAA==@' "$TK_TMP/alice.state" && tk_fail "state still has the old B-TID"
tk_ok "401 from the KMS: tkms-ue bootstrapped again and got its ticket"
run "alice state after the new bootstrap" ue alice show
# Bob too, over HTTPS: his Digest credentials are refused (401), he
# bootstraps again and resolves.
run "transfer-init" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey"
sed 's/"btid": *"[^"]*"/"btid": "AAAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net"/' "$TK_TMP/bob.state" \
	>"$TK_TMP/bob.state.new" && chmod 600 "$TK_TMP/bob.state.new" &&
	mv "$TK_TMP/bob.state.new" "$TK_TMP/bob.state"
run "bob resolve over HTTPS with an unknown B-TID" ue bob resolve --call "$C/bob.call" \
	--in "$C/ti.mikey" --impu sip:bob@home1.net --kms "$HTTPS" $KMSOPT --json
grep -q '"rebootstrapped": true' "$TK_TMP/out" || tk_fail "no re-bootstrap: $(cat "$TK_TMP/out")"
run "transfer-resp" ue bob transfer-resp --call "$C/bob.call" --out "$C/tr.mikey"
run "accept" ue alice accept --call "$C/alice.call" --in "$C/tr.mikey"
tk_ok "Digest refused on HTTPS (401): tkms-ue bootstrapped again and resolved"

# ---- 5. usage errors ------------------------------------------------------------
refuse "accept before transfer-init" 1 ue alice accept --call "$TK_TMP/c4/alice.call" \
	--in "$TK_TMP/c1/tr.mikey"
refuse "request without --to" 1 ue alice request --call "$TK_TMP/x.call" \
	--impu sip:alice@home1.net --kms "$PSK"
refuse "request to an unreachable KMS" 2 ue alice request --call "$TK_TMP/x.call" \
	--impu sip:alice@home1.net --to sip:bob@home1.net --kms "http://127.0.0.1:$(tk_free_port)" \
	--kms-fqdn kms.home1.net

tk_stop kms
tk_done
