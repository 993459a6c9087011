provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAEXAMPLEKEY000000"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

  assume_role {
    role_arn     = "arn:aws:iam::111111111111:role/tf-deploy"
    session_name = "terraform"
  }
}
