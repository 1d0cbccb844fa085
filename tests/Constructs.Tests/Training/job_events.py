#!/usr/bin/env python3
"""Runs EventBridge rules through moto's EventBridge and reports which events reach each rule's SQS target.

    python3 job_events.py MOTO_URL CASES.json

CASES.json: {"rules": {NAME: {"pattern": {...}, "inputTransformer": {...} or null}}, "events": [EVENT, ...]}
where an EVENT is an EventBridge event as AWS documents it ({"source", "detail-type", "resources", "detail", ...}).

Every rule is created on the default bus with its exact pattern and two SQS targets: one that gets the event as it
is, and, when the rule has an input transformer, one that gets what the transformer makes of it. Every event is put
with PutEvents; then both queues of every rule are drained.

Prints one JSON object {NAME: {"events": [event, ...], "messages": [transformed body, ...]}}.
"""
import json
import sys
import uuid

import boto3

REGION = "us-east-1"


def client(service, url):
    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


def drain(sqs, queue_url):
    bodies = []
    while True:
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not batch:
            return bodies
        for message in batch:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def queue(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def main(url, cases_file):
    with open(cases_file, encoding="utf-8") as f:
        cases = json.load(f)
    events, sqs = client("events", url), client("sqs", url)
    run = uuid.uuid4().hex[:8]
    queues = {}
    for name, rule in cases["rules"].items():
        rule_name = f"{name}-{run}"
        events.put_rule(Name=rule_name, EventPattern=json.dumps(rule["pattern"]), State="ENABLED")
        raw_url, raw_arn = queue(sqs, f"{rule_name}-events")
        targets = [{"Id": "events", "Arn": raw_arn}]
        message_url = None
        if rule.get("inputTransformer"):
            message_url, message_arn = queue(sqs, f"{rule_name}-messages")
            targets.append({"Id": "messages", "Arn": message_arn, "InputTransformer": rule["inputTransformer"]})
        failed = events.put_targets(Rule=rule_name, Targets=targets).get("FailedEntryCount", 0)
        if failed:
            raise SystemExit(f"moto refused the targets of {name}")
        queues[name] = (raw_url, message_url)

    entries = [{
        "Source": e["source"],
        "DetailType": e["detail-type"],
        "Resources": e.get("resources", []),
        "Detail": json.dumps(e["detail"]),
    } for e in cases["events"]]
    for start in range(0, len(entries), 10):
        answer = events.put_events(Entries=entries[start:start + 10])
        if answer.get("FailedEntryCount"):
            raise SystemExit(f"moto refused events: {answer['Entries']}")

    report = {}
    for name, (raw_url, message_url) in queues.items():
        report[name] = {
            "events": [json.loads(body) for body in drain(sqs, raw_url)],
            # The transformer's output of a text template is a JSON string; the queue holds it encoded once more.
            "messages": [json.loads(body) for body in drain(sqs, message_url)] if message_url else [],
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
