"""A stand-in for an ASP.NET receiver that verifies JsonSerializer.Serialize(JsonNode.Parse(body)):
no .NET runtime is installed here, so this receiver re-serialises the body the way
System.Text.Json's default encoder writes it (numbers as written, key order kept, printable ASCII
except " ' & + < > ` kept, everything else as upper-case \\uXXXX), written from its documentation.
Usage: python3 dotnet_style_receiver.py SECRET  (prints its port)"""
import hashlib
import hmac
import json
import sys
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = sys.argv[1].encode()
HEX_ESCAPED = set("\"'&+<>`")
SHORT = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def text(s):
    out = []
    for unit in utf16_units(s):
        ch = chr(unit) if unit < 0xD800 or unit > 0xDFFF else None
        if ch is not None and ch in SHORT:
            out.append(SHORT[ch])
        elif ch is not None and 0x20 <= unit <= 0x7E and ch not in HEX_ESCAPED:
            out.append(ch)
        else:
            out.append("\\u%04X" % unit)
    return '"' + "".join(out) + '"'


def utf16_units(s):
    data = s.encode("utf-16-le")
    return [data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2)]


def serialise(value):
    if isinstance(value, dict):
        return "{" + ",".join(text(k) + ":" + serialise(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(serialise(v) for v in value) + "]"
    if isinstance(value, str):
        return text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        node = json.loads(body, parse_float=Decimal)
        expected = "sha256=" + hmac.new(SECRET, serialise(node).encode(), hashlib.sha256).hexdigest()
        good = hmac.compare_digest(expected, self.headers.get("X-Webhook-Signature", ""))
        self.send_response(200 if good else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
print(server.server_address[1], flush=True)
server.serve_forever()
