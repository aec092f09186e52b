"""OpenRosa 1.0 for ODK Collect and KoboCollect: form list, form download, submissions.

Phones authenticate with HTTP Digest (RFC 2617, MD5, qop=auth), the scheme ODK Collect and
KoboCollect use, against a per-user phone secret stored as its HA1 (see ``OpenRosaCredential``).
Nonces are a timestamp signed with the site's secret key, valid for ``NONCE_SECONDS``; an expired
one is answered with ``stale=true`` so the phone retries without asking the user again. Each nonce's
highest accepted count (``nc``) is kept while it is valid (``DigestNonce``): a count must grow, so a
captured answer played again is refused (401, ``stale=true``, audited). Without ``qop`` (RFC 2069)
a nonce answers once.

Configure the phone with the server URL ``https://<host>/screening/openrosa``.
"""

import hashlib
import hmac
import re
import secrets
import time
from datetime import timedelta
from xml.sax.saxutils import escape

from defusedxml import ElementTree
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from lindung.core import policy
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.core.parsing import int_or_none
from lindung.core.roles import Capability

from . import instrument as ins
from . import selectors, services
from .services import OPENROSA_REALM

NONCE_SECONDS = 600
MAX_SUBMISSION_BYTES = 10 * 1024 * 1024
_PARAM = re.compile(r'(\w+)=(?:"([^"]*)"|([^\s,]*))')


def _md5(text: str) -> str:
    # Digest authentication is defined on MD5; see services.digest_ha1.
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _sign(stamp: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"openrosa-nonce:{stamp}".encode(), hashlib.sha256
    ).hexdigest()[:32]


def new_nonce(now: float | None = None) -> str:
    """A time stamp, a random part (two challenges in one second differ, so that each nonce's
    counts are its own phone's) and their signature."""
    stamp = f"{int(now if now is not None else time.time())}.{secrets.token_hex(8)}"
    return f"{stamp}.{_sign(stamp)}"


def _nonce_state(nonce: str) -> str:
    """ "ok", "stale" or "bad"."""
    stamp, _sep, signature = nonce.rpartition(".")
    issued = int_or_none(stamp.partition(".")[0], minimum=0)
    if issued is None or not hmac.compare_digest(signature, _sign(stamp)):
        return "bad"
    return "ok" if time.time() - issued <= NONCE_SECONDS else "stale"


def _xml_response(body: str, status: int, request=None, stale: bool = False) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    response["X-OpenRosa-Version"] = "1.0"
    response["X-OpenRosa-Accept-Content-Length"] = str(MAX_SUBMISSION_BYTES)
    if status == 401:
        stale_part = ', stale="true"' if stale else ""
        response["WWW-Authenticate"] = (
            f'Digest realm="{OPENROSA_REALM}", qop="auth", algorithm="MD5", nonce="{new_nonce()}", '
            f'opaque="{_md5(OPENROSA_REALM)}"{stale_part}'
        )
    return response


def _message(text: str, status: int, nature: str = "", **kwargs) -> HttpResponse:
    nature_attr = f' nature="{nature}"' if nature else ""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<OpenRosaResponse xmlns="http://openrosa.org/http/response"><message{nature_attr}>{escape(text)}</message>'
        "</OpenRosaResponse>"
    )
    return _xml_response(body, status, **kwargs)


def authenticate(request):
    """(user, None) when the Digest response is right, else (None, the 401 response to send)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Digest "):
        return None, _message(_("Sign in with your username and phone secret."), 401)
    params = {
        m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _PARAM.finditer(header[7:])
    }
    username, nonce = params.get("username", ""), params.get("nonce", "")
    if _locked_out(username):
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            detail={"channel": "openrosa", "username": username[:150], "locked_out": True},
        )
        return None, _message(_("Too many failed sign-ins: try again in an hour."), 403)
    state = _nonce_state(nonce)
    if state == "stale":
        return None, _message(_("Your sign-in expired; trying again."), 401, stale=True)
    credential = selectors.credential_for_username(username) if state == "ok" else None
    uri = params.get("uri", "")
    if credential is None or uri.split("?")[0] != request.path:
        return None, _refused(username)
    ha2 = _md5(f"{request.method}:{uri}")
    if params.get("qop") == "auth":
        expected = _md5(
            f"{credential.ha1}:{nonce}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}"
        )
    else:
        expected = _md5(f"{credential.ha1}:{nonce}:{ha2}")
    if not hmac.compare_digest(expected, params.get("response", "")):
        return None, _refused(username)
    count = _nonce_count(params)
    if count is None or not services.openrosa_nonce_count(
        nonce=nonce,
        issued=int(nonce.partition(".")[0]),
        count=count,
        valid_since=int(time.time()) - NONCE_SECONDS,
    ):
        # Only a right answer gets here, so the count of a nonce is spent by its owner's phone only.
        audit_record(
            action=AuditAction.DIGEST_REPLAY_REFUSED,
            detail={"channel": "openrosa", "username": username[:150]},
        )
        return None, _message(_("This sign-in answer was used before; trying again."), 401, stale=True)
    return credential.user, None


def _nonce_count(params) -> int | None:
    """The answer's nonce count (8 hex digits, from 1), or None when it has none that is valid."""
    if params.get("qop") != "auth":
        return 1
    nc = params.get("nc", "")
    count = int(nc, 16) if re.fullmatch(r"[0-9a-fA-F]{8}", nc) else 0
    return count or None


