"""A Django webhook receiver in one file (settings, a URLconf and two views, served by Django's
WSGI application): /webhook verifies request.body, the right way; /webhook-reserialised verifies
json.dumps(json.loads(request.body)). Usage: python3 django_receiver.py SECRET  (prints its port)"""
import hashlib
import hmac
import json
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from socketserver import ThreadingMixIn

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="django-receiver-fixture",
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    MIDDLEWARE=[],
    WEBHOOK_SECRET=sys.argv[1],
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402


def signature_matches(request, payload: bytes) -> bool:
    expected = "sha256=" + hmac.new(settings.WEBHOOK_SECRET.encode(), payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("X-Webhook-Signature", ""))


@csrf_exempt
@require_POST
def webhook(request):
    if not signature_matches(request, request.body):
        return HttpResponseForbidden("invalid signature")
    event = json.loads(request.body)
    return JsonResponse({"received": event["event"]})


@csrf_exempt
@require_POST
def webhook_reserialised(request):
    event = json.loads(request.body)
    if not signature_matches(request, json.dumps(event).encode()):
        return HttpResponseForbidden("invalid signature")
    return HttpResponse(status=204)


urlpatterns = [
    path("webhook", webhook),
    path("webhook-reserialised", webhook_reserialised),
]


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = make_server("127.0.0.1", 0, get_wsgi_application(), ThreadingWSGIServer, QuietHandler)
    print(server.server_port, flush=True)
    server.serve_forever()
