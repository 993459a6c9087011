terraform {
  backend "s3" {
    bucket                       = "acme-tf-state"
    key                          = "core/terraform.tfstate"
    region                       = "eu-west-1"
    role_arn                     = "arn:aws:iam::111111111111:role/tf-deploy"
    session_name                 = "tf-state"
    assume_role_duration_seconds = 1800
  }
}
