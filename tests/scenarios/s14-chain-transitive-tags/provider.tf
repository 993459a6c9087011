provider "aws" {
  region = "eu-west-1"

  assume_role {
    role_arn = "arn:aws:iam::111111111111:role/network-admin"
  }

  assume_role {
    role_arn = "arn:aws:iam::111111111111:role/tf-deploy"
    tags                = { project = "core" }
    transitive_tag_keys = ["project"]
  }
}
