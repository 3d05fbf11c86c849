"""Statistics over JSON in Python: a `wasi:http` proxy component, packaged with its interpreter by
componentize-py (built from this directory: see ../README.md).

`POST` a JSON object `{"values": [number, ...]}` (1 to 100000 finite numbers) and get back
`200 application/json` with `count`, `sum`, `mean`, `median`, `min`, `max` and `stddev` (the
population standard deviation). A body that is not such an object is `400` with
`{"error": "..."}`; any other method is `405`. `js-hello/stats.js` answers the same way.
"""
import json
import math

from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports.streams import StreamError_Closed
from wit_world.imports.types import (
    Fields,
    IncomingBody,
    IncomingRequest,
    Method_Post,
    OutgoingBody,
    OutgoingResponse,
    ResponseOutparam,
)

MAX_VALUES = 100_000


class BadInput(Exception):
    """The request body is not a `{"values": [...]}` object this function accepts."""


def read_body(request: IncomingRequest) -> bytes:
    """The whole request body (the daemon bounds its size before the function runs)."""
    body = request.consume()
    stream = body.stream()
    data = bytearray()
    while True:
        try:
            data += stream.blocking_read(64 * 1024)
        except Err as e:
            if isinstance(e.value, StreamError_Closed):
                break
            raise
    stream.__exit__(None, None, None)
    IncomingBody.finish(body)
    return bytes(data)


def statistics(body: bytes) -> dict:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise BadInput(f"the body is not JSON: {e}")
    if not isinstance(document, dict) or not isinstance(document.get("values"), list):
        raise BadInput('expected an object {"values": [number, ...]}')
    values = document["values"]
    if not 1 <= len(values) <= MAX_VALUES:
        raise BadInput(f"expected 1 to {MAX_VALUES} values, got {len(values)}")
    for value in values:
        # bool is an int in Python; JSON's true/false are not numbers.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadInput(f"not a number: {json.dumps(value)}")
    numbers = [float(value) for value in values]
    if not all(math.isfinite(x) for x in numbers):
        raise BadInput("the values must be finite")
    count = len(numbers)
    total = 0.0
    for x in numbers:
        total += x
    mean = total / count
    ordered = sorted(numbers)
    middle = count // 2
    median = ordered[middle] if count % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    squares = 0.0
    for x in numbers:
        squares += (x - mean) ** 2
    return {
        "count": count,
        "sum": total,
        "mean": mean,
        "median": median,
        "min": ordered[0],
        "max": ordered[-1],
        "stddev": math.sqrt(squares / count),
    }


def respond(response_out: ResponseOutparam, status: int, document: dict, headers=()) -> None:
    text = json.dumps(document).encode()
    fields = [("content-type", b"application/json"), *headers]
    response = OutgoingResponse(Fields.from_list(fields))
    response.set_status_code(status)
    body = response.body()
    ResponseOutparam.set(response_out, Ok(response))
    stream = body.write()
    stream.blocking_write_and_flush(text)
    stream.__exit__(None, None, None)
    OutgoingBody.finish(body, None)


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        if not isinstance(request.method(), Method_Post):
            respond(response_out, 405, {"error": "POST a JSON body"}, [("allow", b"POST")])
            return
        try:
            result = statistics(read_body(request))
        except BadInput as e:
            respond(response_out, 400, {"error": str(e)})
            return
        respond(response_out, 200, result)
