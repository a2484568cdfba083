#!/bin/sh
# bsf-config.sh: bsf-stub's configuration (contracts A): --check-config and
# --print-config, precise "file: key: problem" messages for bad config and
# subscriber files, and contrib/bsf-stub.example.json running for real
# (subscriber with OP instead of OPc, un-namespaced GUSS XML, GBA_U keys,
# a second NAF restricted to another GSID).
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init bsf-config
BSF="$TK_BUILDDIR/bsf-stub/bsf-stub"
UE="$TK_BUILDDIR/tests/system/ub-client"
EX="$TK_SRCDIR/contrib/bsf-stub.example.json"
cd "$TK_TMP" || tk_fail "cd"

out=$("$BSF" --check-config 2>&1) || tk_fail "--check-config of the defaults: $out"
tk_ok "defaults: $out"
"$BSF" --print-config >pc.json 2>&1 || tk_fail "--print-config"
grep -q '"k": "465b5ce8b199b49faa5f0a2ee238a605"' pc.json && grep -q '"impi": "eve@home1.net"' pc.json ||
	tk_fail "demo subscribers not documented: $(head -c 300 pc.json)"
grep -q '"listen": "127.0.0.1:8080"' pc.json && grep -q '"fqdn": "bsf.home1.net"' pc.json || tk_fail "defaults"
grep -q 'lab-token' pc.json && tk_fail "token printed"
tk_ok "--print-config documents the demo set and hides tokens"
printf '{"subscriber_list": [{"impi": "a@b", "k": "0f0e0d0c0b0a09080706050403020100", "op": "00112233445566778899aabbccddeeff"}]}\n' >inline.json
"$BSF" --config inline.json --print-config >pc.json 2>&1 || tk_fail "--print-config of inline subscribers: $(cat pc.json)"
grep -q '"impi": "a@b"' pc.json && grep -q '"k": "(set)"' pc.json && grep -q '"op": "(set)"' pc.json &&
	! grep -q '0f0e0d0c\|00112233' pc.json || tk_fail "inline subscriber keys: $(cat pc.json)"
tk_ok "--print-config hides configured subscriber keys (K, OP)"
out=$("$BSF" --config "$EX" --check-config 2>&1) || tk_fail "example config: $out"
tk_ok "contrib example: $out"

bad() { # MESSAGE-FRAGMENT JSON [args]
	_m=$1; printf '%s\n' "$2" >bad.json; shift 2
	if out=$("$BSF" --config bad.json --check-config "$@" 2>&1); then
		tk_fail "accepted: $(cat bad.json)"
	fi
	case "$out" in *"$_m"*) tk_ok "refused: $out" ;; *) tk_fail "message '$out' lacks '$_m'" ;; esac
}
bad 'bad.json: unknown key "fdqn"' '{"fdqn": "x"}'
bad 'bad.json: lifetime: must be an integer' '{"lifetime": "1h"}'
bad 'bad.json: line 1' '{"lifetime": 5,}'
bad 'bad.json: fqdn: "bad name!" is not a DNS name' '{"fqdn": "bad name!"}'
bad 'bad.json: zn.nafs[0].fqdns[1]: must be a DNS name' '{"zn": {"nafs": [{"name": "a", "token": "12345678", "fqdns": ["a.b", "x y"]}]}}'
bad 'bad.json: zn.nafs[0]: needs a "token" or a "client_dn"' '{"zn": {"nafs": [{"name": "a", "fqdns": ["a.b"]}]}}'
bad 'bad.json: zn.nafs[0].token: must be a string of at least 8' '{"zn": {"nafs": [{"name": "a", "token": "short", "fqdns": ["a.b"]}]}}'
bad 'bad.json: ub: unknown key "port"' '{"ub": {"port": 80}}'
bad 'bad.json: ub.listen' '{"ub": {"listen": "localhost"}}'
bad 'bad.json: zn.tls: needs both "cert" and "key"' '{"zn": {"tls": {"cert": "c.pem"}}}'
bad 'bad.json: subscribers[0].k: must be a string of 32 hex digits' '{"subscriber_list": [{"impi": "a@b", "k": "00", "opc": "00"}]}'
bad 'bad.json: subscribers[1]: "opc" or "op" is missing' '{"subscriber_list": [{"impi": "a@b", "k": "000102030405060708090a0b0c0d0e0f", "opc": "000102030405060708090a0b0c0d0e0f"}, {"impi": "c@b", "k": "000102030405060708090a0b0c0d0e0f"}]}'
bad 'give "subscribers" (a file) or "subscriber_list", not both' '{"subscribers": "s.json", "subscriber_list": []}'
printf '{"subscribers": [{"impi": "a@b", "k": "000102030405060708090a0b0c0d0e0f", "opc": "000102030405060708090a0b0c0d0e0f", "guss_xml": "<guss id=\\"a@b\\"><bsfInfo><lifeTime>-3</lifeTime></bsfInfo><ussList/></guss>"}]}\n' >subs.json
out=$("$BSF" --subscribers subs.json --check-config 2>&1) && tk_fail "bad GUSS accepted"
case "$out" in *"subs.json: subscribers[0].guss_xml: line 1"*lifeTime*) tk_ok "subscriber file: $out" ;;
*) tk_fail "message: $out" ;; esac
out=$("$BSF" --bogus 2>&1); tk_expect_eq "$?" 2 "unknown option: exit status 2"

