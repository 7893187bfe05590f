"""A real boto3 client for the interop tests.

Resolves credentials the way any boto3 program does (profile from AWS_PROFILE, config from
AWS_CONFIG_FILE, STS endpoint from AWS_ENDPOINT_URL_STS) and calls STS GetCallerIdentity.

Prints one JSON object on stdout and exits 0:
    {"Arn": ..., "AccessKeyId": ..., "method": ...}
where "method" is how botocore found the credentials ("custom-process" for credential_process).
When botocore fails, prints {"error": <exception class>, "message": <str(exception)>} and exits 1.
"""

import json
import sys

import boto3
import botocore.exceptions


def main() -> int:
    session = boto3.Session()
    try:
        credentials = session.get_credentials()
        if credentials is None:
            raise botocore.exceptions.NoCredentialsError()
        identity = session.client("sts").get_caller_identity()
        frozen = credentials.get_frozen_credentials()
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        print(json.dumps({"error": type(error).__name__, "message": str(error)}))
        return 1
    print(
        json.dumps(
            {
                "Arn": identity["Arn"],
                "AccessKeyId": frozen.access_key,
                "method": credentials.method,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
