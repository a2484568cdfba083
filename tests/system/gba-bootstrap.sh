#!/bin/sh
# gba-bootstrap.sh: GBA bootstrapping end to end against a real bsf-stub
# (gba.md 2.1, 2.2, 2.5; profile P-1, P-16, P-17):
#   tkms-ue bootstrap (Ub Digest AKA) -> the same Ks_NAF through the NAF
#   library over Zn (naf-fetch) as tkms-ue naf-key computes; SQN
#   resynchronisation (USIM far ahead of the BSF); state file mode 0600;
#   unknown B-TID -> 404; NAF FQDN not authorised for the token -> 403;
#   wrong K -> refused; expiry (short BSF lifetime) -> Zn 404 and naf-key
#   refuses; Zn over HTTPS with a bearer token and with a client
#   certificate (mutual TLS), and refusals without credentials or trust.
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

# --- a USIM file (the shape of a bsf-stub subscriber entry) and the CLI's errors -----
printf '{"impi": "carol@home1.net", "k": "465b5ce8b199b49faa5f0a2ee238a603", "opc": "cd63cb71954a9f4e48a5994e37a02baf", "sqn": "000000000000"}\n' \
	>"$TK_TMP/carol.json"
"$UE" --state "$TK_TMP/carol.state" bootstrap --bsf "$BSF_UB_URL" --usim-file "$TK_TMP/carol.json" \
	--json >"$TK_TMP/carol.out" || tk_fail "bootstrap from --usim-file failed"
tk_expect_eq "$(json_get impi <"$TK_TMP/carol.out")" carol@home1.net "bootstrap with --usim-file"
"$UE" --state "$ST" frobnicate 2>"$TK_TMP/err"
tk_expect_eq $? 1 "unknown subcommand: exit 1"
"$UE" --state "$ST" naf-key --naf kms.home1.net --ua 01000000 2>"$TK_TMP/err"
tk_expect_eq $? 1 "naf-key with a short Ua id: exit 1"
"$UE" --state "$TK_TMP/none.state" naf-key --naf kms.home1.net --ua 0100000006 2>"$TK_TMP/err"
tk_expect_eq $? 4 "naf-key without a state file: exit 4"
chmod 644 "$TK_TMP/carol.state"
"$UE" --state "$TK_TMP/carol.state" show 2>"$TK_TMP/err"
tk_expect_eq $? 5 "state file readable by others refused: exit 5"

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

# --- expiry: a BSF with a 6 s lifetime (room for the first fetch on a loaded
# machine; the B-TID lives until a whole second, so 3 s could mean 2) -------------
tk_stop bsf
TK_BSF_LIFETIME=6 TK_BSF_STATE_DIR="$TK_TMP/bsf-state-short" tk_start_bsf
ST2="$TK_TMP/ue-short.state"
"$UE" --state "$ST2" bootstrap --bsf "$BSF_UB_URL" --impi bob@home1.net \
	--k 465b5ce8b199b49faa5f0a2ee238a602 --opc $OPC --json >"$TK_TMP/boot4.json" ||
	tk_fail "bootstrap of bob failed"
BTID3=$(json_get btid <"$TK_TMP/boot4.json")
"$FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn kms.home1.net "$BTID3" >/dev/null ||
	tk_fail "fresh short-lived B-TID not found over Zn"
tk_ok "short-lived B-TID known at first"
EXP=$(date -u -d "$(json_get expiry <"$TK_TMP/boot4.json")" +%s) &&
	[ "$EXP" -le $(( $(date +%s) + 6 )) ] || tk_fail "bootstrap expiry: $(cat "$TK_TMP/boot4.json")"
while [ "$(date +%s)" -le "$EXP" ]; do sleep 0.2; done
"$FETCH" --zn "$BSF_ZN_URL" --token "$BSF_TOKEN" --fqdn kms.home1.net "$BTID3" 2>"$TK_TMP/err"
tk_expect_eq $? 2 "expired B-TID: Zn 404"
"$UE" --state "$ST2" naf-key --naf kms.home1.net --ua 0100000006 2>"$TK_TMP/err"
tk_expect_eq $? 4 "naf-key refuses an expired bootstrap (exit 4)"
grep -q expired "$TK_TMP/err" || tk_fail "naf-key error does not say expired: $(cat "$TK_TMP/err")"
"$UE" --state "$ST2" show --json | json_get valid | grep -qx False || tk_fail "show says valid"
tk_ok "show reports the bootstrap expired"

