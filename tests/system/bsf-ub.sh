#!/bin/sh
# bsf-ub.sh: Ub bootstrapping against a real bsf-stub (gba.md 2.1/2.2, P-16,
# P-27): the 401 challenge's shape, full bootstraps of every demo subscriber
# with rspauth checked by the client, BootstrappingInfo valid against
# schemas/bootstrapping-info.xsd, SQN growth, and the key a NAF then gets
# over Zn equal to the UE's own Ks_NAF.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init bsf-ub
UE="$TK_BUILDDIR/tests/system/ub-client"
K1=465b5ce8b199b49faa5f0a2ee238a6
OPC=cd63cb71954a9f4e48a5994e37a02baf
tk_start_bsf

# The challenge itself, seen raw.
curl -s --max-time 10 -D "$TK_TMP/h401" -o /dev/null \
	-H 'Authorization: Digest username="alice@home1.net", realm="bsf.home1.net", nonce="", uri="/", response=""' \
	"$BSF_UB_URL/" || tk_fail "curl"
tk_expect_eq "$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$TK_TMP/h401")" 401 "empty nonce gets 401"
www=$(grep -i '^WWW-Authenticate:' "$TK_TMP/h401" | tr -d '\r')
case "$www" in *'Digest '*'realm="bsf.home1.net"'*) tk_ok "realm is the BSF FQDN" ;; *) tk_fail "realm: $www" ;; esac
case "$www" in *'algorithm=AKAv1-MD5'*) tk_ok "algorithm AKAv1-MD5" ;; *) tk_fail "algorithm: $www" ;; esac
case "$www" in *'qop="auth-int"'*) tk_ok "qop auth-int" ;; *) tk_fail "qop: $www" ;; esac
case "$www" in *'opaque="'*) tk_ok "opaque present" ;; *) tk_fail "opaque: $www" ;; esac
nonce=$(printf '%s\n' "$www" | sed -n 's/.*nonce="\([^"]*\)".*/\1/p')
tk_expect_eq "$(printf '%s' "$nonce" | base64 -d 2>/dev/null | wc -c)" 32 "nonce is base64(RAND||AUTN)"

# Bootstrap each demo subscriber; the client verifies AUTN and rspauth.
i=0
for name in alice bob carol dave eve; do
	i=$((i + 1))
	out=$("$UE" --bsf "$BSF_UB_URL" --impi "$name@home1.net" --k "${K1}0$i" --opc "$OPC" \
		--naf kms.home1.net --ua 0100000006 --body-out "$TK_TMP/$name.xml") ||
		tk_fail "bootstrap of $name: $out"
	btid=$(printf '%s\n' "$out" | sed -n 's/^btid=//p')
	case "$btid" in ????????????????????????@bsf.home1.net) tk_ok "$name: B-TID $btid" ;;
	*) tk_fail "$name: B-TID shape: $btid" ;; esac
	printf '%s' "${btid%@*}" | base64 -d >/dev/null 2>&1 || tk_fail "B-TID is not base64(RAND)@fqdn"
	xmllint --noout --schema "$TK_SRCDIR/schemas/bootstrapping-info.xsd" "$TK_TMP/$name.xml" \
		2>"$TK_TMP/xmllint.err" || tk_fail "BootstrappingInfo invalid: $(cat "$TK_TMP/xmllint.err")"
	tk_ok "$name: BootstrappingInfo validates"
	life=$(printf '%s\n' "$out" | sed -n 's/^lifetime=//p')
	case "$life" in ????-??-??T??:??:??Z) ;; *) tk_fail "lifetime not UTC Z: $life" ;; esac

	# Zn: the NAF's key equals the UE's.
	ue_key=$(printf '%s\n' "$out" | sed -n 's/^ks_naf=//p')
	tk_expect_status 200 "$name: Zn retrieval" -X POST "$BSF_ZN_URL/nbsp-gba/v1/bootstrapping-info-retrieval" \
		-H "Authorization: Bearer $BSF_TOKEN" -H 'Content-Type: application/json' \
		-d "{\"btId\": \"$btid\", \"nafId\": {\"nafFqdn\": \"kms.home1.net\", \"uaSecProtId\": \"0100000006\"}, \"gsIds\": [\"0\"]}"
	naf_key=$(sed -n 's/.*"meKeyMaterial":"\([0-9a-f]*\)".*/\1/p' "$TK_BODY")
	tk_expect_eq "$naf_key" "$ue_key" "$name: Zn Ks_NAF equals the UE's Ks_NAF"
	grep -q "\"impi\":\"$name@home1.net\"" "$TK_BODY" || tk_fail "impi missing: $(cat "$TK_BODY")"
	grep -q "\"ueId\":\"sip:$name@home1.net\"" "$TK_BODY" || tk_fail "IMPU missing: $(cat "$TK_BODY")"
	grep -q "\"keyExpiryTime\":\"$life\"" "$TK_BODY" || tk_fail "keyExpiryTime != lifetime"
	tk_ok "$name: impi, IMPU and key expiry in the Zn answer"
done

# SQN grows with every vector (simple +32 scheme).
s1=$("$UE" --bsf "$BSF_UB_URL" --impi alice@home1.net --k "${K1}01" --opc "$OPC" | sed -n 's/^sqn=//p')
s2=$("$UE" --bsf "$BSF_UB_URL" --impi alice@home1.net --k "${K1}01" --opc "$OPC" | sed -n 's/^sqn=//p')
tk_expect_eq "$((0x$s2 - 0x$s1))" 32 "SQN advances by 32 per vector"

# tkms-ue (contracts D) bootstraps against bsf-stub too, once it is built.
if [ -x "$TK_BUILDDIR/src/ue/tkms-ue" ]; then
	st="$TK_TMP/ue.state"
	"$TK_BUILDDIR/src/ue/tkms-ue" --state "$st" bootstrap --bsf "$BSF_UB_URL" \
		--impi bob@home1.net --k "${K1}02" --opc "$OPC" >"$TK_TMP/tkms-ue.out" 2>&1 ||
		tk_fail "tkms-ue bootstrap: $(cat "$TK_TMP/tkms-ue.out")"
	tk_ok "tkms-ue bootstraps against bsf-stub"
fi

tk_alive bsf || tk_fail "bsf-stub died"
tk_stop bsf
tk_expect_eq "$TK_LAST_RC" 0 "bsf-stub exits 0 on SIGTERM"
tk_done
