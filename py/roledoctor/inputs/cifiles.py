"""CI files that say how a job gets its AWS credentials: a GitHub Actions workflow,
a GitLab CI file, a Kubernetes ServiceAccount (EKS IRSA). YAML, read safely
(roledoctor.inputs.yamlsafe); every value keeps its span.

GitHub Actions:
- `permissions` (workflow or job; a job's replaces the workflow's; OIDC needs
  `id-token: write`): https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions
- subject claim formats: https://docs.github.com/en/actions/reference/security/oidc
- aws-actions/configure-aws-credentials inputs and defaults (action.yml, README):
  https://github.com/aws-actions/configure-aws-credentials — role-session-name
  "GitHubActions", audience "sts.amazonaws.com", role-duration-seconds 3600,
  role-skip-session-tagging false (tags are passed when the action calls
  sts:AssumeRole: with access keys or role-chaining; AssumeRoleWithWebIdentity
  takes no tags).
GitLab CI `id_tokens` (`aud`), subject project_path:…:ref_type:…:ref:…:
  https://docs.gitlab.com/ci/secrets/id_token_authentication/ ; https://docs.gitlab.com/ci/yaml/#id_tokens
Bitbucket Pipelines: a step gets BITBUCKET_STEP_OIDC_TOKEN only with `oidc: true`:
  https://support.atlassian.com/bitbucket-cloud/docs/deploy-on-aws-using-bitbucket-pipelines-openid-connect/
Kubernetes ServiceAccount `eks.amazonaws.com/role-arn` (IRSA), subject
  system:serviceaccount:NS:NAME, audience sts.amazonaws.com (annotation
  `eks.amazonaws.com/audience`): https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html

    recognise(text) -> bool
    read(name, text, lines) -> list[Recognised]   kind "caller-source" (CallerSource)
"""

from __future__ import annotations

import re
from typing import Any

from roledoctor.inputs.callermodel import CallerSource
from roledoctor.inputs.model import INPUT_UNPARSEABLE, Arg, Problem, Recognised
from roledoctor.source import LineIndex
from roledoctor.inputs.values import as_dict, as_list

CONFIGURE_ACTION = "aws-actions/configure-aws-credentials"
GITHUB_TAGS = ("GitHub", "Repository", "Workflow", "Action", "Actor", "Commit", "Branch")

_GH = re.compile(r"^(?:jobs|on|\"on\"|'on')[ \t]*:", re.M)
_GH_JOB = re.compile(r"^[ \t]+(?:runs-on|steps|uses)[ \t]*:", re.M)
_GL = re.compile(r"^[ \t]+(?:script|id_tokens|before_script)[ \t]*:", re.M)
_K8S = re.compile(r"^kind[ \t]*:[ \t]*[\"']?ServiceAccount[\"']?[ \t]*$", re.M)
_API = re.compile(r"^apiVersion[ \t]*:", re.M)
_BRANCH_RULE = re.compile(r"\$CI_COMMIT_(?:BRANCH|REF_NAME)[ \t]{0,5}==[ \t]{0,5}[\"']([A-Za-z0-9_./-]{1,200})[\"']")
_ROLE_FLAG = re.compile(r"--role-arn[ \t=]{1,5}[\"']?(arn:[A-Za-z0-9:/_+=,.@-]{1,300})")
_TOKEN_VAR = re.compile(r"--web-identity-token[ \t=]{1,5}[\"']?\$\{?([A-Za-z_][A-Za-z0-9_]{0,100})")


def recognise(text: str) -> bool:
    if not isinstance(text, str) or len(text) > 1_000_000 or text.lstrip()[:1] in ("{", "["):
        return False
    if _K8S.search(text) and _API.search(text):
        return True
    if _GH.search(text) and "jobs" in text and (_GH_JOB.search(text) or "runs-on" in text or "steps" in text):
        return True
    return bool(_GL.search(text)) and not re.search(r"^(?:resource|provider|terraform|variable)[ \t]", text, re.M)


