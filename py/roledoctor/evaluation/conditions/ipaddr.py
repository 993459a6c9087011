"""IpAddress / NotIpAddress: the context address inside a policy CIDR.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from roledoctor.evaluation.conditions.base import Operator


@lru_cache(maxsize=1024)
def _net(text: str):
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _in(c: str, p: str) -> bool:
    net = _net(p)
    try:
        addr = ipaddress.ip_address(c.strip())
    except ValueError:
        return False
    return net is not None and addr.version == net.version and addr in net


OPERATORS = {
    "IpAddress": Operator("IpAddress", "ip", _in),
    "NotIpAddress": Operator("NotIpAddress", "ip", _in, negated=True),
}
