provider "aws" {
  region = "ap-east-1"

  assume_role {
    role_arn     = "arn:aws:iam::111111111111:role/tf-deploy"
    session_name = "terraform"
  }
}
