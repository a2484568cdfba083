#!/bin/sh
# bsf-hostile.sh: bad input on Ub and Zn gets the documented 4xx with a
# reason, and bsf-stub keeps serving afterwards (gba.md 2.2/6, P-16, P-17,
# contracts A). Also: replayed and unknown nonces, wrong RES, oversize and
# garbage bodies, bad tokens, unknown and expired B-TIDs.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init bsf-hostile
UE="$TK_BUILDDIR/tests/system/ub-client"
ALICE="--impi alice@home1.net --k 465b5ce8b199b49faa5f0a2ee238a601 --opc cd63cb71954a9f4e48a5994e37a02baf"
ZN_PATH=/nbsp-gba/v1/bootstrapping-info-retrieval
TK_BSF_LIFETIME=3 tk_start_bsf
rep() { head -c "$1" /dev/zero | tr '\0' "$2"; }

ub() { # EXPECTED MSG AUTHORIZATION-VALUE [curl args]
	_want=$1 _msg=$2 _auth=$3; shift 3
	tk_expect_status "$_want" "Ub: $_msg" -H "Authorization: $_auth" "$@" "$BSF_UB_URL/"
}
N='nonce="", uri="/", response=""'
tk_expect_status 400 "Ub: no Authorization header" "$BSF_UB_URL/"
ub 400 "Basic scheme" 'Basic YWxpY2U6cHc='
ub 400 "Digest without username" "Digest realm=\"bsf.home1.net\", $N"
ub 400 "unterminated quoted string" 'Digest username="alice@home1.net, realm="x", nonce="", uri="/", response=""'
ub 400 "duplicate directive" "Digest username=\"a@b\", username=\"c@d\", realm=\"x\", $N"
ub 400 "directive without value" "Digest username, realm=\"x\", $N"
ub 400 "Authorization longer than 4 KiB" "Digest username=\"$(rep 6000 a)\", realm=\"x\", $N"
grep -q 'malformed Authorization header' "$TK_BODY" || tk_fail "400 without a reason: $(cat "$TK_BODY")"
tk_ok "400 body says why"
tk_expect_status 431 "Ub: 100 KB of request headers" -H "X-Big: $(rep 100000 a)" "$BSF_UB_URL/"
ub 403 "unknown IMPI" "Digest username=\"mallory@home1.net\", realm=\"bsf.home1.net\", $N"
ub 400 "digest uri differs from the request" 'Digest username="alice@home1.net", realm="bsf.home1.net", nonce="", uri="/other", response=""'
tk_expect_status 405 "Ub: POST" -X POST -d x "$BSF_UB_URL/"
FAKE=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
R=$(rep 32 0)
ub 401 "unknown nonce gets a fresh challenge" "Digest username=\"alice@home1.net\", realm=\"bsf.home1.net\", nonce=\"$FAKE\", uri=\"/\", response=\"$R\", algorithm=AKAv1-MD5, qop=auth-int, nc=00000001, cnonce=\"ab\"" -D "$TK_TMP/h"
grep -qi '^WWW-Authenticate: Digest' "$TK_TMP/h" || tk_fail "no fresh challenge"
tk_ok "the 401 carries a new WWW-Authenticate"
ub 400 "nonce with plain MD5" "Digest username=\"alice@home1.net\", realm=\"bsf.home1.net\", nonce=\"$FAKE\", uri=\"/\", response=\"$R\", algorithm=MD5, qop=auth-int, nc=00000001, cnonce=\"ab\""
ub 400 "qop auth instead of auth-int" "Digest username=\"alice@home1.net\", realm=\"bsf.home1.net\", nonce=\"$FAKE\", uri=\"/\", response=\"$R\", algorithm=AKAv1-MD5, qop=auth, nc=00000001, cnonce=\"ab\""
ub 400 "foreign realm" "Digest username=\"alice@home1.net\", realm=\"evil.example\", nonce=\"$FAKE\", uri=\"/\", response=\"$R\", algorithm=AKAv1-MD5, qop=auth-int, nc=00000001, cnonce=\"ab\""
ub 400 "auts not 14 octets" "Digest username=\"alice@home1.net\", realm=\"bsf.home1.net\", nonce=\"$FAKE\", uri=\"/\", response=\"$R\", algorithm=AKAv1-MD5, qop=auth-int, nc=00000001, cnonce=\"ab\", auts=\"AAAA\""

out=$("$UE" --bsf "$BSF_UB_URL" $ALICE --wrong-res 2>&1) && tk_fail "wrong RES accepted"
tk_expect_eq "$(printf '%s\n' "$out" | sed -n 's/^status=//p')" 403 "Ub: wrong RES gets 403"
T0=$(date +%s)
out=$("$UE" --bsf "$BSF_UB_URL" $ALICE --replay) || tk_fail "bootstrap: $out"
tk_expect_eq "$(printf '%s\n' "$out" | sed -n 's/^replay_status=//p')" 401 "Ub: replayed answer (used nonce) gets 401"
BTID=$(printf '%s\n' "$out" | sed -n 's/^btid=//p')