# The example configuration for real, ports and state from the command line.
ub=$(tk_free_port); zn=$(tk_free_port)
tk_start bsf "$BSF" --config "$EX" --ub-listen "127.0.0.1:$ub" --zn-listen "127.0.0.1:$zn" --state-dir "$TK_TMP/st"
tk_wait_http "http://127.0.0.1:$ub/healthz" 10 bsf
tk_wait_http "http://127.0.0.1:$zn/healthz" 10 bsf
Z="http://127.0.0.1:$zn/nbsp-gba/v1/bootstrapping-info-retrieval"
q() { printf '{"btId": "%s", "nafId": {"nafFqdn": "%s", "uaSecProtId": "%s"}%s}' "$1" "$2" "$3" "$4"; }

out=$("$UE" --bsf "http://127.0.0.1:$ub" --impi frank@home1.net --k 465b5ce8b199b49faa5f0a2ee238a6bc \
	--opc cd63cb71954a9f4e48a5994e37a02baf --naf kms.home1.net --ua 0100000002) || tk_fail "frank: $out"
tk_ok "subscriber with OP (OPc derived) bootstraps"
fbtid=$(printf '%s\n' "$out" | sed -n 's/^btid=//p')
btid=$fbtid
key=$(printf '%s\n' "$out" | sed -n 's/^ks_naf=//p')
tk_expect_status 200 "Zn for frank, GBA_U-aware NAF" -H "Authorization: Bearer lab-token-kms" \
	-H 'Content-Type: application/json' -d "$(q "$btid" kms.home1.net 0100000002 ', "gbaUAware": true')" "$Z"
grep -q "\"meKeyMaterial\":\"$key\"" "$TK_BODY" || tk_fail "Ks_(ext)_NAF differs: $(cat "$TK_BODY")"
grep -q '"uiccKeyMaterial":"[0-9a-f]\{64\}"' "$TK_BODY" && grep -q '"keyChoice":"ME_UICC_BASED_KEYS"' "$TK_BODY" ||
	tk_fail "GBA_U keys missing: $(cat "$TK_BODY")"
tk_ok "GBA_U subscriber + gbaUAware: Ks_ext_NAF and Ks_int_NAF"
grep -q '"ueId":"sip:frank@home1.net"' "$TK_BODY" || tk_fail "USS from un-namespaced GUSS XML missing"
tk_ok "USS read from un-namespaced GUSS XML"
life=$(printf '%s\n' "$out" | sed -n 's/^lifetime=//p')
[ "$(date -u -d "$life" +%s)" -le $(( $(date +%s) + 1800 )) ] || tk_fail "GUSS lifeTime 1800 not applied: $life"
tk_ok "the GUSS lifeTime (1800 s) shortens the B-TID lifetime"

out=$("$UE" --bsf "http://127.0.0.1:$ub" --impi alice@home1.net --k 465b5ce8b199b49faa5f0a2ee238a601 \
	--opc cd63cb71954a9f4e48a5994e37a02baf) || tk_fail "alice: $out"
btid=$(printf '%s\n' "$out" | sed -n 's/^btid=//p')
tk_expect_status 200 "Zn: PKI portal NAF for GSID 1" -H "Authorization: Bearer lab-token-pki" \
	-H 'Content-Type: application/json' -d "$(q "$btid" pki.home1.net 0100000000 '')" "$Z"
grep -q '"gsId":"1"' "$TK_BODY" && ! grep -q '"gsId":"0"' "$TK_BODY" || tk_fail "USS filter: $(cat "$TK_BODY")"
grep -q '"nafGroup":"pki"' "$TK_BODY" && grep -q '"flags":\[{"flag":1}\]' "$TK_BODY" || tk_fail "USS fields: $(cat "$TK_BODY")"
tk_ok "only the USS for the NAF's GSID, with nafGroup and flags"
tk_expect_status 403 "Zn: PKI NAF asking for the KMS FQDN" -H "Authorization: Bearer lab-token-pki" \
	-H 'Content-Type: application/json' -d "$(q "$btid" kms.home1.net 0100000006 '')" "$Z"
tk_expect_status 403 "Zn: PKI NAF asking for GSID 0, not its own" -H "Authorization: Bearer lab-token-pki" \
	-H 'Content-Type: application/json' -d "$(q "$btid" pki.home1.net 0100000000 ', "gsIds": ["0"]')" "$Z"
tk_expect_status 403 "Zn: frank has no USS for the PKI NAF's GSID 1" -H "Authorization: Bearer lab-token-pki" \
	-H 'Content-Type: application/json' -d "$(q "$fbtid" pki.home1.net 0100000000 '')" "$Z"
grep -q 'no user security setting' "$TK_BODY" || tk_fail "detail: $(cat "$TK_BODY")"
tk_stop bsf
tk_expect_eq "$TK_LAST_RC" 0 "clean exit"
tk_done