def _arg(doc, lines: LineIndex, path: tuple, name: str, value) -> Arg:
    sp = doc.spans.get(path)
    span = lines.span(*sp) if sp else None
    return Arg(name, value, str(value), span)


def _span(doc, lines, path):
    sp = doc.spans.get(path)
    return lines.span(*sp) if sp else None


def read(name: str, text: str, lines: LineIndex) -> list[Recognised]:
    from roledoctor.inputs import yamlsafe
    try:
        docs = yamlsafe.parse(text)
    except yamlsafe.YamlError as err:
        line, col = lines.position(min(err.offset, len(text)))
        p = Problem(INPUT_UNPARSEABLE, f"invalid YAML at line {line}, column {col}: {err.message}", name,
                    lines.span(min(err.offset, len(text)), min(err.offset + 1, len(text))),
                    lines.line_text(line)[:200])
        return [Recognised(name, "problem", p, p.span)]
    out: list[Recognised] = []
    for doc in docs:
        v = doc.value
        if not isinstance(v, dict):
            continue
        if v.get("kind") == "ServiceAccount":
            out += _service_account(name, doc, lines)
        elif isinstance(v.get("jobs"), dict) and ("on" in v or True in v or "true" in v):
            out += _github(name, doc, lines)
        elif isinstance(v.get("pipelines"), dict):
            out += _bitbucket(name, doc, lines)
        else:
            out += _gitlab(name, doc, lines)
    if not out:
        out.append(Recognised(name, "yaml", {"documents": len(docs)}))
    return out


# ---- GitHub Actions -------------------------------------------------------------------------

def _id_token_write(perms) -> bool | None:
    """True/False when `permissions` decides; None when absent."""
    if perms is None:
        return None
    if isinstance(perms, str):
        return perms == "write-all"
    if isinstance(perms, dict):
        return perms.get("id-token") == "write"
    return False


def _triggers(on) -> dict:
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(t): None for t in on}
    return on if isinstance(on, dict) else {}


def _configure_steps(wf: dict) -> list[tuple[str, dict, int, dict]]:
    """(job id, job, step index, step) of each configure-aws-credentials step, in file order."""
    found = []
    for job_id, job in wf["jobs"].items():
        if not isinstance(job, dict):
            continue
        for i, step in enumerate(job.get("steps") or []):
            if isinstance(step, dict) and isinstance(step.get("uses"), str) and \
                    step["uses"].split("@", 1)[0].lower() == CONFIGURE_ACTION:
                found.append((job_id, job, i, step))
    return found


def _github_inputs(src: CallerSource, doc, lines: LineIndex, w: dict, wpath: tuple) -> None:
    """The step's session name, duration, external ID and audience, with the action's defaults."""
    sess = w.get("role-session-name", "GitHubActions")
    src.session_name = _arg(doc, lines, wpath + ("role-session-name",), "role-session-name", str(sess)) \
        if "role-session-name" in w else Arg("role-session-name", "GitHubActions", "(default)")
    dur = w.get("role-duration-seconds", 3600)
    src.duration_seconds = Arg("role-duration-seconds", int(dur) if str(dur).isdigit() else dur, str(dur),
                               _span(doc, lines, wpath + ("role-duration-seconds",)))
    if "role-external-id" in w:
        src.external_id = _arg(doc, lines, wpath + ("role-external-id",), "role-external-id",
                               str(w["role-external-id"]))
    if "audience" in w:
        src.audience = _arg(doc, lines, wpath + ("audience",), "audience", str(w["audience"]))
    else:
        src.audience = Arg("audience", "sts.amazonaws.com", "(default)")


