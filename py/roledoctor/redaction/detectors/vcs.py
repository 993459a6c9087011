"""GitHub and GitLab tokens."""

from __future__ import annotations

from roledoctor.redaction.rules import Rule

RULES = (
    Rule(
        id="github-token",
        type="GITHUB_TOKEN",
        # gitleaks github-pat / github-oauth / github-app-token / github-refresh-token;
        # trufflehog github v2 allows up to 255 characters
        pattern=r"\bgh[pousr]_[A-Za-z0-9]{36,255}+\b",
        keywords=("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        entropy=3.0,
        source="gitleaks github-pat, github-oauth, github-app-token, github-refresh-token",
        tp=(
            'token = "ghp_bYrEqmSM9wCZ7Uw9xfogoEmvnEN5N1aE6PwZ"',
            'GITHUB_TOKEN=gho_Pf1Qh6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5',
            'remote: https://x-access-token:ghs_7Hq2Lm9XzP4wK1vR8tN3cY6bJ0fD5sGaE2uQ@github.com/o/r',
        ),
        fp=('ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'ghp_short123', 'token: ${{ secrets.GITHUB_TOKEN }}'),
    ),
    Rule(
        id="github-fine-grained-pat",
        type="GITHUB_TOKEN",
        pattern=r"\bgithub_pat_[A-Za-z0-9_]{50,255}+\b",
        keywords=("github_pat_",),
        entropy=3.0,
        source="gitleaks github-fine-grained-pat",
        tp=('GH_TOKEN="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"',),
        fp=('github_pat_example', 'the github_pat_ prefix'),
    ),
    Rule(
        id="gitlab-token",
        type="GITLAB_TOKEN",
        # gitleaks gitlab-pat, -pat-routable, -deploy-token, -feed-token, -runner-authentication-token,
        # -cicd-job-token, -incoming-mail-token, -kubernetes-agent-token, -oauth-app-secret,
        # -scim-token, -feature-flag-client-token; detect-secrets GitLabTokenDetector
        pattern=r"\bgl(?:pat|dt|ft|rt|cbt|imt|agent|oas|soat|ffct)-[\w-]{20,300}+(?:\.[0-9a-z]{2,12}+)?",
        keywords=("glpat-", "gldt-", "glft-", "glrt-", "glcbt-", "glimt-", "glagent-", "gloas-", "glsoat-", "glffct-"),
        entropy=3.0,
        source="gitleaks gitlab-* rules; detect-secrets GitLabTokenDetector",
        tp=(
            'GITLAB_TOKEN=glpat-phP9nhFyJfm5di4PzJ59',
            'token: "glrt-t1_Xk29dLmQ4pWz7Rb1Vn8c"',
        ),
        fp=('glpat-xxxxxxxxxxxxxxxxxxxx', 'glpat-short'),
    ),
    Rule(
        id="gitlab-runner-registration-token",
        type="GITLAB_TOKEN",
        pattern=r"\bGR1348941[\w-]{20,64}+",
        keywords=("gr1348941",),
        entropy=3.0,
        source="gitleaks gitlab-rrt",
        tp=('registration-token GR1348941Zx8pQ2mVb7LkR4tYw1nC',),
        fp=('GR1348941',),
    ),
    Rule(
        id="gitlab-pipeline-trigger-token",
        type="GITLAB_TOKEN",
        pattern=r"\bglptt-[\w-]{20,64}+",
        keywords=("glptt-",),
        entropy=3.0,
        source="gitleaks gitlab-ptt",
        tp=('TRIGGER=glptt-3f9a1c0b7e2d4a6f8b1c3e5d7a9f0b2c4d6e8a1f',),
        fp=('glptt-0000000000000000000000000000000000000000',),
    ),
)
