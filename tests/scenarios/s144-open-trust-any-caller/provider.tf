provider "aws" {
  region = "eu-west-1"

  assume_role {
    role_arn     = "arn:aws:iam::111111111111:role/tf-deploy"
    session_name = "terraform"
  }
}
