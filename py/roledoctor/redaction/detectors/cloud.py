"""Google and Azure credentials."""

from __future__ import annotations

from roledoctor.redaction.rules import Rule

RULES = (
    Rule(
        id="gcp-api-key",
        type="GOOGLE_API_KEY",
        pattern=r"\bAIza[\w-]{35}(?![\w-])",
        keywords=("aiza",),
        entropy=4.0,
        source="gitleaks gcp-api-key",
        tp=('GOOGLE_API_KEY=AIzaXP-tKsf2rcDkdfrUnW5gcF_Ha6ili8GjHEA',),
        fp=('AIzaxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'AIzaShort'),
    ),
    Rule(
        id="gcp-oauth-client-secret",
        type="GOOGLE_SECRET",
        pattern=r"\bGOCSPX-[\w-]{28}(?![\w-])",
        keywords=("gocspx-",),
        entropy=3.0,
        source="gitleaks gcp-client-secret (GOCSPX format)",
        tp=('"client_secret": "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"',),
        fp=('GOCSPX-',),
    ),
    Rule(
        id="gcp-access-token",
        type="GOOGLE_TOKEN",
        pattern=r"\bya29\.[\w-]{30,2048}+",
        keywords=("ya29.",),
        entropy=3.0,
        source="trufflehog gcp oauth access token format",
        tp=('Authorization: Bearer ya29.pzNk8cL6j5IXAAjlsHUqJoUD-_Ydua_5ZMs1SWOpQaPRYpzbLGViYXjU2JgJ',),
        fp=('ya29.short',),
    ),
    Rule(
        id="azure-ad-client-secret",
        type="AZURE_SECRET",
        pattern=r"(?:^|(?<=[\\'\"`\s>=:(,)]))[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}+(?=$|[\\'\"`\s<),])",
        keywords=("q~",),
        entropy=3.0,
        source="gitleaks azure-ad-client-secret",
        tp=('client_secret = "gd18Q~KtFI3-OyV2dZAkg05rK_gqv81RKMGHZEM9"',),
        fp=('abc8Q~short',),
    ),
    Rule(
        id="azure-storage-account-key",
        type="AZURE_STORAGE_KEY",
        # detect-secrets AzureStorageKeyDetector; trufflehog azure_storage
        pattern=r"(?i:AccountKey|access_key|storage_key|primary_access_key)(?:\\?[\"'])?[ \t]{0,5}[=:][ \t]{0,5}(?:\\?[\"'])?(?P<s>[A-Za-z0-9+/]{86}(?:==|[A-Za-z0-9+/]{2}))",
        keywords=("accountkey", "access_key", "storage_key"),
        entropy=4.0,
        source="detect-secrets AzureStorageKeyDetector; trufflehog azure_storage",
        tp=('DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=YpvujA/C5Q52ryFlwRlOEVHzc0X0AWIRh/JUqBlIFXZ53Ncqe28+ajY75FnCttn6kfaqDeMqG3omjMyXHCabM6==;EndpointSuffix=core.windows.net',),
        fp=('AccountKey=;',),
    ),
    Rule(
        id="azure-sas-signature",
        type="AZURE_SAS",
        # trufflehog azuresastoken: the sig= parameter of a SAS URL
        pattern=r"[?&]sig=(?P<s>[A-Za-z0-9%+/]{30,200}+(?:%3D|=){0,2})",
        keywords=("sig=",),
        entropy=3.5,
        source="trufflehog azuresastoken",
        tp=('https://acme.blob.core.windows.net/c/f?sv=2022-11-02&ss=b&sp=r&se=2030-01-01&sig=Zk3p9QW1x%2FvL7mN0bR4tY8cD2fH6jK5sA1eG3uI9oP0%3D',),
        fp=('?sig=short',),
    ),
)
