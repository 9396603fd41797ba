#!/bin/sh
# The log hunt's summary names the clients of each IOC: the text summary
# lists the first distinct clients seen under the IOC's line ("and N
# more" past 8), and the JSON ioc record carries them as client_names.
. "$(dirname "$0")/lib/common.sh"
need jq

printf 'evil-clients.example;clients test\nother-clients.example;second\n' >"$T/t-c2-iocs.txt"
: >"$T/q.log"
for i in 1 2 2 3 4 5 6 7 8 9 10; do
	printf 'client 10.0.0.%s#53: query: evil-clients.example IN A +\n' "$i" >>"$T/q.log"
done
printf 'client 10.9.9.9#53: query: other-clients.example IN A +\n' >>"$T/q.log"

run_vigil logs --no-builtin --iocs "$T/t-c2-iocs.txt" "$T/q.log"
check "exit 1" 1 "$rc"
check "text: the first 8 clients of the IOC, then the rest counted" \
	"    clients: 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8 (and 2 more)" \
	"$(grep -A1 '^  domain evil-clients.example ' "$T/out" | sed -n 2p)"
check "text: one client" "    clients: 10.9.9.9" \
	"$(grep -A1 '^  domain other-clients.example ' "$T/out" | sed -n 2p)"
run_vigil logs --json --no-builtin --iocs "$T/t-c2-iocs.txt" "$T/q.log"
check "json: client_names" '["10.9.9.9"]' \
	"$(jq -c 'select(.type=="ioc" and .ioc=="other-clients.example") | .client_names' "$T/out")"
check "json: clients still counts them all" 10 \
	"$(jq -c 'select(.type=="ioc" and .ioc=="evil-clients.example") | .clients' "$T/out")"
finish