# ---- Zn ----
Z="$BSF_ZN_URL$ZN_PATH"
J='-H Content-Type:application/json'
TOK="Authorization: Bearer $BSF_TOKEN"
body() { printf '{"btId": "%s", "nafId": {"nafFqdn": "%s", "uaSecProtId": "0100000006"}, "gsIds": ["%s"]}' "$1" "$2" "$3"; }
# First what needs the B-TID alive (this BSF runs with a 3 s lifetime).
tk_expect_status 403 "Zn: nafFqdn not this NAF's" -H "$TOK" $J -d "$(body "$BTID" evil.home1.net 0)" "$Z"
grep -q '"cause": *"NAF_NOT_AUTHORIZED"' "$TK_BODY" || tk_fail "cause: $(cat "$TK_BODY")"
tk_ok "Zn: cause NAF_NOT_AUTHORIZED"
tk_expect_status 403 "Zn: GSID the NAF may not ask for" -H "$TOK" $J -d "$(body "$BTID" kms.home1.net 7)" "$Z"
tk_expect_status 200 "Zn: the good request still works" -H "$TOK" $J -d "$(body "$BTID" kms.home1.net 0)" "$Z"

tk_expect_status 401 "Zn: no token" $J -d "$(body "$BTID" kms.home1.net 0)" "$Z"
tk_expect_status 401 "Zn: wrong token" -H "Authorization: Bearer lab-token-kmX" $J -d "$(body "$BTID" kms.home1.net 0)" "$Z"
tk_expect_status 415 "Zn: text/plain body" -H "$TOK" -H 'Content-Type: text/plain' -d "$(body "$BTID" kms.home1.net 0)" "$Z"
tk_expect_status 400 "Zn: garbage JSON" -H "$TOK" $J -d '{"btId": ' "$Z"
grep -q '"status": *400' "$TK_BODY" && grep -q 'malformed JSON' "$TK_BODY" || tk_fail "not a problem document: $(cat "$TK_BODY")"
tk_ok "Zn: 400 is a problem document with the reason"
tk_expect_status 400 "Zn: JSON array" -H "$TOK" $J -d '[1,2]' "$Z"
tk_expect_status 400 "Zn: btId is a number" -H "$TOK" $J -d '{"btId": 5, "nafId": {"nafFqdn": "kms.home1.net", "uaSecProtId": "0100000006"}}' "$Z"
tk_expect_status 400 "Zn: nafId missing" -H "$TOK" $J -d "{\"btId\": \"$BTID\"}" "$Z"
tk_expect_status 400 "Zn: uaSecProtId not 10 hex" -H "$TOK" $J -d "{\"btId\": \"$BTID\", \"nafId\": {\"nafFqdn\": \"kms.home1.net\", \"uaSecProtId\": \"01000000\"}}" "$Z"
tk_expect_status 400 "Zn: duplicate key" -H "$TOK" $J -d "{\"btId\": \"$BTID\", \"btId\": \"x@y\"}" "$Z"
tk_expect_status 400 "Zn: gbaUAware not boolean" -H "$TOK" $J -d "{\"btId\": \"$BTID\", \"nafId\": {\"nafFqdn\": \"kms.home1.net\", \"uaSecProtId\": \"0100000006\"}, \"gbaUAware\": 1}" "$Z"
tk_expect_status 400 "Zn: 8000-deep nesting" -H "$TOK" $J -d "$(rep 8000 '[')$(rep 8000 ']')" "$Z"
rep 100000 ' ' >"$TK_TMP/big.json"
tk_expect_status 413 "Zn: 100 KB body" -H "$TOK" $J --data-binary @"$TK_TMP/big.json" "$Z"
tk_expect_status 405 "Zn: GET" -H "$TOK" "$Z"
tk_expect_status 404 "Zn: unknown path" -H "$TOK" $J -d '{}' "$BSF_ZN_URL/nbsp-gba/v1/other"
tk_expect_status 404 "Zn: unknown B-TID" -H "$TOK" $J -d "$(body "AAAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net" kms.home1.net 0)" "$Z"
grep -q '"cause": *"BTID_NOT_FOUND"' "$TK_BODY" || tk_fail "cause: $(cat "$TK_BODY")"
tk_ok "Zn: cause BTID_NOT_FOUND"
# Expiry: wait past the 3 s lifetime of that B-TID.
while [ "$(date +%s)" -le $((T0 + 3)) ]; do sleep 0.2; done
tk_expect_status 404 "Zn: expired B-TID" -H "$TOK" $J -d "$(body "$BTID" kms.home1.net 0)" "$Z"

# Still alive and correct after all that.
tk_expect_status 200 "Ub healthz" "$BSF_UB_URL/healthz"
tk_expect_status 200 "Zn healthz" "$BSF_ZN_URL/healthz"
"$UE" --bsf "$BSF_UB_URL" $ALICE >/dev/null || tk_fail "bootstrap after hostile input"
tk_ok "a normal bootstrap still succeeds"
tk_stop bsf
tk_expect_eq "$TK_LAST_RC" 0 "bsf-stub exits 0 on SIGTERM"
tk_done