def _locked_out(username: str) -> bool:
    """As many refused phone sign-ins within the cool-off time as the web sign-in allows (see
    AXES_FAILURE_LIMIT): further answers are not even checked, so a secret cannot be guessed."""
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    return selectors.openrosa_failures_since(username, since) >= settings.AXES_FAILURE_LIMIT


def _refused(username):
    audit_record(action=AuditAction.LOGIN_FAILED, detail={"channel": "openrosa", "username": username[:150]})
    return _message(_("Username or phone secret not recognised."), 401)


def _screener(request):
    user, refusal = authenticate(request)
    if refusal is not None:
        return None, refusal
    if not policy.has_capability(user, Capability.MANAGE_SCREENING):
        return None, _message(_("Your roles do not allow screening."), 403)
    return user, None


def form_list(request):
    user, refusal = _screener(request)
    if refusal is not None:
        return refusal
    items = []
    for version in selectors.published_versions(user):
        xform = ins.to_xform(version.definition)
        url = request.build_absolute_uri(
            reverse("screening:openrosa_form", kwargs={"form_id": version.instrument.form_id})
        )
        items.append(
            "<xform>"
            f"<formID>{escape(version.instrument.form_id)}</formID>"
            f"<name>{escape(version.title)}</name>"
            f"<version>{escape(version.version)}</version>"
            f"<hash>md5:{_md5(xform)}</hash>"
            f"<downloadUrl>{escape(url)}</downloadUrl>"
            "</xform>"
        )
    body = '<?xml version="1.0" encoding="UTF-8"?><xforms xmlns="http://openrosa.org/xforms/xformsList">'
    return _xml_response(body + "".join(items) + "</xforms>", 200)


def form_download(request, form_id):
    user, refusal = _screener(request)
    if refusal is not None:
        return refusal
    version = selectors.published_versions(user).filter(instrument__form_id=form_id).first()
    if version is None:
        return _message(_("Unknown form %(id)s.") % {"id": form_id}, 404)
    return _xml_response(ins.to_xform(version.definition), 200)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_submission(xml: bytes) -> tuple[str, str, str, dict]:
    """(form id, version, instance id, answers) from an XForm instance; raises ValueError."""
    try:
        root = ElementTree.fromstring(xml)
    except Exception as exc:  # noqa: BLE001 - defusedxml and expat raise several types for bad XML
        raise ValueError(_("The submission is not well-formed XML.")) from exc
    form_id, version = root.get("id", ""), root.get("version", "")
    instance_id, answers = "", {}
    for child in root:
        name = _local(child.tag)
        if name == "meta":
            for meta in child:
                if _local(meta.tag) == "instanceID":
                    instance_id = (meta.text or "").strip()
            continue
        leaves = list(child) or [child]
        for leaf in leaves:
            text = (leaf.text or "").strip()
            if text:
                answers[_local(leaf.tag)] = text
    if not form_id or not instance_id:
        raise ValueError(_("The submission has no form id or no meta/instanceID."))
    if len(instance_id) > 100:
        raise ValueError(_("The instance id is longer than 100 characters."))
    return form_id, version, instance_id, answers


@csrf_exempt
def submission(request):
    user, refusal = _screener(request)
    if refusal is not None:
        return refusal
    if request.method == "HEAD":
        return _xml_response("", 204)
    if request.method != "POST":
        return _message(_("Send submissions with POST."), 405)
    length = int_or_none(request.META.get("CONTENT_LENGTH") or "0", minimum=0)
    if length is None:
        return _message(_("The Content-Length header is not a whole number."), 400)
    if length > MAX_SUBMISSION_BYTES:
        return _message(_("The submission is larger than 10 MB."), 413)
    upload = request.FILES.get("xml_submission_file")
    if upload is None:
        return _message(_("The submission has no xml_submission_file part."), 400)
    try:
        form_id, version, instance_id, answers = parse_submission(upload.read())
    except ValueError as exc:
        return _message(str(exc), 400)
    try:
        interview, created = services.interview_receive(
            acting_user=user, form_id=form_id, version=version, answers=answers, instance_id=instance_id
        )
    except services.SubmissionError as exc:
        return _message(str(exc), exc.status)
    if not created:
        return _message(
            _("This submission was received before (%(ref)s).") % {"ref": interview.reference},
            202,
            nature="submit_success",
        )
    return _message(
        _("Screening received: %(ref)s.") % {"ref": interview.reference}, 201, nature="submit_success"
    )
