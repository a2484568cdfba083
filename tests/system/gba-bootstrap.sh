#!/bin/sh
# gba-bootstrap.sh: GBA bootstrapping end to end against a real bsf-stub
# (gba.md 2.1, 2.2, 2.5; profile P-1, P-16, P-17):
#   tkms-ue bootstrap (Ub Digest AKA) -> the same Ks_NAF through the NAF
#   library over Zn (naf-fetch) as tkms-ue naf-key computes; SQN
#   resynchronisation (USIM far ahead of the BSF); state file mode 0600;
#   unknown B-TID -> 404; NAF FQDN not authorised for the token -> 403;
#   wrong K -> refused; expiry (short BSF lifetime) -> Zn 404 and naf-key
#   refuses.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init gba-bootstrap

UE="$TK_BUILDDIR/src/ue/tkms-ue"
FETCH="$TK_BUILDDIR/naf/naf-fetch"
ST="$TK_TMP/ue.state"
# Embedded demo subscriber alice (contracts A): Milenage test set 1 K with
# the last byte 01, test set 1 OPc.
K=465b5ce8b199b49faa5f0a2ee238a601
OPC=cd63cb71954a9f4e48a5994e37a02baf

json_get() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
bsf_sqn() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sqn"][sys.argv[2]])' \
	"$BSF_STATE_DIR/sqn.json" "$1"; }

tk_start_bsf

# --- bootstrap and the same key on both sides --------------------------------
"$UE" --state "$ST" bootstrap --bsf "$BSF_UB_URL" --impi alice@home1.net --k $K --opc $OPC \
	--json >"$TK_TMP/boot.json" || tk_fail "bootstrap of alice failed"
BTID=$(json_get btid <"$TK_TMP/boot.json")
case "$BTID" in *@bsf.home1.net) tk_ok "bootstrap: B-TID $BTID" ;; *) tk_fail "odd B-TID '$BTID'" ;; esac
tk_expect_eq "$(json_get resynced <"$TK_TMP/boot.json")" False "first bootstrap needs no resync"
tk_expect_eq "$(json_get schema_validated <"$TK_TMP/boot.json")" True \
	"BootstrappingInfo validated against schemas/bootstrapping-info.xsd"
tk_expect_eq "$(stat -c %a "$ST")" 600 "state file mode 0600"
if grep -q "$K" "$TK_TMP/boot.json"; then tk_fail "bootstrap output shows K"; fi
tk_ok "no key in the bootstrap output"

