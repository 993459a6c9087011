include "root" {
  path = find_in_parent_folders()
}

iam_role                     = "arn:aws:iam::111111111111:role/tf-deploy"
iam_assume_role_duration     = 14400
iam_assume_role_session_name = "terragrunt"

inputs = {
  env = "prod"
}
