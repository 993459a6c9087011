"""HashiCorp Vault and Terraform Cloud / Enterprise tokens."""

from __future__ import annotations

from roledoctor.redaction.rules import Rule

RULES = (
    Rule(
        id="vault-token",
        type="VAULT_TOKEN",
        # gitleaks vault-service-token / vault-batch-token, trufflehog hashicorpvault;
        # bounds widened to cover both
        pattern=r"\bhv[sbr]\.[\w-]{24,300}+",
        keywords=("hvs.", "hvb.", "hvr."),
        entropy=3.5,
        source="gitleaks vault-service-token, vault-batch-token; trufflehog hashicorpvault",
        tp=(
            'VAULT_TOKEN=hvs.JOF8EFd0Nhcy-1kGD2VD-eR1UYzaLiA-zNyD7CHLn-xC_1hsYgBds1ghxY5OokvQyx7eNWVQ4vnakJkS1pAWTN3lg8zV5yP',
            'token = "hvb.U8d0FZfWe7ihGyiRUIQfHOJMaidDn87XG3-q-xbMtEPO6UkzYuF0ie9Pu2njHkAm1-5wDr16EpLLJIVGHz4FxFEtKyPiYGFDm7ena8D5VfLDpgyyjVw5HanSBeVRsfAGeAbP0VxNjAe-"',
        ),
        fp=('hvs.short', 'hvs.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
    ),
    Rule(
        id="vault-legacy-token",
        type="VAULT_TOKEN",
        pattern=r"\bs\.[A-Za-z0-9]{24}\b",
        keywords=("s.",),
        entropy=3.5,
        allow=(r"^s\.[A-Za-z]{24}$",),  # gitleaks allowlist: letters only
        validate=lambda s: any(c.isdigit() for c in s),
        source="gitleaks vault-service-token (legacy s. form)",
        tp=('export VAULT_TOKEN=s.JEeAgYzQJjOIfPkzSrAsQtA9',),
        fp=('s.ThisIsJustSomeCamelCaseWord', 'module.s.something'),
    ),
    Rule(
        id="terraform-cloud-token",
        type="TFC_TOKEN",
        # gitleaks hashicorp-tf-api-token; trufflehog terraformcloudpersonaltoken
        pattern=r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}+",
        keywords=("atlasv1",),
        entropy=3.5,
        source="gitleaks hashicorp-tf-api-token",
        tp=(
            'credentials "app.terraform.io" { token = "dtvk4waab3xzxp.atlasv1.mzUzn8aB5kBh0fzK4xDXkiadJjPZ6zfKN7xVGkjwskHk7egyFWZY9Zmti18c6EudM7O" }',
        ),
        fp=('token = "xxxxxxxxxxxxxx.atlasv1.xxxx"',),
    ),
)
