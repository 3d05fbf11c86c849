"""Hello in Python: a `wasi:http` proxy component, packaged with its interpreter by componentize-py.

Answers every request with `200 text/plain` and `Hello from DeFaaS in Python! path=<path and query>`.
"""
from componentize_py_types import Ok
from wit_world import exports
from wit_world.imports.types import (
    Fields,
    IncomingRequest,
    OutgoingBody,
    OutgoingResponse,
    ResponseOutparam,
)


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        path = request.path_with_query() or "/"
        text = f"Hello from DeFaaS in Python! path={path}\n".encode()
        response = OutgoingResponse(Fields.from_list([("content-type", b"text/plain")]))
        body = response.body()
        ResponseOutparam.set(response_out, Ok(response))
        stream = body.write()
        stream.blocking_write_and_flush(text)
        stream.__exit__(None, None, None)
        OutgoingBody.finish(body, None)
