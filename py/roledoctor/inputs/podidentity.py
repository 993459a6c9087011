"""An EKS Pod Identity association, as `aws eks describe-pod-identity-association`
(or create-/update-) prints it: the role the EKS Auth service assumes for a service account.

EKS Pod Identity calls sts:AssumeRole as the service `pods.eks.amazonaws.com` and
passes session tags, so the trust needs sts:AssumeRole and sts:TagSession:
https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html ; tags:
https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html ; output shape:
https://docs.aws.amazon.com/cli/latest/reference/eks/describe-pod-identity-association.html

    recognise(text) -> bool
    read(name, text, lines) -> list[Recognised]   kind "caller-source" (kind "eks-pod-identity")
"""

from __future__ import annotations

from roledoctor.inputs import jsonspan
from roledoctor.inputs.callermodel import CallerSource
from roledoctor.inputs.model import Arg, Recognised
from roledoctor.source import LineIndex

SERVICE = "pods.eks.amazonaws.com"


def _association(value):
    a = value.get("association") if isinstance(value, dict) else None
    if isinstance(a, dict) and isinstance(a.get("roleArn"), str) and "serviceAccount" in a:
        return a
    return None


def recognise(text: str) -> bool:
    if not isinstance(text, str) or len(text) > 1_000_000 or '"association"' not in text:
        return False
    if text.lstrip("\ufeff \t\r\n")[:1] != "{":
        return False
    try:
        return _association(jsonspan.parse(text, positions=False).value) is not None
    except jsonspan.JSONSyntaxError:
        return False


def read(name: str, text: str, lines: LineIndex) -> list[Recognised]:
    doc = jsonspan.parse(text)
    a = _association(doc.value)
    src = CallerSource(name, "eks-pod-identity", None, web_identity=False,
                       span=lines.span(doc.start, doc.end), service_caller=SERVICE)
    sp = doc.spans.get(("association", "roleArn"))
    src.role_arn = Arg("roleArn", a["roleArn"], a["roleArn"], lines.span(*sp) if sp else None)
    cluster, ns, sa = (str(a.get(k, "")) for k in ("clusterName", "namespace", "serviceAccount"))
    src.tags = {"eks-cluster-name": cluster, "kubernetes-namespace": ns, "kubernetes-service-account": sa,
                "kubernetes-pod-name": "(the pod)", "kubernetes-pod-uid": "(the pod)"}
    src.tags_note = "EKS Pod Identity passes session tags (kubernetes-namespace, kubernetes-service-account, …)"
    src.tags_span = src.role_arn.span
    return [Recognised(name, "caller-source", src, src.span)]
