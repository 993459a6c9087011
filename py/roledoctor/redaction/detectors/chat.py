"""Slack tokens and webhooks."""

from __future__ import annotations

from roledoctor.redaction.rules import Rule

RULES = (
    Rule(
        id="slack-token",
        type="SLACK_TOKEN",
        # gitleaks slack-bot-token, slack-user-token, slack-legacy-*; detect-secrets SlackDetector
        pattern=r"\bxox[abposer]-\d[A-Za-z0-9-]{9,250}+",
        keywords=("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxe-", "xoxr-"),
        entropy=2.5,
        source="gitleaks slack-bot-token, slack-user-token, slack-legacy-token",
        tp=(
            'SLACK_BOT_TOKEN=xoxb-838483726167-5136134125242-9DoV8gz4FkQ1okTBGzvAmwuf',
            '"token": "xoxp-50587706589-48113114402-426462889751-815d2802827283e0ad84173581569969"',
        ),
        fp=('xoxb-xxxxxxxxxxxxxxxx', 'xoxb-'),
    ),
    Rule(
        id="slack-app-token",
        type="SLACK_TOKEN",
        pattern=r"(?i)\bxapp-\d-[A-Z0-9]{1,20}+-\d{1,20}+-[a-z0-9]{10,100}+",
        keywords=("xapp-",),
        entropy=2.5,
        source="gitleaks slack-app-token",
        tp=('SLACK_APP_TOKEN=xapp-1-A04B7QX2K9M-5123456789012-3f9a1c0b7e2d4a6f8b1c3e5d7a9f0b2c',),
        fp=('xapp-1-foo',),
    ),
    Rule(
        id="slack-webhook",
        type="SLACK_WEBHOOK",
        # gitleaks slack-webhook-url; the host stays visible, the path is the secret
        pattern=r"\bhooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9+/]{20,100}+)",
        keywords=("hooks.slack.com",),
        entropy=3.0,
        source="gitleaks slack-webhook-url",
        tp=('url = "https://hooks.slack.com/services/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"',),
        fp=('see https://hooks.slack.com/services/ for details',),
    ),
)
