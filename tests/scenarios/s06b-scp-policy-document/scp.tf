data "aws_iam_policy_document" "deny_foreign_roles" {
  statement {
    sid       = "DenyForeignRoles"
    effect    = "Deny"
    actions   = ["sts:AssumeRole"]
    resources = ["arn:aws:iam::111111111111:role/*"]
  }
}

resource "aws_organizations_policy" "deny_foreign_roles" {
  name    = "deny-foreign-roles"
  type    = "SERVICE_CONTROL_POLICY"
  content = data.aws_iam_policy_document.deny_foreign_roles.json
}