def _github(name: str, doc, lines: LineIndex) -> list[Recognised]:
    wf = doc.value
    on = _triggers(wf.get("on", wf.get(True, wf.get("true"))))
    out = []
    prev_role: dict[str, str] = {}
    for job_id, job, i, step in _configure_steps(wf):
        base = ("jobs", job_id, "steps", i)
        w = as_dict(step.get("with"))
        wpath = base + ("with",)
        src = CallerSource(name, "github-workflow", "github", span=_span(doc, lines, base))
        role = w.get("role-to-assume")
        if isinstance(role, str):
            src.role_arn = _arg(doc, lines, wpath + ("role-to-assume",), "role-to-assume", role)
            if not role.startswith("arn:"):
                src.notes.append("role-to-assume is a role name: the action takes it as a role in the account "
                                 "of the credentials")
        keys = "aws-access-key-id" in w
        chaining = w.get("role-chaining") is True or str(w.get("role-chaining")).lower() == "true"
        token_file = "web-identity-token-file" in w
        src.web_identity = not keys and not chaining
        _github_inputs(src, doc, lines, w, wpath)
        skip = str(w.get("role-skip-session-tagging", False)).lower() == "true"
        if not src.web_identity and not skip:
            src.tags = {t: "(set by the action)" for t in GITHUB_TAGS}
            src.tags_note = ("configure-aws-credentials tags the session (role-skip-session-tagging defaults to "
                             "false) when it calls sts:AssumeRole")
            src.tags_span = _span(doc, lines, base + ("uses",))
        if chaining:
            src.chained_from = prev_role.get(job_id)
        if src.web_identity and not token_file:
            _github_token(src, doc, lines, wf, job, job_id, base)
        _github_subject(src, job, job_id, on)
        if "workflow_call" in on:
            src.notes.append("a reusable workflow (`on: workflow_call`): the token's subject names the calling "
                             "repository; its `job_workflow_ref` claim names this file")
        if isinstance(role, str):
            prev_role[job_id] = role
        out.append(Recognised(name, "caller-source", src, src.span))
    if not out:
        out.append(Recognised(name, "yaml", {"workflow": True, "configure_aws_credentials": False}))
    return out[-1:]  # the last credential step is the one later steps (Terraform) use


def _github_token(src: CallerSource, doc: Any, lines: LineIndex, wf: dict, job: dict, job_id: str,
                  base: tuple) -> None:
    """The OIDC token: the job needs `id-token: write` (a job's permissions replace the workflow's)."""
    job_perm = _id_token_write(job.get("permissions"))
    wf_perm = _id_token_write(wf.get("permissions"))
    decided = job_perm if job.get("permissions") is not None else wf_perm
    if not decided:
        where = ("jobs", job_id, "permissions") if job.get("permissions") is not None else \
            ("permissions",) if wf.get("permissions") is not None else base
        src.token_span = _span(doc, lines, where)
        src.token_missing = (
            f"job `{job_id}` has `permissions` without `id-token: write` (a job's permissions replace the "
            "workflow's)" if job.get("permissions") is not None else
            "the workflow's `permissions` lack `id-token: write`" if wf.get("permissions") is not None else
            "neither the workflow nor the job grants `permissions: id-token: write`")


def _github_subject(src: CallerSource, job: dict, job_id: str, on: dict) -> None:
    """The token subject's context: the job's environment, pull_request, or the pushed branch or tag."""
    env = job.get("environment")
    env = env.get("name") if isinstance(env, dict) else env
    if isinstance(env, str) and env:
        src.subject_parts["context"] = f"environment:{env}"
        src.subject_note = f"job `{job_id}` runs in environment `{env}`"
    elif "pull_request" in on and "push" not in on:
        src.subject_parts["context"] = "pull_request"
        src.subject_note = "the workflow runs on pull_request"
    else:
        push = as_dict(on.get("push"))
        branches = push.get("branches") if isinstance(push, dict) else None
        tags = push.get("tags") if isinstance(push, dict) else None
        if isinstance(branches, list) and branches and isinstance(branches[0], str) and "*" not in branches[0]:
            src.subject_parts["context"] = f"ref:refs/heads/{branches[0]}"
            src.subject_note = f"the workflow runs on push to `{branches[0]}`"
            if len(branches) > 1:
                src.notes.append("the workflow runs on several branches: the first one is taken")
        elif isinstance(tags, list) and tags and isinstance(tags[0], str) and "*" not in tags[0]:
            src.subject_parts["context"] = f"ref:refs/tags/{tags[0]}"
            src.subject_note = f"the workflow runs on push of tag `{tags[0]}`"


