export AWS_PROFILE=deploy
