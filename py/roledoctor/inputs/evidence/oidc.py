"""IAM OIDC identity providers: `aws iam get-open-id-connect-provider` (Url,
ClientIDList, ThumbprintList, CreateDate;
https://docs.aws.amazon.com/cli/latest/reference/iam/get-open-id-connect-provider.html)
and `aws iam list-open-id-connect-providers`."""

from __future__ import annotations

from roledoctor.inputs.evidence.common import Ctx, get, strings, text_of
from roledoctor.inputs.evidence.model import Evidence


def is_provider(v) -> bool:
    return isinstance(v, dict) and isinstance(v.get("Url"), str) and isinstance(v.get("ClientIDList"), list)


def read_provider(ctx: Ctx, ev: Evidence) -> None:
    v = ctx.doc.value
    url = v["Url"]
    ev.oidc_providers.append({"arn": ev.command.get("--open-id-connect-provider-arn", ""), "url": url,
                              "client_ids": strings(v, "ClientIDList"), "thumbprints": strings(v, "ThumbprintList"),
                              "span": ctx.span(("ClientIDList",))})
    ev.title = f"OIDC provider {url}"
    ev.facts.append(f"client IDs: {', '.join(strings(v, 'ClientIDList')) or 'none'}")
    ev.facts.append(f"{len(strings(v, 'ThumbprintList'))} thumbprint(s)")


def is_list(v) -> bool:
    return isinstance(get(v, "OpenIDConnectProviderList"), list)


def read_list(ctx: Ctx, ev: Evidence) -> None:
    ev.oidc_listed = [text_of(p, "Arn") for p in ctx.doc.value["OpenIDConnectProviderList"] if text_of(p, "Arn")]
    ev.title = "OIDC providers of the account"
    ev.facts.append(", ".join(a.split("oidc-provider/", 1)[-1] for a in ev.oidc_listed) or "no OIDC provider")


# Registered in roledoctor.inputs.kinds (stage aws-output), one row per output.
