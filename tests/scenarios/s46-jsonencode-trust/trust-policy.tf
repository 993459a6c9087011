resource "aws_iam_role" "tf_deploy" {
  name = "tf-deploy"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        # the old runner, replaced in March
        Principal = { AWS = "arn:aws:iam::222222222222:role/old-ci" }
        Action    = "sts:AssumeRole"
      }
    ]
  })
}
