terraform {
  backend "s3" {
    bucket = "acme-tf-state"
    key    = "core/terraform.tfstate"
    region = "eu-west-1"
    assume_role = {
      role_arn     = "arn:aws:iam::111111111111:role/tf-deploy"
      session_name = "alice smith@example.com"
    }
  }
}
