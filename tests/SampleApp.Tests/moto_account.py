"""The account of the policy-in-the-loop tests in moto (MotoAccount.cs).

  setup URL        stdin: {"buckets": [...], "policy": {...}, "keyArnPlaceholder": "..."}  ->  stdout: {"keyArn", "handler": {id, secret}, "admin": {id, secret}, "calls"}
      Creates, while moto still lets calls through (INITIAL_NO_AUTH_ACTION_COUNT), the buckets, a KMS key, a user
      "handler" whose only policy is the given document, a user "admin" allowed everything (the test's own
      infrastructure: stand-ins forwarding allowed calls, setup, reading back), and an access key for each. "calls" is how many
      authenticated actions that took: the count moto must be started with.
"""
import json
import sys

import boto3

REGION = "us-east-1"


def client(service, url, key_id="testing", secret="testing"):
    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id=key_id, aws_secret_access_key=secret)


def setup(url):
    spec = json.load(sys.stdin)
    calls = 0
    s3 = client("s3", url)
    for bucket in spec["buckets"]:
        s3.create_bucket(Bucket=bucket)
        calls += 1
    key_arn = client("kms", url).create_key(Description="platform key (policy-in-the-loop)")["KeyMetadata"]["Arn"]
    calls += 1
    iam = client("iam", url)
    users = {}
    admin_policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    # The policy was resolved before the key existed: its placeholder becomes the created key's ARN.
    policy_text = json.dumps(spec["policy"]).replace(spec.get("keyArnPlaceholder", "\0"), key_arn)
    for user, policy in (("handler", json.loads(policy_text)), ("admin", admin_policy)):
        iam.create_user(UserName=user)
        iam.put_user_policy(UserName=user, PolicyName="granted", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=user)["AccessKey"]
        users[user] = {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}
        calls += 3
    json.dump({"keyArn": key_arn, "handler": users["handler"], "admin": users["admin"], "calls": calls}, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] != "setup":
        raise SystemExit(f"unknown command {sys.argv[1]}")
    setup(sys.argv[2])
