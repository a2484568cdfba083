#!/bin/sh
# bsf-state.sh: the SQN of each subscriber survives a restart (written
# atomically to STATE_DIR/sqn.json, P-18), and AUTS resynchronisation
# (gba.md 2.2, RFC 3310 3.4) repairs both directions of SQN drift: the USIM
# ahead of the BSF, and the BSF's state rolled back behind the USIM.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init bsf-state
UE="$TK_BUILDDIR/tests/system/ub-client"
ALICE="--impi alice@home1.net --k 465b5ce8b199b49faa5f0a2ee238a601 --opc cd63cb71954a9f4e48a5994e37a02baf"
TK_BSF_STATE_DIR="$TK_TMP/state"
USIM="$TK_TMP/usim"
field() { printf '%s\n' "$1" | sed -n "s/^$2=//p"; }

tk_start_bsf
[ "$(stat -c %a "$TK_BSF_STATE_DIR")" = 700 ] || tk_fail "state dir mode $(stat -c %a "$TK_BSF_STATE_DIR")"
tk_ok "state dir created with mode 0700"
out=$("$UE" --bsf "$BSF_UB_URL" $ALICE --usim-file "$USIM") || tk_fail "first bootstrap: $out"
A=$(field "$out" sqn)
tk_expect_eq "$(field "$out" resyncs)" 0 "first bootstrap needs no resync"
grep -q "\"alice@home1.net\": \"$A\"" "$TK_BSF_STATE_DIR/sqn.json" || tk_fail "sqn.json: $(cat "$TK_BSF_STATE_DIR/sqn.json")"
tk_ok "sqn.json holds SQN $A"
! ls "$TK_BSF_STATE_DIR" | grep -q "\.tmp" || tk_fail "temp file left behind"
tk_stop bsf

# Restart on the same state: the next vector is above the USIM's SQN.
tk_start_bsf
out=$("$UE" --bsf "$BSF_UB_URL" $ALICE --usim-file "$USIM") || tk_fail "bootstrap after restart: $out"
B=$(field "$out" sqn)
tk_expect_eq "$(field "$out" resyncs)" 0 "after a restart no resync is needed"
[ $((0x$B)) -gt $((0x$A)) ] || tk_fail "SQN did not grow over the restart: $A -> $B"
tk_ok "SQN grew over the restart: $A -> $B"

# USIM ahead of the BSF: one AUTS round, then SQN_MS + 32.
echo 000000500000 >"$USIM"
out=$("$UE" --bsf "$BSF_UB_URL" $ALICE --usim-file "$USIM") || tk_fail "bootstrap with USIM ahead: $out"
tk_expect_eq "$(field "$out" resyncs)" 1 "USIM ahead: one resynchronisation"
tk_expect_eq "$(field "$out" sqn)" 000000500020 "after resync the SQN is SQN_MS + 32"
grep -q '"alice@home1.net": "000000500020"' "$TK_BSF_STATE_DIR/sqn.json" || tk_fail "resynced SQN not persisted"
tk_ok "resynchronised SQN persisted"
tk_stop bsf

# BSF behind (state rolled back): again repaired by AUTS.
printf '{"version": 1, "sqn": {"alice@home1.net": "000000000020"}}\n' >"$TK_BSF_STATE_DIR/sqn.json"
tk_start_bsf
out=$("$UE" --bsf "$BSF_UB_URL" $ALICE --usim-file "$USIM") || tk_fail "bootstrap with BSF behind: $out"
tk_expect_eq "$(field "$out" resyncs)" 1 "BSF behind: one resynchronisation"
tk_expect_eq "$(field "$out" sqn)" 000000500040 "SQN continues after the USIM's"

# A forged AUTS (random, so MAC-S is wrong) is refused and the SQN kept. The
# resync request's response uses the empty password, so a shell can build it.
md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }
curl -s --max-time 10 -D "$TK_TMP/h" -o /dev/null -H 'Authorization: Digest username="alice@home1.net", realm="bsf.home1.net", nonce="", uri="/", response=""' "$BSF_UB_URL/"
nonce=$(sed -n 's/^WWW-Authenticate:.*nonce="\([^"]*\)".*/\1/ip' "$TK_TMP/h" | tr -d '\r')
[ -n "$nonce" ] || tk_fail "no challenge: $(cat "$TK_TMP/h")"
before=$(cat "$TK_BSF_STATE_DIR/sqn.json")
ha1=$(md5 "alice@home1.net:bsf.home1.net:")
ha2=$(md5 "GET:/:$(md5 "")")
resp=$(md5 "$ha1:$nonce:00000001:0a4f113b:auth-int:$ha2")
auts=$(head -c 14 /dev/urandom | base64)
tk_expect_status 403 "forged AUTS refused" -H "Authorization: Digest username=\"alice@home1.net\", realm=\"bsf.home1.net\", nonce=\"$nonce\", uri=\"/\", response=\"$resp\", algorithm=AKAv1-MD5, qop=auth-int, nc=00000001, cnonce=\"0a4f113b\", auts=\"$auts\"" "$BSF_UB_URL/"
grep -q 'AUTS does not verify' "$TK_BODY" || tk_fail "reason: $(cat "$TK_BODY")"
tk_expect_eq "$(cat "$TK_BSF_STATE_DIR/sqn.json")" "$before" "SQN unchanged by the forged AUTS"
tk_stop bsf

# A damaged sqn.json is never silently reset.
echo '{"version": 1, "sqn": {"alice@home1.net": "00000' >"$TK_BSF_STATE_DIR/sqn.json"
"$TK_BUILDDIR/bsf-stub/bsf-stub" --config "$TK_TMP/bsf.json" >"$TK_TMP/bad.log" 2>&1 &&
	tk_fail "bsf-stub started on a damaged sqn.json"
grep -q 'sqn.json' "$TK_TMP/bad.log" && grep -q 'refusing to reset' "$TK_TMP/bad.log" ||
	tk_fail "message: $(cat "$TK_TMP/bad.log")"
tk_ok "damaged sqn.json: refused with '$(head -1 "$TK_TMP/bad.log")'"
tk_done
