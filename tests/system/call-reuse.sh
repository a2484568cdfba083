#!/bin/sh
# call-reuse.sh: one ticket, two calls (RFC 6043: a ticket may serve several
# Transfer exchanges while valid, flag J). Alice requests one ticket for Bob;
# call 1 and call 2 each get a new TRANSFER_INIT (new CSB ID, new RANDRi) with
# the same ticket; Bob resolves it again for call 2 at the KMS (which keeps no
# per-ticket state); each call's keys agree on both sides, SRTP passes both
# ways, and the two calls' keys differ. A ticket granted without J (--no-reuse)
# is not reused by tkms-ue.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init call-reuse
. "$TK_SRCDIR/tests/system/call-common.sh"
call_setup
boot alice 01
boot bob 02
tk_ok "alice and bob bootstrapped"

C1="$TK_TMP/call1"; C2="$TK_TMP/call2"; mkdir -p "$C1" "$C2"
run "alice request" ue alice request --call "$C1/alice.call" --impu sip:alice@home1.net \
	--to sip:bob@home1.net --lifetime 600 --kms "$PSK" $KMSOPT --json
case "$(jget "$TK_TMP/out" flags)" in *J*) tk_ok "ticket granted with J (reuse allowed)" ;;
	*) tk_fail "no J flag: $(cat "$TK_TMP/out")" ;; esac
cp "$C1/alice.call" "$TK_TMP/ticket.call"

# call 1
run "transfer-init 1" ue alice transfer-init --call "$C1/alice.call" --out "$C1/ti.mikey"
call_answer "$C1" alice bob "$PSK"
proof "call 1" "$C1/alice.keys" "$C1/bob.keys"

# call 2: the same ticket (kept by Alice's UE), a new TRANSFER_INIT
cp "$C1/alice.call" "$C2/alice.call"
run "transfer-init 2 (same ticket)" ue alice transfer-init --call "$C2/alice.call" --out "$C2/ti.mikey" --json
call_answer "$C2" alice bob "$HTTPS"
proof "call 2" "$C2/alice.keys" "$C2/bob.keys"

csb1=$(mfield "$C1/ti.mikey" CSB_ID); csb2=$(mfield "$C2/ti.mikey" CSB_ID)
[ -n "$csb1" ] && [ -n "$csb2" ] && [ "$csb1" != "$csb2" ] || tk_fail "CSB IDs: '$csb1' '$csb2'"
tk_ok "each TRANSFER_INIT has its own CSB ID ($csb1, $csb2)"
r1=$(mfield "$C1/ti.mikey" RAND); r2=$(mfield "$C2/ti.mikey" RAND)
[ -n "$r1" ] && [ "$r1" != "$r2" ] || tk_fail "RANDRi not fresh: '$r1' '$r2'"
tk_ok "each TRANSFER_INIT has a fresh RANDRi"
# The ticket is the same: the KMS audited one issue and two resolves of it.
fps=$(sed -n 's/.*"operation":"\([a-z]*\)","result":"ok".*"ticket_fingerprint":"\([0-9a-f]*\)".*/\1 \2/p' "$TK_TMP/audit.log")
tk_expect_eq "$(printf '%s\n' "$fps" | grep -c '^request ')" 1 "one ticket issued"
tk_expect_eq "$(printf '%s\n' "$fps" | grep -c '^resolve ')" 2 "two resolves"
tk_expect_eq "$(printf '%s\n' "$fps" | cut -d' ' -f2 | sort -u | wc -l)" 1 \
	"both resolves are of the issued ticket (one fingerprint)"
t1=$("$MIKEY" decode --compact "$C1/ti.mikey" | grep -o '"payload":"TICKET".*' | cut -c1-2000 | md5sum)
t2=$("$MIKEY" decode --compact "$C2/ti.mikey" | grep -o '"payload":"TICKET".*' | cut -c1-2000 | md5sum)
tk_expect_eq "$t1" "$t2" "both TRANSFER_INITs carry the same TICKET payload"
[ "$(master_keys "$C1/alice.keys")" != "$(master_keys "$C2/alice.keys")" ] ||
	tk_fail "call 2 reuses call 1's SRTP keys"
tk_ok "the second call has new SRTP keys"
[ "$(master_keys "$C2/alice.keys")" = "$(master_keys "$C2/bob.keys")" ] || tk_fail "call 2 keys differ"
tk_ok "call 2: Alice and Bob hold the same keys"

# A third call from the ticket as requested (before any transfer) works too.
C3="$TK_TMP/call3"; mkdir -p "$C3"
cp "$TK_TMP/ticket.call" "$C3/alice.call"
run "transfer-init 3" ue alice transfer-init --call "$C3/alice.call" --out "$C3/ti.mikey"
call_answer "$C3" alice bob "$PSK"
proof "call 3" "$C3/alice.keys" "$C3/bob.keys"

# J = 0: the UE does not reuse the ticket.
C4="$TK_TMP/call4"; mkdir -p "$C4"
run "request without reuse" ue alice request --call "$C4/alice.call" --impu sip:alice@home1.net \
	--to sip:bob@home1.net --no-reuse --kms "$PSK" $KMSOPT --json
case "$(jget "$TK_TMP/out" flags)" in *J*) tk_fail "J granted despite --no-reuse" ;;
	*) tk_ok "ticket granted without J" ;; esac
run "transfer-init (J = 0, first use)" ue alice transfer-init --call "$C4/alice.call" --out "$C4/ti.mikey"
call_answer "$C4" alice bob "$PSK"
proof "J = 0 call" "$C4/alice.keys" "$C4/bob.keys"
"$UE" --state "$TK_TMP/alice.state" transfer-init --call "$C4/alice.call" --out "$C4/ti2.mikey" \
	>"$TK_TMP/out" 2>&1 && tk_fail "second TRANSFER_INIT from a J = 0 ticket: $(cat "$TK_TMP/out")"
tk_ok "tkms-ue refuses a second TRANSFER_INIT from a ticket without J ($(head -c 120 "$TK_TMP/out"))"
tk_stop kms
tk_done
