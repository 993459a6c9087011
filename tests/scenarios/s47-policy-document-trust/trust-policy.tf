data "aws_iam_policy_document" "trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::222222222222:role/old-ci"]
    }
  }
}

resource "aws_iam_role" "tf_deploy" {
  name               = "tf-deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
