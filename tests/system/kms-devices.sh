#!/bin/sh
# kms-devices.sh: forking a call to the devices of one user. Bob has a phone
# and a tablet: two subscriptions (IMPIs bob-phone@ and bob-tablet@home1.net,
# each its own K, its own GBA bootstrap) whose GUSS both carry the IMPU
# sip:bob@home1.net - the way an HSS models several UICC devices sharing a
# public identity. A third device is a second bootstrap of the phone's IMPI
# (another B-TID of the same subscription). Alice's ticket names
# sip:bob@home1.net once; all three devices resolve it, each gets keys
# forked for sip:bob@home1.net with its own RANDRkms (all different), the
# audit names each device's IMPI. Alice completes the call with whichever
# device answers (tablet, or - from a copy of her call state - the phone):
# SRTP both ways each time; the other devices' keys do not decrypt it.
# Refused: a device claiming an IMPU that is not in its GUSS, a second
# answer after Alice accepted one.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init kms-devices
cat >"$TK_TMP/subs.json" <<EOF
{ "subscribers": [
$(for s in alice:01:alice bob-phone:06:bob bob-tablet:07:bob eve:05:eve; do
	impi=${s%%:*}; rest=${s#*:}; idx=${rest%%:*}; user=${rest#*:}
	printf '  { "impi": "%s@home1.net", "k": "465b5ce8b199b49faa5f0a2ee238a6%s",\n' "$impi" "$idx"
	printf '    "opc": "cd63cb71954a9f4e48a5994e37a02baf", "amf": "8000", "sqn": "000000000020",\n'
	printf '    "guss": { "uiccType": "GBA", "lifeTime": 3600, "uss": [ { "id": "1", "type": 0,\n'
	printf '      "gsid": "0", "nafGroup": null, "uids": [ "sip:%s@home1.net" ], "flags": [] } ] } },\n' "$user"
done | sed '$ s/},$/}/')
] }
EOF
CALL_BSF_ARGS="--subscribers $TK_TMP/subs.json"
. "$TK_SRCDIR/tests/system/call-common.sh"
call_setup
boot alice 01
boot bob-phone 06
boot bob-tablet 07
boot eve 05
ue bob-clone bootstrap --bsf "$BSF_UB_URL" --impi bob-phone@home1.net --k "${K1}06" --opc "$OPC" \
	>"$TK_TMP/clone.boot" 2>&1 || tk_fail "second bootstrap of bob-phone: $(cat "$TK_TMP/clone.boot")"
b1=$(sed -n 's/.*"btid": "\(.*\)".*/\1/p' "$TK_TMP/bob-phone.state")
b2=$(sed -n 's/.*"btid": "\(.*\)".*/\1/p' "$TK_TMP/bob-clone.state")
[ -n "$b1" ] && [ -n "$b2" ] && [ "$b1" != "$b2" ] || tk_fail "B-TIDs: '$b1' '$b2'"
tk_ok "three devices bootstrapped: phone, tablet, and a second B-TID of the phone's IMPI"
C="$TK_TMP/c"; mkdir -p "$C"
AUDIT="$TK_TMP/audit.log"

run "alice request" ue alice request --call "$C/alice.call" --impu sip:alice@home1.net \
	--to sip:bob@home1.net --kms "$PSK" $KMSOPT
run "alice transfer-init" ue alice transfer-init --call "$C/alice.call" --out "$C/ti.mikey"
for d in bob-phone bob-tablet bob-clone; do
	run "$d resolve" ue "$d" resolve --call "$C/$d.call" --in "$C/ti.mikey" \
		--impu sip:bob@home1.net --kms "$HTTPS" $KMSOPT --json
	tk_expect_eq "$(jget "$TK_TMP/out" idrr)" sip:bob@home1.net "$d: keys forked for sip:bob@home1.net"
	impi=$d; [ "$d" = bob-clone ] && impi=bob-phone
	grep '"operation":"resolve"' "$AUDIT" | tail -n 1 |
		grep -q '"result":"ok","authorization":"listed".*"impi":"'"$impi"'@home1.net".*"resolver":"sip:bob@home1.net".*"forked":true' ||
		tk_fail "$d audit: $(tail -n 1 "$AUDIT")"
	run "$d srtp-keys" ue "$d" srtp-keys --call "$C/$d.call" --out "$C/$d.keys"
	run "$d transfer-resp" ue "$d" transfer-resp --call "$C/$d.call" --out "$C/$d.tr"
	"$MIKEY" decode --compact "$C/$d.tr" | grep -o '"name":"RANDRkms"},"RAND_len":32,"RAND":"[0-9a-f]*"' |
		sed 's/.*"RAND":"//; s/"$//' >"$C/$d.randrkms"
done
tk_ok "the audit names each device's IMPI and the shared IMPU"
k1=$(master_keys "$C/bob-phone.keys"); k2=$(master_keys "$C/bob-tablet.keys"); k3=$(master_keys "$C/bob-clone.keys")
[ "$k1" != "$k2" ] && [ "$k1" != "$k3" ] && [ "$k2" != "$k3" ] || tk_fail "two devices share SRTP keys"
tk_ok "the three devices hold three different sets of SRTP keys"
n=$(cat "$C"/bob-*.randrkms | grep -c '^[0-9a-f]\{64\}$'); u=$(cat "$C"/bob-*.randrkms | sort -u | wc -l)
[ "$n" = 3 ] && [ "$u" = 3 ] || tk_fail "RANDRkms in the TRANSFER_RESPs: $n found, $u distinct"
tk_ok "each TRANSFER_RESP carries its own 32-octet RANDRkms"

cp "$C/alice.call" "$C/alice2.call"
run "alice accepts the tablet's answer" ue alice accept --call "$C/alice.call" --in "$C/bob-tablet.tr"
run "alice srtp-keys" ue alice srtp-keys --call "$C/alice.call" --out "$C/alice.keys"
proof "Alice and the tablet" "$C/alice.keys" "$C/bob-tablet.keys"
"$PROOF" --initiator "$C/alice.keys" --responder "$C/bob-phone.keys" --packets 2 >"$TK_TMP/out" 2>&1 &&
	tk_fail "the phone's keys decrypt the call answered by the tablet"
tk_ok "the phone's keys do not decrypt the call answered by the tablet"
refuse "a second answer (the phone's) after the tablet's" 1 \
	ue alice accept --call "$C/alice.call" --in "$C/bob-phone.tr"
run "alice (other copy) accepts the phone's answer" ue alice accept --call "$C/alice2.call" \
	--in "$C/bob-phone.tr"
run "alice srtp-keys" ue alice srtp-keys --call "$C/alice2.call" --out "$C/alice2.keys"
proof "Alice and the phone" "$C/alice2.keys" "$C/bob-phone.keys"

refuse "the tablet claiming Alice's IMPU" 3 ue bob-tablet resolve --call "$C/x.call" \
	--in "$C/ti.mikey" --impu sip:alice@home1.net --kms "$PSK" $KMSOPT
refuse "Eve claiming Bob's IMPU" 3 ue eve resolve --call "$C/x.call" \
	--in "$C/ti.mikey" --impu sip:bob@home1.net --kms "$PSK" $KMSOPT
tk_done