UEKEY=$("$UE" --state "$ST" naf-key --naf kms.home1.net --ua 0100000006) || tk_fail "naf-key failed"
ZNKEY=$("$FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn kms.home1.net --ua 0100000006 \
	"$BTID") || tk_fail "naf-fetch failed"
tk_expect_eq "$ZNKEY" "$UEKEY" "Ks_NAF over Zn equals the UE's (Ua 0100000006)"
case "$UEKEY" in [0-9a-f]*) [ ${#UEKEY} -eq 64 ] && tk_ok "Ks_NAF is 64 hex digits" ;; *) tk_fail "bad key" ;; esac

UEKEY2=$("$UE" --state "$ST" naf-key --naf naf.home1.net --ua 0100000002)
ZNKEY2=$("$FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn naf.home1.net --ua 0100000002 "$BTID")
tk_expect_eq "$ZNKEY2" "$UEKEY2" "Ks_NAF equal for another NAF FQDN and Ua id"
[ "$UEKEY2" != "$UEKEY" ] || tk_fail "two NAF_Ids gave the same key"
tk_ok "different NAF_Id, different key"

"$FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn kms.home1.net --ids "$BTID" >"$TK_TMP/ids"
grep -qx "impi alice@home1.net" "$TK_TMP/ids" || tk_fail "Zn impi missing"
grep -qx "impu sip:alice@home1.net" "$TK_TMP/ids" || tk_fail "Zn IMPU missing"
tk_ok "Zn gives the IMPI and the IMPU of the USS (P-3)"

PW=$("$UE" --state "$ST" naf-key --naf kms.home1.net --ua 0100000006 --json | json_get password)
tk_expect_eq "$(printf %s "$PW" | base64 -d | od -An -tx1 | tr -d ' \n')" "$UEKEY" \
	"naf-key --json password is base64(Ks_NAF)"

# --- Zn refusals -----------------------------------------------------------------
"$FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn kms.home1.net \
	"AAAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net" 2>"$TK_TMP/err"
tk_expect_eq $? 2 "unknown B-TID: Zn 404 (naf-fetch exit 2)"
"$FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn evil.home1.net "$BTID" 2>"$TK_TMP/err"
tk_expect_eq $? 3 "NAF FQDN not among the token's: Zn 403 (naf-fetch exit 3)"
"$FETCH" --zn "$BSF_ZN_URL" --token wrong-token --fqdn kms.home1.net "$BTID" 2>"$TK_TMP/err"
tk_expect_eq $? 5 "wrong bearer token: refused (Zn 401, protocol error)"
"$FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn kms.home1.net 'x"@bsf' 2>"$TK_TMP/err"
tk_expect_eq $? 6 "malformed B-TID never sent"

# --- SQN resynchronisation: the USIM is far ahead of the BSF --------------------
BEFORE=$(bsf_sqn alice@home1.net)
"$UE" --state "$ST" bootstrap --bsf "$BSF_UB_URL" --impi alice@home1.net --k $K --opc $OPC \
	--sqn 000000100000 --json >"$TK_TMP/boot2.json" || tk_fail "bootstrap with a high SQN failed"
tk_expect_eq "$(json_get resynced <"$TK_TMP/boot2.json")" True "bootstrap resynchronised the SQN"
AFTER=$(bsf_sqn alice@home1.net)
[ $((0x$AFTER)) -gt $((0x000000100000)) ] && [ $((0x$AFTER)) -gt $((0x$BEFORE)) ] ||
	tk_fail "BSF SQN did not move past the USIM's: $BEFORE -> $AFTER"
tk_ok "BSF SQN moved $BEFORE -> $AFTER"
BTID2=$(json_get btid <"$TK_TMP/boot2.json")
[ "$BTID2" != "$BTID" ] || tk_fail "re-bootstrap kept the B-TID"
tk_expect_eq "$("$FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn kms.home1.net "$BTID2")" \
	"$("$UE" --state "$ST" naf-key --naf kms.home1.net --ua 0100000006)" \
	"keys agree after the resync"
# the USIM's SQN persisted: the next bootstrap needs no resync
"$UE" --state "$ST" bootstrap --json >"$TK_TMP/boot3.json" || tk_fail "re-bootstrap from the state failed"
tk_expect_eq "$(json_get resynced <"$TK_TMP/boot3.json")" False "SQN kept in the state file"

# --- wrong K: the USIM refuses the BSF's AUTN, the stored state is unchanged ----
cp "$ST" "$TK_TMP/ue.state.before"
"$UE" --state "$ST" bootstrap --bsf "$BSF_UB_URL" --impi alice@home1.net \
	--k 465b5ce8b199b49faa5f0a2ee238a6ff --opc $OPC 2>"$TK_TMP/err"
tk_expect_eq $? 3 "wrong K: bootstrap fails with exit 3"
[ "$(wc -l <"$TK_TMP/err")" -eq 1 ] || tk_fail "error is not one line: $(cat "$TK_TMP/err")"
cmp -s "$ST" "$TK_TMP/ue.state.before" || tk_fail "failed bootstrap changed the state file"
tk_ok "failed bootstrap leaves the state file alone"
"$UE" --state "$ST" bootstrap --bsf "$BSF_UB_URL" --impi nobody@home1.net --k $K --opc $OPC \
	2>"$TK_TMP/err"
rc=$?
[ $rc -ne 0 ] || tk_fail "unknown IMPI bootstrapped"
tk_ok "unknown IMPI refused (exit $rc: $(cat "$TK_TMP/err"))"

# --- expiry: a BSF with a 3 s lifetime ---------------------------------------------
tk_stop bsf
TK_BSF_LIFETIME=3 TK_BSF_STATE_DIR="$TK_TMP/bsf-state-short" tk_start_bsf
ST2="$TK_TMP/ue-short.state"
"$UE" --state "$ST2" bootstrap --bsf "$BSF_UB_URL" --impi bob@home1.net \
	--k 465b5ce8b199b49faa5f0a2ee238a602 --opc $OPC --json >"$TK_TMP/boot4.json" ||
	tk_fail "bootstrap of bob failed"
BTID3=$(json_get btid <"$TK_TMP/boot4.json")
"$FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn kms.home1.net "$BTID3" >/dev/null ||
	tk_fail "fresh short-lived B-TID not found over Zn"
tk_ok "short-lived B-TID known at first"
sleep 4
"$FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn kms.home1.net "$BTID3" 2>"$TK_TMP/err"
tk_expect_eq $? 2 "expired B-TID: Zn 404"
"$UE" --state "$ST2" naf-key --naf kms.home1.net --ua 0100000006 2>"$TK_TMP/err"
tk_expect_eq $? 4 "naf-key refuses an expired bootstrap (exit 4)"
grep -q expired "$TK_TMP/err" || tk_fail "naf-key error does not say expired: $(cat "$TK_TMP/err")"
"$UE" --state "$ST2" show --json | json_get valid | grep -qx False || tk_fail "show says valid"
tk_ok "show reports the bootstrap expired"

tk_done
