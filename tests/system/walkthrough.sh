#!/bin/sh
# walkthrough.sh: the README's "Trying it with curl". The commands the README
# shows between the walkthrough markers must be exactly those of
# contrib/walkthrough.sh; the script then runs on free ports, and what a
# reader is told to expect must hold: curl negotiates TLS 1.2 with
# ECDHE-ECDSA-AES128-GCM-SHA256 (Ua id 01 00 01 c0 2b), the kept REQUEST_INIT
# verifies with the PSK, GBA Digest with base64(Ks_NAF) passes, the KMS
# answers 200 with a REQUEST_RESP whose MAC and KEMAC verify, tkms-ue takes
# the ticket from that answer (--response), and the replay
# gets 400 with MIKEY Error 1. A wrong Digest password gets 401.
. "$TK_SRCDIR/tests/system/lib.sh"
tk_init walkthrough
W="$TK_SRCDIR/contrib/walkthrough.sh"
[ -x "$W" ] || tk_fail "$W missing or not executable"
block() { sed -n '/# >>> walkthrough$/,/# <<< walkthrough$/p' "$1"; }
block "$W" >"$TK_TMP/script.block"
block "$TK_SRCDIR/README" | sed 's/^    //' >"$TK_TMP/readme.block"
[ "$(wc -l <"$TK_TMP/script.block")" -gt 20 ] || tk_fail "no walkthrough block in $W"
cmp -s "$TK_TMP/script.block" "$TK_TMP/readme.block" ||
	tk_fail "README and contrib/walkthrough.sh differ: $(diff "$TK_TMP/readme.block" "$TK_TMP/script.block" | head -n 20)"
tk_ok "the README shows exactly the commands of contrib/walkthrough.sh"

UB_PORT=$(tk_free_port) ZN_PORT=$(tk_free_port) KMS_PORT=$(tk_free_port)
export UB_PORT ZN_PORT KMS_PORT
WALK_DIR="$TK_TMP/walk" "$W" "$TK_BUILDDIR" >"$TK_TMP/walk.out" 2>&1
tk_expect_eq "$?" 0 "contrib/walkthrough.sh exits 0"
O="$TK_TMP/walk.out"; D="$TK_TMP/walk"
grep -q '^\* SSL connection using TLSv1.2 / ECDHE-ECDSA-AES128-GCM-SHA256$' "$O" ||
	tk_fail "negotiated suite: $(grep 'SSL connection' "$O")"
tk_ok "curl negotiated TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256 (c0 2b)"
grep -q '^request: [0-9]* octets written to req.mikey, not sent' "$O" || tk_fail "--no-send: $(cat "$O")"
grep -q '"name": "REQUEST_INIT_PSK"' "$D/req.json" && grep -q '"mac": "ok"' "$D/req.json" ||
	tk_fail "kept REQUEST_INIT: $(cat "$D/req.json")"
tk_ok "the kept message is a REQUEST_INIT_PSK whose MAC verifies with Ks_NAF(01 00 00 00 06)"
grep -q '^HTTP 200 application/mikey$' "$O" || tk_fail "POST: $(grep '^HTTP' "$O")"
tk_ok "curl --digest POST: HTTP 200 application/mikey"
grep -q '^ticket received (KMS answer read from resp.mikey)$' "$O" &&
	grep -q '^responder bound\|^ticket flags: DEFGHIJNO' "$O" || tk_fail "--response: $(cat "$O")"
tk_ok "tkms-ue request --response takes the ticket from curl's answer"
grep -q '"name": "REQUEST_RESP"' "$D/resp.json" || tk_fail "answer type: $(head -c 600 "$D/resp.json")"
sed -n '/"verification"/,$p' "$D/resp.json" | tr -d ' \n' >"$TK_TMP/v"
tk_expect_eq "$(cat "$TK_TMP/v")" '"verification":{"mac":"ok","kemac":"ok"}}' \
	"the REQUEST_RESP's MAC and KEMAC verify with the PSK and the kept REQUEST_INIT"
grep -q "\"Ua\": \"010001c02b\"\|Ua 010001c02b\|\"ua\": \"010001c02b\"" "$D/digest.json" ||
	tk_fail "digest.json not for Ua 010001c02b: $(grep -v password "$D/digest.json")"
tk_ok "the Digest password is for Ua id 01 00 01 c0 2b"
grep -q '^HTTP 400$' "$O" && grep -q '"Error_no":{"value":1,"name":"Invalid TS"}' "$O" ||
	tk_fail "replay: $(tail -n 3 "$O")"
tk_ok "the replayed message: HTTP 400, MIKEY Error 1"
grep -q "\"password\"" "$O" && tk_fail "the password was printed"
pw=$(sed -n 's/.*"password": "\(.*\)".*/\1/p' "$D/digest.json")
grep -qF "$pw" "$O" && tk_fail "the Digest password appears in the output"
tk_ok "no password or key in the walkthrough's output"
for i in 1 2 3 4 5 6 7 8 9 10; do   # the script's last line sent SIGTERM
	curl -s -o /dev/null --connect-timeout 1 "http://127.0.0.1:$UB_PORT/"
	rc=$?; [ $rc -eq 7 ] && break; sleep 0.2
done
tk_expect_eq "$rc" 7 "the walkthrough's daemons are stopped"

# A wrong password: the KMS asks again (401). Same commands, one changed.
tk_start_bsf
P=$(tk_free_port)
cat >"$TK_TMP/kms.json" <<EOT
{ "listeners": { "psk": { "enabled": false },
                 "https": { "listen": "127.0.0.1:$P", "cert_out": "$TK_TMP/kms-cert.pem" } },
  "bsf": { "url": "$BSF_ZN_URL" }, "keyring": "$TK_TMP/keyring.json" }
EOT
tk_start kms "$TK_BUILDDIR/src/tkmsd/tkmsd" --config "$TK_TMP/kms.json"
tk_wait_http "https://127.0.0.1:$P/healthz" 10 kms
"$TK_BUILDDIR/src/ue/tkms-ue" --state "$TK_TMP/a.state" bootstrap --bsf "$BSF_UB_URL" \
	--impi alice@home1.net --k 465b5ce8b199b49faa5f0a2ee238a601 --opc cd63cb71954a9f4e48a5994e37a02baf \
	>/dev/null || tk_fail "bootstrap"
BTID=$(sed -n 's/.*"btid": "\(.*\)".*/\1/p' "$TK_TMP/a.state")
code=$(curl --digest -u "$BTID:$pw" --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 \
	--cacert "$TK_TMP/kms-cert.pem" --data-binary "@$D/req.mikey" -H 'Content-Type: application/mikey' \
	-s -o /dev/null -w '%{http_code}' "https://127.0.0.1:$P/mikey")
tk_expect_eq "$code" 401 "another B-TID with the walkthrough's password: 401"
tk_stop kms
tk_done