# ---- GitLab CI -------------------------------------------------------------------------------

_GL_RESERVED = {"stages", "variables", "default", "include", "workflow", "image", "services", "cache",
                "before_script", "after_script"}


def _script_text(job) -> str:
    parts = []
    for k in ("before_script", "script", "after_script"):
        v = job.get(k)
        parts += [x for x in v if isinstance(x, str)] if isinstance(v, list) else [v] if isinstance(v, str) else []
    return "\n".join(parts)[:200_000]


def _gitlab_role(job_id: str, script: str, top_vars: dict, jvars: dict) -> tuple[str | None, tuple | None]:
    """The role a job assumes and where it is set: ROLE_ARN / AWS_ROLE_ARN (the job's variables
    over the file's), else a `--role-arn` in its script."""
    role: str | None = None
    role_path: tuple | None = None
    for path, vs in ((("variables",), top_vars), ((job_id, "variables"), jvars)):
        for k in ("ROLE_ARN", "AWS_ROLE_ARN"):
            if isinstance(vs.get(k), str):
                role, role_path = vs[k], path + (k,)
    m = _ROLE_FLAG.search(script)
    if role is None and m:
        role, role_path = m.group(1), (job_id, "script")
    return role, role_path


def _gitlab_branch(job: dict) -> str | None:
    """The branch a job runs on: its first `rules: - if: $CI_COMMIT_BRANCH == "x"`, else `only: [x]`."""
    for r in as_list(job.get("rules")):
        b = _BRANCH_RULE.search(r.get("if", "")) if isinstance(r, dict) and isinstance(r.get("if"), str) else None
        if b:
            return b.group(1)
    only = job.get("only")
    if isinstance(only, list) and only and isinstance(only[0], str) and only[0] not in (
            "branches", "tags", "merge_requests"):
        return only[0]
    return None


def _gitlab(name: str, doc, lines: LineIndex) -> list[Recognised]:
    ci = doc.value
    top_vars = as_dict(ci.get("variables"))
    out = []
    for job_id, job in ci.items():
        if job_id in _GL_RESERVED or str(job_id).startswith(".") or not isinstance(job, dict):
            continue
        script = _script_text(job)
        jvars = as_dict(job.get("variables"))
        role, role_path = _gitlab_role(job_id, script, top_vars, jvars)
        uses_aws = role is not None or "assume-role-with-web-identity" in script or "AWS_WEB_IDENTITY_TOKEN" in script
        if not uses_aws:
            continue
        src = CallerSource(name, "gitlab-ci", "gitlab", span=_span(doc, lines, (job_id,)))
        if role and role_path is not None:  # a role always comes with where it was found
            src.role_arn = _arg(doc, lines, role_path, "ROLE_ARN", role)
        tokens = as_dict(job.get("id_tokens"))
        tv = _TOKEN_VAR.search(script)
        used = tv.group(1) if tv else None
        chosen = used if used in tokens else next(iter(tokens), None)
        if not tokens or (used and used not in tokens and used not in jvars and used not in top_vars):
            src.token_span = _span(doc, lines, (job_id,))
            src.token_missing = (f"job `{job_id}` has no `id_tokens`" if not tokens else
                                 f"job `{job_id}` passes `${used}`, which its `id_tokens` do not define")
            if used and used.startswith("CI_JOB_JWT"):
                src.token_missing += f" (`${used}` was removed in GitLab 17.0; use `id_tokens`)"
        elif chosen is not None:
            aud = tokens[chosen].get("aud") if isinstance(tokens[chosen], dict) else None
            first = aud[0] if isinstance(aud, list) and aud else aud
            if isinstance(first, str):
                p = (job_id, "id_tokens", chosen, "aud") + ((0,) if isinstance(aud, list) else ())
                src.audience = _arg(doc, lines, p, "aud", first)
        branch = _gitlab_branch(job)
        if branch:
            src.subject_parts["context"] = f"ref_type:branch:ref:{branch}"
            src.subject_note = f"job `{job_id}` runs on branch `{branch}`"
        out.append(Recognised(name, "caller-source", src, src.span))
    return out[:1] or [Recognised(name, "yaml", {"gitlab_ci": True})]


