#!/usr/bin/env python3
"""Checks the SageMaker resources of synthesized CloudFormation templates against the real SageMaker API.

    python3 sagemaker_shapes.py validate TEMPLATE.json [OTHER_TEMPLATE.json ...]
    python3 sagemaker_shapes.py moto URL TEMPLATE.json [OTHER_TEMPLATE.json ...]

Every AWS::SageMaker::Model / EndpointConfig / Endpoint / InferenceComponent of the first template is mapped to
the request of CreateModel / CreateEndpointConfig / CreateEndpoint / CreateInferenceComponent. CloudFormation
tokens (Ref, Fn::GetAtt, Fn::Join, Fn::ImportValue resolved through the other templates' exports...) become
plausible literal values first.

validate: botocore's ParamValidator (the service model shipped with botocore) checks each request, plus the enum
and max constraints of the model that ParamValidator leaves out. moto: the requests are sent, in dependency
order, to a moto server's SageMaker API (moto has no inference components: those are checked by validate only).

Prints one JSON object {"checked": [...], "errors": [...]} and exits 1 when there are errors.
"""
import hashlib
import json
import sys

import botocore.session
from botocore.validate import ParamValidator

ACCOUNT, REGION, PARTITION = "111111111111", "us-east-1", "aws"

OPERATIONS = {
    "AWS::SageMaker::Model": ("CreateModel", "ModelName", set()),
    "AWS::SageMaker::EndpointConfig": ("CreateEndpointConfig", "EndpointConfigName", set()),
    "AWS::SageMaker::Endpoint": ("CreateEndpoint", "EndpointName",
                                 {"RetainAllVariantProperties", "ExcludeRetainedVariantProperties", "RetainDeploymentConfig"}),
    "AWS::SageMaker::InferenceComponent": ("CreateInferenceComponent", "InferenceComponentName", {"EndpointArn"}),
}
ORDER = ["AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Endpoint", "AWS::SageMaker::InferenceComponent"]


def name_for(logical_id, prefix=""):
    digest = hashlib.sha1(logical_id.encode()).hexdigest()
    return (prefix + logical_id.lower())[:50] + "-" + digest[:8]


class Resolver:
    def __init__(self, templates):
        self.template = templates[0]
        self.exports = {}
        for other in templates[1:]:
            for output in other.get("Outputs", {}).values():
                export = output.get("Export", {}).get("Name")
                if isinstance(export, str):
                    self.exports[export] = (other, output["Value"])

    def resources(self, template=None):
        return (template or self.template).get("Resources", {})

    def ref(self, target, template):
        pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": PARTITION,
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "Test", "AWS::NoValue": None}
        if target in pseudo:
            return pseudo[target]
        resource = self.resources(template).get(target)
        if resource is None:
            return target.lower()
        kind, props = resource["Type"], resource.get("Properties", {})
        digest = hashlib.sha1(target.encode()).hexdigest()
        if kind == "AWS::EC2::Subnet":
            return "subnet-" + digest[:17]
        if kind == "AWS::EC2::SecurityGroup":
            return "sg-" + digest[:17]
        if kind == "AWS::EC2::VPC":
            return "vpc-" + digest[:17]
        if kind == "AWS::KMS::Key":
            return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        if kind == "AWS::SNS::Topic":
            return f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{name_for(target)}"
        if kind == "AWS::S3::Bucket":
            return self.resolve(props.get("BucketName"), template) or name_for(target)
        if kind == "AWS::SageMaker::Endpoint":
            return self.resolve(props.get("EndpointName"), template) or name_for(target)
        if kind == "AWS::CloudWatch::Alarm":
            return self.resolve(props.get("AlarmName"), template) or name_for(target)
        return name_for(target)

    def get_att(self, target, attribute, template):
        resource = self.resources(template).get(target, {})
        kind = resource.get("Type", "")
        plain = self.ref(target, template)
        if attribute == "Arn":
            service = {"AWS::IAM::Role": "iam", "AWS::KMS::Key": "kms", "AWS::S3::Bucket": "s3"}.get(kind)
            if service == "iam":
                return f"arn:{PARTITION}:iam::{ACCOUNT}:role/{name_for(target)}"
            if service == "kms":
                return f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT}:key/{plain}"
            if service == "s3":
                return f"arn:{PARTITION}:s3:::{plain}"
            return f"arn:{PARTITION}:{kind.split('::')[1].lower()}:{REGION}:{ACCOUNT}:{name_for(target)}"
        if attribute == "GroupId":
            return plain
        if attribute in ("ModelName", "EndpointConfigName", "EndpointName", "InferenceComponentName"):
            return plain
        return plain

    def resolve(self, node, template=None):
        template = template or self.template
        if isinstance(node, list):
            return [self.resolve(item, template) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, value), = node.items()
            if key == "Ref":
                return self.ref(value, template)
            if key == "Fn::GetAtt":
                target, attribute = value if isinstance(value, list) else value.split(".", 1)
                return self.get_att(target, attribute, template)
            if key == "Fn::Join":
                separator, parts = value
                return separator.join(str(self.resolve(p, template)) for p in self.resolve(parts, template))
            if key == "Fn::Select":
                index, items = value
                return self.resolve(items, template)[int(self.resolve(index, template))]
            if key == "Fn::GetAZs":
                return [REGION + "a", REGION + "b", REGION + "c"]
            if key == "Fn::Split":
                separator, text = value
                return str(self.resolve(text, template)).split(separator)
            if key == "Fn::ImportValue":
                export = self.resolve(value, template)
                if export in self.exports:
                    other, exported = self.exports[export]
                    return self.resolve(exported, other)
                return "imported-" + hashlib.sha1(str(export).encode()).hexdigest()[:12]
        return {k: self.resolve(v, template) for k, v in node.items() if self.resolve(v, template) is not None}


