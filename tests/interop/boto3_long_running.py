"""A long-running boto3 program for the interop tests of `aws-login exec`.

One boto3 session calls STS GetCallerIdentity, writes what it saw to `$RUN_DIR/first.json`, waits
(polling, at most two minutes) until `$RUN_DIR/go` exists, while the test moves time past the first
credentials' expiry, then calls again with the same session, and also with the first credentials
frozen, which STS must now refuse. Writes `$RUN_DIR/second.json` and exits 0.

The session resolves credentials as any boto3 program does (environment, profile, container
endpoint); the STS endpoint comes from `AWS_ENDPOINT_URL_STS`.
"""

import json
import os
import sys
import time

import boto3
import botocore.exceptions

RUN_DIR = os.environ["RUN_DIR"]


def identity(session):
    return session.client("sts").get_caller_identity()["Arn"]


def main() -> int:
    session = boto3.Session()
    first_arn = identity(session)
    first = session.get_credentials().get_frozen_credentials()
    with open(os.path.join(RUN_DIR, "first.json"), "w") as f:
        json.dump({"Arn": first_arn, "AccessKeyId": first.access_key,
                   "method": session.get_credentials().method}, f)
    deadline = time.monotonic() + 120
    while not os.path.exists(os.path.join(RUN_DIR, "go")):
        if time.monotonic() > deadline:
            print("the test never said go", file=sys.stderr)
            return 1
        time.sleep(0.05)
    second_arn = identity(session)
    second = session.get_credentials().get_frozen_credentials()
    old = boto3.Session(
        aws_access_key_id=first.access_key,
        aws_secret_access_key=first.secret_key,
        aws_session_token=first.token,
    )
    try:
        identity(old)
        old_error = None
    except botocore.exceptions.ClientError as error:
        old_error = error.response["Error"]["Code"]
    with open(os.path.join(RUN_DIR, "second.json"), "w") as f:
        json.dump({"Arn": second_arn, "AccessKeyId": second.access_key, "oldError": old_error}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