# ---- Bitbucket Pipelines --------------------------------------------------------------------

_BB_ROLE = re.compile(r"AWS_ROLE_ARN[ \t]{0,10}=[ \t]{0,10}[\"']?(arn:[A-Za-z0-9:/_+=,.@-]{1,300})")


def _bb_steps(node, path: tuple, depth: int = 0):
    """(path, step) of every `- step:` under `pipelines`, parallel groups included."""
    if depth > 12:
        return
    if isinstance(node, dict):
        if isinstance(node.get("step"), dict):
            yield path + ("step",), node["step"]
        for k, v in node.items():
            if k != "step":
                yield from _bb_steps(v, path + (k,), depth + 1)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _bb_steps(v, path + (i,), depth + 1)


def _bitbucket(name: str, doc, lines: LineIndex) -> list[Recognised]:
    out = []
    for path, step in _bb_steps(doc.value["pipelines"], ("pipelines",)):
        script = _script_text(step)
        if "BITBUCKET_STEP_OIDC_TOKEN" not in script and "AWS_ROLE_ARN" not in script:
            continue
        src = CallerSource(name, "bitbucket-pipelines", "bitbucket", span=_span(doc, lines, path))
        m = _BB_ROLE.search(script)
        if m:
            src.role_arn = Arg("AWS_ROLE_ARN", m.group(1), m.group(1), _span(doc, lines, path + ("script",)))
        if step.get("oidc") is not True:
            src.token_span = _span(doc, lines, path + ("oidc",)) or _span(doc, lines, path)
            src.token_missing = (f"step `{step.get('name', path[-2])}` has no `oidc: true`, so "
                                 "BITBUCKET_STEP_OIDC_TOKEN is not set")
        out.append(Recognised(name, "caller-source", src, src.span))
    return out[-1:] or [Recognised(name, "yaml", {"bitbucket_pipelines": True})]


# ---- Kubernetes ServiceAccount (EKS IRSA) -----------------------------------------------------

def _service_account(name: str, doc, lines: LineIndex) -> list[Recognised]:
    sa = doc.value
    meta = as_dict(sa.get("metadata"))
    ann = as_dict(meta.get("annotations"))
    role = ann.get("eks.amazonaws.com/role-arn")
    src = CallerSource(name, "k8s-serviceaccount", "eks", span=lines.span(doc.start, doc.end))
    if isinstance(role, str):
        src.role_arn = _arg(doc, lines, ("metadata", "annotations", "eks.amazonaws.com/role-arn"), "role-arn", role)
    ns = meta.get("namespace") if isinstance(meta.get("namespace"), str) else "default"
    nm = meta.get("name") if isinstance(meta.get("name"), str) else None
    if nm:
        src.subject_parts["subject"] = f"system:serviceaccount:{ns}:{nm}"
        src.subject_note = f"ServiceAccount `{nm}` in namespace `{ns}`" + (
            "" if isinstance(meta.get("namespace"), str) else " (no namespace given: `default`)")
    aud = ann.get("eks.amazonaws.com/audience")
    src.audience = _arg(doc, lines, ("metadata", "annotations", "eks.amazonaws.com/audience"), "audience", aud) \
        if isinstance(aud, str) else Arg("audience", "sts.amazonaws.com", "(default)")
    return [Recognised(name, "caller-source", src, src.span)]
