"""What Mininet has and this package cannot do: one exception for all of it."""


class Unsupported(Exception):
    """A Mininet feature vnetlab does not provide (OpenFlow, xterms,
    Mininet's cluster classes...). The message names the feature and what
    vnetlab offers instead."""

    def __init__(self, feature, instead):
        self.feature = feature
        self.instead = instead
        super().__init__(f"{feature}: not supported over vnetlab; {instead}")
