"""roledoctor: why Terraform's AWS provider cannot assume an IAM role, and the proven fix."""

__version__ = "0.1.0"
