# vnetlab graph: a lab drawn from its state, or a topology before it is up.

test_graph_draws_nodes_by_kind_and_links_with_their_ends() {
	f=tests/integration/graph.clab.yml
	dot=$(vl graph -f "$f")
	echo "$dot" | grep -q '^graph "vt-graph" {' || fail "not DOT: $dot"
	# kind, backend and management address (a containerlab file has one)
	echo "$dot" | grep -q 'shape=box, style=rounded, label="a\\nlinux (ns)\\nmgmt 172.20.20.2"' ||
		fail "host a: $dot"
	echo "$dot" | grep -q 'shape=ellipse, label="r1\\nrouter (ns)\\nmgmt 172.20.20.4"' ||
		fail "router r1: $dot"
	echo "$dot" | grep -q 'label="vt-graph\\nmanagement 172.20.20.0/24", labelloc=t' ||
		fail "the management network: $dot"
	echo "$dot" | grep -q 'shape=box3d, label="s1\\nswitch"' || fail "switch s1: $dot"
	expect_eq "$(echo "$dot" | grep -c -- ' -- ')" 3 "edges"
	# each end's interface and the address plan gives it; impairments by direction
	a=$(vl plan -f "$f" | awk '/^node a /{n=1} n && /^  if eth1/{print $3; exit}')
	echo "$dot" | grep -q "taillabel=\"eth1\\\\n$a\", headlabel=\"p1\", label=\"delay 10ms\"" ||
		fail "the a-s1 link ($a): $(echo "$dot" | grep -- '--' | head -1)"
	echo "$dot" | grep -q 'label="→ rate 10Mbit\\n← none"' || fail "the one-way shaped link: $dot"
	mm=$(vl graph -f "$f" --format mermaid)
	echo "$mm" | grep -q '^flowchart LR$' || fail "not Mermaid: $mm"
	expect_eq "$(echo "$mm" | grep -c -- '---|')" 3 "Mermaid edges"
	echo "$mm" | grep -q '^	n2(\["r1<br/>router (ns)<br/>mgmt 172.20.20.4"\])$' || fail "Mermaid router: $mm"
	if command -v dot >/dev/null; then
		out=$(mktemp -d)
		vl graph -f "$f" -o "$out/g.svg"
		grep -q '<svg' "$out/g.svg" || fail "no SVG"
		vl graph -f "$f" --format png -o "$out/g.png"
		expect_eq "$(head -c 4 "$out/g.png" | tail -c 3)" PNG "PNG magic"
		rm -rf "$out"
	fi
	"$VNETLAB" graph vt-none -f "$f" 2>/dev/null
	expect_eq $? 2 "a lab and a file at once"
	"$VNETLAB" graph -f "$f" --format gif 2>/dev/null
	expect_eq $? 2 "an unknown format"
}

test_graph_of_a_running_lab_is_its_state() {
	vl up --topo linear,2 --name vt-graph2 >/dev/null
	live=$(vl graph vt-graph2)
	planned=$(vl graph --topo linear,2 --name vt-graph2)
	vl down vt-graph2 >/dev/null
	expect_eq "$live" "$planned" "the running lab's picture against its plan's"
	echo "$live" | grep -q 'label="h2\\nlinux (ns)"' || fail "no h2: $live"
	"$VNETLAB" graph vt-graph2 2>/dev/null && fail "a lab that is down was drawn"
	true
}
