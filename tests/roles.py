"""Role-by-role access assertions for views (in the manner of RapidPro's CRUDLTestMixin).

    assert_roles(client_for, org, "/audit/", allowed=[Role.AUDITOR], refused=[Role.CASEWORKER])

Every role in ``allowed`` gets a non-refusal answer (2xx or a redirect that is not to sign-in);
every role in ``refused`` gets 403 or 404. Roles in neither list are not checked, so a test says
explicitly who may and who may not.
"""

from lindung.core.roles import Role


def _refused(response):
    return response.status_code in (403, 404)


def _allowed(response):
    if response.status_code in (200, 201, 204):
        return True
    return response.status_code == 302 and "/account/login/" not in response["Location"]


def assert_roles(client_for, org, url, *, allowed, refused, method="get", data=None):
    assert set(allowed).isdisjoint(refused)
    assert set(allowed) | set(refused), "say which roles are allowed and which refused"
    problems = []
    for role in allowed:
        response = getattr(client_for(org, role), method)(url, data or {})
        if not _allowed(response):
            problems.append(f"{role} should be allowed {method.upper()} {url}: got {response.status_code}")
    for role in refused:
        response = getattr(client_for(org, role), method)(url, data or {})
        if not _refused(response):
            problems.append(f"{role} should be refused {method.upper()} {url}: got {response.status_code}")
    assert not problems, "\n".join(problems)


ALL_ROLES = list(Role)


def others(*roles):
    """Every role but these."""
    return [r for r in Role if r not in roles]
