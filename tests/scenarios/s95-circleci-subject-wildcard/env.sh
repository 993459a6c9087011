AWS_ROLE_ARN=arn:aws:iam::111111111111:role/tf-deploy
AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/token
