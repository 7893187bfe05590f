"""`deno task bench`: N boto3 STS GetCallerIdentity calls in one Python process.

Credentials come from wherever the environment points boto3 (static keys, a credential_process
profile, or a container credential endpoint); the STS endpoint from AWS_ENDPOINT_URL_STS. Prints
one JSON object: {"calls": N, "total_ms": ..., "method": <how botocore found the credentials>}.
The client is created before the clock starts, so that only the calls are timed.
"""

import json
import sys
import time

import boto3


def main() -> int:
    calls = int(sys.argv[1])
    session = boto3.Session()
    sts = session.client("sts")
    start = time.perf_counter()
    for _ in range(calls):
        sts.get_caller_identity()
    total = (time.perf_counter() - start) * 1000
    print(json.dumps({"calls": calls, "total_ms": total, "method": session.get_credentials().method}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
