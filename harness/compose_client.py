"""The suite's HTTP client for a compose stack, run inside the suite's Docker network namespace.

harness/compose.py runs it as `nsenter --net=... python -m harness.compose_client PORT JOB`, JOB
being JSON: {"requests": [...]} sends each request once, in turn; {"repeat": request, "seconds":
s} sends one request again and again for s seconds, as a client would, on a kept-alive connection
to 127.0.0.1:PORT. It prints the answers as a JSON list (status null when no answer came).
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from typing import Any

# How long a client waits for an answer before it gives up on it.
PATIENCE = 15.0


def send(connection: http.client.HTTPConnection, request: dict[str, Any]) -> dict[str, Any]:
    try:
        connection.request(
            request["method"], request["path"], body=request.get("body"), headers=request.get("headers") or {}
        )
        response = connection.getresponse()
        body = response.read().decode()
    except (OSError, http.client.HTTPException) as error:
        # The next request opens a new connection.
        connection.close()
        return {"status": None, "headers": {}, "body": "", "error": repr(error)}
    headers = {name.lower(): value for name, value in response.getheaders()}
    return {"status": response.status, "headers": headers, "body": body}


def main(port: int, job: dict[str, Any]) -> list[dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
    if "requests" in job:
        return [send(connection, request) for request in job["requests"]]
    answers = []
    deadline = time.monotonic() + job["seconds"]
    while time.monotonic() < deadline:
        answers.append(send(connection, job["repeat"]))
    return answers


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), json.loads(sys.argv[2]))))
