"""moto helpers of the policy-in-the-loop test.

  setup URL        stdin: {"buckets": [...], "policy": {...}, "keyArnPlaceholder": "..."}  ->  stdout: {"keyArn", "handler": {id, secret}, "admin": {id, secret}, "calls"}
      Creates, while moto still lets calls through (INITIAL_NO_AUTH_ACTION_COUNT), the buckets, a KMS key, a user
      "handler" whose only policy is the given document, a user "admin" allowed everything (the test's own
      infrastructure: the stand-in for SageMaker writing results), and an access key for each. "calls" is how many
      authenticated actions that took: the count moto must be started with.
  evaluate URL ADMIN_ID ADMIN_SECRET USER ACTION RESOURCE...  ->  stdout: {"permitted": bool, "results": [...]}
      Reads USER's inline policy back from moto's IAM and evaluates ACTION on each RESOURCE with moto's own policy
      engine (moto.iam.access_control.IAMPolicy). moto's server authorizes SageMaker Runtime and KMS calls against
      the resource "*" only, so resource-scoped grants of those services are decided here, by the same engine, with
      the real ARN. Permitted only if every resource is permitted (SageMaker authorizes an invocation that targets
      an inference component on both the endpoint and the component).
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


def evaluate(url, admin_id, admin_secret, user, action, resources):
    from moto.iam.access_control import IAMPolicy, PermissionResult

    document = client("iam", url, admin_id, admin_secret).get_user_policy(UserName=user, PolicyName="granted")["PolicyDocument"]
    if not isinstance(document, str):
        document = json.dumps(document)
    results = [IAMPolicy(document).is_action_permitted(action, resource).name for resource in resources]
    json.dump({"permitted": all(r == PermissionResult.PERMITTED.name for r in results), "results": results}, sys.stdout)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        setup(sys.argv[2])
    elif command == "evaluate":
        evaluate(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7:])
    else:
        raise SystemExit(f"unknown command {command}")
