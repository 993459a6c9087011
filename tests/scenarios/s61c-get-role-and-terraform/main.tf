resource "aws_iam_role" "deploy" {
  name = "tf-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111111111111:user/bob" }
      Action    = "sts:AssumeRole"
    }]
  })
}
