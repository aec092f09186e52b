"""Steps run inside one Lindung node (its own database and keys) by the two-node test.

    python tests/sharing/node_script.py        reads "STEP [ARG]" lines, answers one JSON line each

One long-lived console per node (beside its server process) saves a Django start-up per step.
The node is chosen by the environment (DATABASE_URL, LINDUNG_VAR_DIR, LINDUNG_MASTER_KEY). Peers
and agreements are set up with the ``lindung sharing`` management commands, as an administrator
would; incidents with the test factories (synthetic data).
"""

import io
import json
import os
import sys
from contextlib import redirect_stdout

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from lindung.core.actors import SYSTEM  # noqa: E402
from lindung.core.audit import verify_chain  # noqa: E402
from lindung.core.markings import TLP, Distribution  # noqa: E402
from lindung.core.models import Organisation  # noqa: E402
from lindung.core.services import object_share  # noqa: E402
from lindung.maritime.models import Incident  # noqa: E402
from lindung.sharing.models import ExchangeLog  # noqa: E402
from tests.sharing.factories import make_incident  # noqa: E402

ALPHA, BETA, GAMMA = "Alpha Fusion Centre (test)", "Beta Coordination Centre (test)", "Gamma Agency (test)"
SECRET_A_AT_B = "secret-node-a-uses-at-node-b-0001"  # node A signs in at node B with it, and vice versa
SECRET_B_AT_A = "secret-node-b-uses-at-node-a-0002"


def _organisations():
    for name, country in ((ALPHA, "MDG"), (BETA, "SYC"), (GAMMA, "KEN")):
        call_command(
            "sharing", "add-organisation", "--name", name, "--country", country, stdout=io.StringIO()
        )


def setup_a(peer_url):
    _organisations()
    call_command(
        "sharing",
        "add-peer",
        "--name",
        "node-b",
        "--organisation",
        ALPHA,
        "--api-root",
        peer_url,
        "--incoming-secret",
        SECRET_B_AT_A,
        "--outgoing-username",
        "node-a",
        "--outgoing-secret",
        SECRET_A_AT_B,
        "--partner",
        BETA,
        stdout=io.StringIO(),
    )
    # Node A lets out incident, position, vessel, persons and facilitators: not the route nor the source.
    call_command(
        "sharing",
        "add-agreement",
        "--reference",
        "wio-two-nodes",
        "--organisation",
        ALPHA,
        "--peer",
        "node-b",
        "--partner",
        BETA,
        "--purpose",
        "Two-node test",
        "--categories",
        "incident,position,vessel,persons,facilitators",
        "--tlp-ceiling",
        "amber+strict",
        stdout=io.StringIO(),
    )
    alpha, beta, gamma = (Organisation.objects.get(name=n) for n in (ALPHA, BETA, GAMMA))
    made = {
        "green": make_incident(alpha, tlp=TLP.GREEN, distribution=Distribution.CONNECTED),
        "red": make_incident(alpha, tlp=TLP.RED, distribution=Distribution.CONNECTED),
        "strict_beta": make_incident(alpha, tlp=TLP.AMBER_STRICT, distribution=Distribution.ORGANISATION),
        "strict_gamma": make_incident(alpha, tlp=TLP.AMBER_STRICT, distribution=Distribution.ORGANISATION),
        "community": make_incident(alpha, tlp=TLP.GREEN, distribution=Distribution.COMMUNITY),
    }
    object_share(acting_user=SYSTEM, obj=made["strict_beta"], purpose="named recipient", organisation=beta)
    object_share(acting_user=SYSTEM, obj=made["strict_gamma"], purpose="named recipient", organisation=gamma)
    return {key: incident.stix_id for key, incident in made.items()}


def setup_b(peer_url):
    _organisations()
    call_command(
        "sharing",
        "add-peer",
        "--name",
        "node-a",
        "--organisation",
        BETA,
        "--api-root",
        peer_url,
        "--incoming-secret",
        SECRET_A_AT_B,
        "--outgoing-username",
        "node-b",
        "--outgoing-secret",
        SECRET_B_AT_A,
        "--partner",
        ALPHA,
        stdout=io.StringIO(),
    )
    # Node B would accept everything (all categories): what arrives is limited by node A's agreement.
    call_command(
        "sharing",
        "add-agreement",
        "--reference",
        "wio-two-nodes",
        "--organisation",
        BETA,
        "--peer",
        "node-a",
        "--partner",
        ALPHA,
        "--purpose",
        "Two-node test",
        "--categories",
        "incident,position,route,vessel,persons,facilitators,source",
        "--tlp-ceiling",
        "amber+strict",
        stdout=io.StringIO(),
    )
    return {"ok": True}


def sync_and_report(_arg=None):
    out = io.StringIO()
    try:
        call_command("sharing", "sync", "--peer", "node-a", stdout=out)
        exit_code = 0
    except SystemExit as exc:
        exit_code = exc.code
    received = io.StringIO()
    call_command("sharing", "received", "--json", stdout=received)
    return {"exit": exit_code, "output": out.getvalue(), "received": json.loads(received.getvalue())}


def update(stix_id):
    incident = Incident.objects.get(uuid=stix_id.split("--", 1)[1])
    incident.dead, incident.survivors, incident.version = 3, 35, incident.version + 1
    incident.modified_at = timezone.now()
    incident.save()
    return {"version": incident.version}


def revoke_and_add(_arg=None):
    call_command("sharing", "revoke-agreement", "wio-two-nodes", stdout=io.StringIO())
    alpha = Organisation.objects.get(name=ALPHA)
    return {
        "after_revocation": make_incident(alpha, tlp=TLP.GREEN, distribution=Distribution.CONNECTED).stix_id
    }


def logs(_arg=None):
    rows = ExchangeLog.objects.values_list("direction", "operation", "outcome")
    chain = verify_chain()
    return {"log": [list(r) for r in rows], "audit_chain_ok": chain.ok, "audit_entries": chain.checked}


STEPS = {f.__name__: f for f in (setup_a, setup_b, sync_and_report, update, revoke_and_add, logs)}

if __name__ == "__main__":
    for line in sys.stdin:
        step, _, arg = line.strip().partition(" ")
        try:
            with redirect_stdout(io.StringIO()):
                result = STEPS[step](arg or None)
        except Exception as exc:  # reported to the test, which fails with it
            result = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(result), flush=True)
