"""A real boto3 STS client for the emulator's AssumeRole test.

Signs with the credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
calls sts.assume_role against the endpoint in argv[1] (region argv[2]) with the JSON parameters
in argv[3], then get_caller_identity with the credentials it returned.

Prints one JSON object on stdout and exits 0:
    {"assumed": {"Arn", "AssumedRoleId", "AccessKeyId", "Expiration"},
     "identity": {"Arn", "UserId", "Account"}}
When STS answers an error: {"error": <code>, "message": <message>, "status": <HTTP status>}, exit 1.
"""

import json
import os
import sys

import boto3
import botocore.exceptions


def main() -> int:
    endpoint, region, parameters = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    session = boto3.Session(
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=os.environ["AWS_SESSION_TOKEN"],
        region_name=region,
    )
    try:
        answer = session.client("sts", endpoint_url=endpoint).assume_role(**parameters)
        credentials = answer["Credentials"]
        role = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=region,
        )
        identity = role.client("sts", endpoint_url=endpoint).get_caller_identity()
    except botocore.exceptions.ClientError as error:
        details = error.response.get("Error", {})
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        print(json.dumps({"error": details.get("Code"), "message": details.get("Message"), "status": status}))
        return 1
    print(
        json.dumps(
            {
                "assumed": {
                    "Arn": answer["AssumedRoleUser"]["Arn"],
                    "AssumedRoleId": answer["AssumedRoleUser"]["AssumedRoleId"],
                    "AccessKeyId": credentials["AccessKeyId"],
                    # botocore parses Expiration into a tz-aware datetime.
                    "Expiration": credentials["Expiration"].isoformat(),
                },
                "identity": {
                    "Arn": identity["Arn"],
                    "UserId": identity["UserId"],
                    "Account": identity["Account"],
                },
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