# --- Zn over (mutual) TLS ------------------------------------------------------------
command -v certtool >/dev/null || tk_fail "certtool (gnutls-bin) is needed for the Zn TLS checks"
tk_stop bsf
cd "$TK_TMP" || tk_fail "no work dir"
cert() { # NAME TEMPLATE [CA]
	certtool --generate-privkey --key-type=ecdsa --outfile "$1.key" >/dev/null 2>&1 &&
	printf "$2" >"$1.tmpl" &&
	if [ -z "${3:-}" ]; then
		certtool --generate-self-signed --load-privkey "$1.key" --template "$1.tmpl" \
			--outfile "$1.pem" >/dev/null 2>&1
	else
		certtool --generate-certificate --load-privkey "$1.key" --load-ca-certificate "$3.pem" \
			--load-ca-privkey "$3.key" --template "$1.tmpl" --outfile "$1.pem" >/dev/null 2>&1
	fi || tk_fail "certtool failed for $1"
}
cert ca 'cn = "tkms test CA"\nca\ncert_signing_key\nexpiration_days = 2\n'
cert srv 'cn = "127.0.0.1"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nexpiration_days = 2\n' ca
cert cli 'cn = "kms.home1.net"\norganization = "tkms test"\ntls_www_client\nsigning_key\nexpiration_days = 2\n' ca
cert rogue 'cn = "rogue CA"\nca\ncert_signing_key\nexpiration_days = 2\n'
UBP=$(tk_free_port); ZNP=$(tk_free_port)
cat >"$TK_TMP/bsf-tls.json" <<EOT
{ "fqdn": "bsf.home1.net", "ub": { "listen": "127.0.0.1:$UBP" },
  "zn": { "listen": "127.0.0.1:$ZNP",
          "tls": { "cert": "$TK_TMP/srv.pem", "key": "$TK_TMP/srv.key", "client_ca": "$TK_TMP/ca.pem" },
          "nafs": [ { "name": "kms", "token": "lab-token-kms", "fqdns": ["kms.home1.net"], "gsids": ["0"] },
                    { "name": "kms-cert", "client_dn": "CN=kms.home1.net,O=tkms test",
                      "fqdns": ["kms.home1.net"], "gsids": ["0"] } ] },
  "state_dir": "$TK_TMP/bsf-state-tls" }
EOT
tk_start bsftls "$TK_BUILDDIR/bsf-stub/bsf-stub" --config "$TK_TMP/bsf-tls.json"
tk_wait_http "http://127.0.0.1:$UBP/healthz" 10 bsftls
tk_wait_http "https://127.0.0.1:$ZNP/healthz" 10 bsftls
ST3="$TK_TMP/ue-tls.state"
"$UE" --state "$ST3" bootstrap --bsf "http://127.0.0.1:$UBP" --impi alice@home1.net --k $K \
	--opc $OPC >/dev/null || tk_fail "bootstrap against the TLS BSF failed"
BTID4=$("$UE" --state "$ST3" show --json | json_get btid)
UEKEY4=$("$UE" --state "$ST3" naf-key --naf kms.home1.net --ua 0100000006)
ZN="https://127.0.0.1:$ZNP"
tk_expect_eq "$("$FETCH" --zn "$ZN" --ca ca.pem --token lab-token-kms --fqdn kms.home1.net "$BTID4")" \
	"$UEKEY4" "Zn over HTTPS with a bearer token"
tk_expect_eq "$("$FETCH" --zn "$ZN" --ca ca.pem --cert cli.pem --key cli.key --fqdn kms.home1.net \
	"$BTID4")" "$UEKEY4" "Zn over mutual TLS (client certificate, no token)"
"$FETCH" --zn "$ZN" --ca ca.pem --fqdn kms.home1.net "$BTID4" 2>"$TK_TMP/err"
tk_expect_eq $? 5 "Zn over TLS without credentials: refused (401)"
"$FETCH" --zn "$ZN" --ca rogue.pem --token lab-token-kms --fqdn kms.home1.net "$BTID4" 2>"$TK_TMP/err"
tk_expect_eq $? 4 "BSF certificate not trusted: unavailable, no key"

tk_done
