"""A topology as vnetlab up's arguments: a dict, a file or a generator spec.

A dict is written as JSON (which vnetlab's YAML parser reads) to a file
of mode 0600 in a private temporary directory, removed once up has read it.
"""
import contextlib
import json
import os
import shutil
import tempfile

# up's options that would take the lab away or talk to a terminal
_REFUSED = {"file", "topo", "name", "json", "quiet", "test", "shell", "help"}


def option_args(opts):
    """up's options from keywords: cpu_weight=2 -> --cpu-weight 2.

    True is a bare flag (nat=True -> --nat), False and None are left out,
    a list or tuple repeats the option (vm_program=[...]).
    """
    args = []
    for key, value in opts.items():
        if key in _REFUSED:
            raise ValueError(f"Lab.up: option {key!r} is not for the API "
                             "(give the topology and name= as arguments)")
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
            continue
        for v in value if isinstance(value, (list, tuple)) else [value]:
            args += [flag, str(v)]
    return args


def is_file(topology):
    """Whether a str or path names a topology file (else a generator spec)."""
    if isinstance(topology, os.PathLike):
        return True
    return (os.path.exists(topology) or "/" in topology
            or topology.endswith((".yml", ".yaml", ".json")))


@contextlib.contextmanager
def as_args(topology):
    """Yield (args, source, shown): up's topology arguments; for a dict, the
    text written and the temporary path to show as "<dict>" in errors."""
    if isinstance(topology, dict):
        text = json.dumps(topology, indent=2) + "\n"
        tmp = tempfile.mkdtemp(prefix="vnetlab-py-")  # mode 0700
        path = os.path.join(tmp, "topology.yml")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(text)
            yield ["-f", path], text, path
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    elif isinstance(topology, (str, os.PathLike)):
        if is_file(topology):
            yield ["-f", os.fspath(topology)], None, None
        else:
            yield ["--topo", topology], None, None
    else:
        raise TypeError("topology: a dict, a file's path or a generator spec "
                        f"such as 'tree,2,2', not {type(topology).__name__}")
