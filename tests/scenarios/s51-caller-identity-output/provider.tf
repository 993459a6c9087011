provider "aws" {
  region = "eu-west-1"
  assume_role {
    role_arn     = "arn:aws:iam::111111111111:role/tf-deploy"
    session_name = "ci"
    external_id  = var.external_id
  }
}

variable "external_id" {
  default = "team-a-7731"
}
