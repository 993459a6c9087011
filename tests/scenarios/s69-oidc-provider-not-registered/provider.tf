provider "aws" {
  region = "eu-west-1"

  assume_role_with_web_identity {
    role_arn                = "arn:aws:iam::111111111111:role/tf-deploy"
    session_name            = "gha"
    web_identity_token_file = "/tmp/web-identity-token"
  }
}
