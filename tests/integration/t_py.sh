# The Python API (python/vnetlab): its unittest scripts in tests/python,
# run with Debian's python3 against real labs (named vt-py*), and every
# file of the package and its tests compiled.

# Debian's python3 (another earlier on PATH may lack Debian's modules)
py_run() {
	local py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3) || skip "no python3"
	PYTHONPATH=python PYTHONDONTWRITEBYTECODE=1 "$py" "$@"
}

test_py_compile() {
	# compile() only: no __pycache__ left in the tree
	py_run - python tests/python tests/mininet <<'PY' || fail "a Python file does not compile"
import pathlib, sys
for d in sys.argv[1:]:
    for f in sorted(pathlib.Path(d).rglob("*.py")):
        compile(f.read_text(), str(f), "exec")
PY
	# pyflakes if Debian's python3-pyflakes is there (not a dependency)
	if py_run -c 'import pyflakes' 2>/dev/null; then
		py_run -m pyflakes python tests/python tests/mininet || fail "pyflakes"
	fi
}

test_py_lab() {
	py_run tests/python/test_lab.py || fail "tests/python/test_lab.py"
}

test_py_link_rate() {
	command -v iperf >/dev/null || skip "no iperf (2) to measure a rate"
	py_run tests/python/test_link.py || fail "tests/python/test_link.py"
}

test_py_mininet_topo_and_util() {
	# the mininet package's topologies and utilities, against tables of
	# Mininet 2.3.0's results (no lab, no root needed)
	py_run tests/python/test_mn_topo.py || fail "tests/python/test_mn_topo.py"
	py_run tests/python/test_mn_util.py || fail "tests/python/test_mn_util.py"
}
