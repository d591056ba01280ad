"""Django: verify the signature over request.body (the raw bytes) in a view exempt from CSRF.
This file is a whole project in one module; in yours, the view goes in views.py and the path in
urls.py. Never verify json.dumps(json.loads(request.body)): its bytes differ.

    pip install django
    WEBHOOK_SECRET=s3cret PORT=3000 python3 django_app.py
"""
import hashlib
import hmac
import json
import os
import sys

from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    SECRET_KEY=os.urandom(32).hex(),
    MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
)

from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

SECRET = os.environ["WEBHOOK_SECRET"].encode("utf-8")


def valid_signature(body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


@csrf_exempt
@require_POST
def webhook(request):
    body = request.body
    if not valid_signature(body, request.headers.get("X-Webhook-Signature", "")):
        return HttpResponse(status=401)
    try:
        event = json.loads(body)
    except ValueError:
        return HttpResponse(status=400)
    # Answer first; do the work afterwards (a queue), deduplicating on X-Webhook-Delivery.
    print(request.headers.get("X-Webhook-Delivery"), event.get("event"), file=sys.stderr)
    return HttpResponse(status=200)


urlpatterns = [path("webhook", webhook)]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    port = os.environ.get("PORT", "3000")
    execute_from_command_line([sys.argv[0], "runserver", f"127.0.0.1:{port}", "--noreload"])
