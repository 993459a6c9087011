export AWS_PROFILE=admin
export AWS_REGION=eu-west-1
