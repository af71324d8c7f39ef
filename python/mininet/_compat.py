"""What Mininet has and this package cannot do: one exception for all of it."""


class Unsupported(Exception):
    """A Mininet feature vnetlab does not provide (OpenFlow, xterms,
    Mininet's cluster classes...). The message names the feature and what
    vnetlab offers instead."""

    def __init__(self, feature, instead):
        self.feature = feature
        self.instead = instead
        super().__init__(f"{feature}: not supported over vnetlab; {instead}")


def set_param(obj, results, method, **param):
    """Mininet's setParam: obj.method(value) for the one param name=value
    (a list is *args, a dict **kwargs; None: nothing), results[name] = what
    it returned."""
    name, value = list(param.items())[0]
    f = getattr(obj, method, None)
    if not f or value is None:
        return None
    if isinstance(value, list):
        result = f(*value)
    elif isinstance(value, dict):
        result = f(**value)
    else:
        result = f(value)
    results[name] = result
    return result