def requests(templates):
    resolver = Resolver(templates)
    out = []
    for kind in ORDER:
        for logical_id, resource in resolver.resources().items():
            if resource["Type"] != kind:
                continue
            operation, name_key, cfn_only = OPERATIONS[kind]
            params = resolver.resolve(resource.get("Properties", {}))
            for key in cfn_only:
                params.pop(key, None)
            if kind == "AWS::SageMaker::InferenceComponent":
                params.get("RuntimeConfig", {}).pop("DesiredCopyCount", None)
            params.setdefault(name_key, resolver.ref(logical_id, resolver.template) if kind == "AWS::SageMaker::Endpoint" else name_for(logical_id))
            out.append((logical_id, kind, operation, params))
    return out


def extra_constraints(shape, value, path, errors):
    """The model's enum and max constraints, which ParamValidator does not check."""
    if value is None:
        return
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, member in shape.members.items():
            if key in value:
                extra_constraints(member, value[key], f"{path}.{key}", errors)
    elif shape.type_name == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            extra_constraints(shape.member, item, f"{path}[{i}]", errors)
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            extra_constraints(shape.value, item, f"{path}.{key}", errors)
    elif shape.type_name == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            errors.append(f"{path}: '{value}' is not one of the values the API accepts ({', '.join(shape.enum[:8])}...)")
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            errors.append(f"{path}: '{value}' is longer than {shape.metadata['max']} characters")
    elif shape.type_name in ("integer", "long", "float", "double") and isinstance(value, (int, float)):
        if "max" in shape.metadata and value > shape.metadata["max"]:
            errors.append(f"{path}: {value} is above the maximum {shape.metadata['max']}")


def validate(templates):
    model = botocore.session.get_session().get_service_model("sagemaker")
    validator = ParamValidator()
    checked, errors = [], []
    for logical_id, kind, operation, params in requests(templates):
        shape = model.operation_model(operation).input_shape
        report = validator.validate(params, shape)
        problems = [report.generate_report()] if report.has_errors() else []
        extra_constraints(shape, params, operation, problems)
        checked.append({"resource": logical_id, "type": kind, "operation": operation})
        errors.extend({"resource": logical_id, "operation": operation, "error": p} for p in problems)
    return checked, errors


def moto(url, templates):
    import boto3
    client = boto3.client("sagemaker", region_name=REGION, endpoint_url=url,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    checked, errors = [], []
    calls = {"CreateModel": client.create_model, "CreateEndpointConfig": client.create_endpoint_config,
             "CreateEndpoint": client.create_endpoint}
    for logical_id, kind, operation, params in requests(templates):
        if operation not in calls:
            checked.append({"resource": logical_id, "type": kind, "operation": operation, "skipped": "moto has no inference components"})
            continue
        try:
            calls[operation](**params)
            checked.append({"resource": logical_id, "type": kind, "operation": operation})
        except Exception as e:  # noqa: BLE001 - every refusal is a finding
            errors.append({"resource": logical_id, "operation": operation, "error": str(e)})
    for logical_id, kind, operation, params in requests(templates):
        if operation == "CreateEndpoint" and not errors:
            described = client.describe_endpoint(EndpointName=params["EndpointName"])
            config = client.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
            checked.append({"resource": logical_id, "type": kind, "operation": "DescribeEndpoint",
                            "status": described["EndpointStatus"],
                            "instanceTypes": [v.get("InstanceType") for v in config["ProductionVariants"]]})
    return checked, errors


def main(argv):
    if len(argv) >= 2 and argv[0] == "validate":
        templates = [json.load(open(p)) for p in argv[1:]]
        checked, errors = validate(templates)
    elif len(argv) >= 3 and argv[0] == "moto":
        templates = [json.load(open(p)) for p in argv[2:]]
        checked, errors = moto(argv[1], templates)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps({"checked": checked, "errors": errors}, indent=1))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
