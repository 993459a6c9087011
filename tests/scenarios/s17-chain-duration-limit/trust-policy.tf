resource "aws_iam_role" "tf_deploy" {
  name = "tf-deploy"
  max_session_duration = 43200

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111111111111:role/ci" }
      Action    = "sts:AssumeRole"
    }]
  })
}
