resource "aws_iam_role" "tf_target" {
  name = "tf-target"
  path = "/deploy/"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111111111111:role/ci" }
      Action    = "sts:AssumeRole"
    }]
  })
}
