#!/bin/sh
# bsf-zn-tls.sh: Zn over HTTPS with client certificates (P-17: "mutual TLS,
# or at least a bearer token"): a NAF identified by its verified certificate
# DN gets keys without a token; a certificate from another CA, or none, gets
# 401; a token still works over the same TLS listener.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init bsf-zn-tls
command -v certtool >/dev/null || tk_fail "certtool (gnutls-bin) is needed"
cd "$TK_TMP" || tk_fail "cd"
UE="$TK_BUILDDIR/tests/system/ub-client"

mk() { # NAME CN SIGNER-NAME(or -) EXTRA-TEMPLATE-LINES
	certtool --generate-privkey --key-type=ecdsa --outfile "$1.key" 2>/dev/null
	printf 'cn = "%s"\norganization = "tkms lab"\nexpiration_days = 2\n%s\n' "$2" "$4" >"$1.tmpl"
	if [ "$3" = - ]; then
		certtool --generate-self-signed --load-privkey "$1.key" --template "$1.tmpl" --outfile "$1.pem" 2>/dev/null
	else
		certtool --generate-certificate --load-privkey "$1.key" --load-ca-certificate "$3.pem" \
			--load-ca-privkey "$3.key" --template "$1.tmpl" --outfile "$1.pem" 2>/dev/null
	fi
	[ -s "$1.pem" ] || tk_fail "certtool could not make $1"
}
mk ca "tkms lab CA" - 'ca
cert_signing_key'
mk other "other CA" - 'ca
cert_signing_key'
mk server bsf.home1.net ca 'ip_address = "127.0.0.1"
tls_www_server
signing_key'
mk naf kms.home1.net ca 'tls_www_client
signing_key'
mk rogue kms.home1.net other 'tls_www_client
signing_key'

ub=$(tk_free_port); zn=$(tk_free_port)
cat >bsf.json <<JSON
{ "ub": { "listen": "127.0.0.1:$ub" },
  "zn": { "listen": "127.0.0.1:$zn",
          "tls": { "cert": "$TK_TMP/server.pem", "key": "$TK_TMP/server.key", "client_ca": "$TK_TMP/ca.pem" },
          "nafs": [ { "name": "kms", "client_dn": "CN=kms.home1.net,O=tkms lab", "token": "lab-token-kms",
                      "fqdns": ["kms.home1.net"], "gsids": ["0"] } ] },
  "state_dir": "$TK_TMP/state" }
JSON
tk_start bsf "$TK_BUILDDIR/bsf-stub/bsf-stub" --config bsf.json
tk_wait_http "http://127.0.0.1:$ub/healthz" 10 bsf
tk_wait_http "https://127.0.0.1:$zn/healthz" 10 bsf
out=$("$UE" --bsf "http://127.0.0.1:$ub" --impi alice@home1.net --k 465b5ce8b199b49faa5f0a2ee238a601 \
	--opc cd63cb71954a9f4e48a5994e37a02baf --naf kms.home1.net) || tk_fail "bootstrap: $out"
btid=$(printf '%s\n' "$out" | sed -n 's/^btid=//p')
key=$(printf '%s\n' "$out" | sed -n 's/^ks_naf=//p')
Z="https://127.0.0.1:$zn/nbsp-gba/v1/bootstrapping-info-retrieval"
B="{\"btId\": \"$btid\", \"nafId\": {\"nafFqdn\": \"kms.home1.net\", \"uaSecProtId\": \"0100000006\"}}"
# tk_http passes -k; add the CA anyway so the server certificate is used as in real life
tk_expect_status 200 "Zn over mTLS, NAF known by its certificate DN" --cacert ca.pem --cert naf.pem --key naf.key \
	-H 'Content-Type: application/json' -d "$B" "$Z"
grep -q "\"meKeyMaterial\":\"$key\"" "$TK_BODY" || tk_fail "key differs: $(cat "$TK_BODY")"
tk_ok "Ks_NAF over mTLS equals the UE's"
tk_expect_status 401 "certificate from another CA" --cacert ca.pem --cert rogue.pem --key rogue.key \
	-H 'Content-Type: application/json' -d "$B" "$Z"
tk_expect_status 401 "no client certificate, no token" --cacert ca.pem -H 'Content-Type: application/json' -d "$B" "$Z"
tk_expect_status 200 "token over the same TLS listener" --cacert ca.pem -H "Authorization: Bearer lab-token-kms" \
	-H 'Content-Type: application/json' -d "$B" "$Z"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' -d "$B" "http://127.0.0.1:$zn/nbsp-gba/v1/bootstrapping-info-retrieval")
case "$code" in 200) tk_fail "plain HTTP answered on the TLS listener" ;; esac
tk_ok "no plain-HTTP answer on the TLS listener ($code)"
tk_stop bsf
tk_expect_eq "$TK_LAST_RC" 0 "clean exit"
tk_done
