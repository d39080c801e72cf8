"""Who may do what, endpoint by endpoint: the table `test_authz_matrix` (and its `_sockets`
part) checks the app against.

Every URL pattern of our own apps (namespaces `workshops` and `ai`, the `accounts` patterns we
include ourselves, the health checks) has a row here, keyed by its URL name; a pattern without
a row fails the matrix, so a new endpoint cannot ship without someone deciding who may use it.
Third-party trees are covered by rules instead (see `ADMIN_RULE` and `ALLAUTH_RULE`).

Each row gives, for GET and for POST, the outcome for each of the eight actors, in the order
of `ACTORS`. The outcomes follow `workshops/access.py` and README "Who may do what": outsiders
get 404 (they must not learn a workshop or team exists), people who may look but not change get
403, anonymous visitors are sent to sign in (the decorator runs before the method check, so an
anonymous GET of a POST-only view is a login redirect, not a 405).

Staff (operators: is_staff + is_superuser) are deliberately *not* workshop participants: they
work from /admin/. In the app they are outsiders like anyone else (404 on every workshop, team
and task) with two exceptions that follow from `is_superuser`: they may create a workshop (the
permission check is `has_perm("workshops.add_workshop")`), and, like any signed-in person, join
a workshop or a team when they hold its code or invitation link.
"""

from dataclasses import dataclass, field

ACTORS = (
    "anonymous",
    "other_workshop_participant",  # leads a team in a different workshop
    "other_team_member",  # a member of the other team in this workshop
    "member",
    "lead",
    "other_workshop_instructor",  # runs a different workshop
    "instructor",  # runs this workshop
    "staff",  # operator: is_staff + is_superuser, in no workshop
)
METHODS = ("GET", "POST")

# Outcome classes.
OK = "ok"  # 2xx
LOGIN = "redirect_login"  # 302 to settings.LOGIN_URL?next=<the requested path>
ADMIN_LOGIN = "redirect_admin_login"  # 302 to the admin's own login page
REDIRECT = "redirect"  # any other 3xx
FORBIDDEN = "forbidden"  # 403
NOT_FOUND = "not_found"  # 404
NOT_ALLOWED = "not_allowed"  # 405
UNAUTHORIZED = "unauthorized"  # 401 (allauth's SSO error page)

NA = NOT_ALLOWED
NF = NOT_FOUND
NO = FORBIDDEN
RE = REDIRECT


def row(*outcomes: str) -> dict[str, str]:
    """One outcome per actor, in the order of ACTORS."""
    if len(outcomes) != len(ACTORS):
        raise ValueError(f"a row needs {len(ACTORS)} outcomes, got {len(outcomes)}")
    return dict(zip(ACTORS, outcomes, strict=True))


def everyone(outcome: str) -> dict[str, str]:
    return row(*[outcome] * len(ACTORS))


def signed_in(outcome: str) -> dict[str, str]:
    """A login redirect for the anonymous visitor, `outcome` for everyone signed in."""
    return row(LOGIN, *[outcome] * (len(ACTORS) - 1))


@dataclass(frozen=True)
class Endpoint:
    """`target`: which object of *this* workshop fills the URL's arguments (`pk`, `code`,
    `token`); `formats`: the values tried for a `<fmt:...>` argument, each its own path;
    `reveals`: markers of this workshop that the page may show to anyone who holds the link
    (a join code, an invitation); `grants`: the marker groups a successful POST lets the actor
    see from then on (joining makes them a participant); `outside_transaction`: the view hops
    threads (`database_sync_to_async`) and must run on committed data, so it is checked apart."""

    target: str | None
    GET: dict[str, str]
    POST: dict[str, str]
    formats: tuple[str, ...] = ()
    reveals: frozenset[str] = field(default_factory=frozenset)
    grants: frozenset[str] = field(default_factory=frozenset)
    outside_transaction: bool = False


#                 anonymous  other_ws  other_team  member  lead  other_instr  instructor  staff
# Reading a team (its page, cards, report, exports, AI progress and history): the team's own
# people and the workshop's instructors; everyone else in the workshop is an outsider too.
TEAM_READ = row(LOGIN, NF, NF, OK, OK, NF, OK, NF)
# Changing a team's tasks: its lead and members; the instructor only looks.
TEAM_WRITE_PAGE = row(LOGIN, NF, NF, OK, OK, NF, NO, NF)
TEAM_WRITE_DONE = row(LOGIN, NF, NF, RE, RE, NF, NO, NF)
# Managing the team itself (name, invitations, imports): its lead only.
TEAM_MANAGE_PAGE = row(LOGIN, NF, NF, NO, OK, NF, NO, NF)
TEAM_MANAGE_DONE = row(LOGIN, NF, NF, NO, RE, NF, NO, NF)
# The workshop itself: its instructor; its participants may not (403), outsiders see nothing.
WORKSHOP_PAGE = row(LOGIN, NF, NO, NO, NO, NF, OK, NF)
WORKSHOP_DONE = row(LOGIN, NF, NO, NO, NO, NF, RE, NF)
POST_ONLY = signed_in(NA)
GET_ONLY = signed_in(NA)

WORKSHOP_MARKERS = frozenset({"workshop.title", "workshop.description"})

ENDPOINTS: dict[str, Endpoint] = {
    # --- workshops: home and joining ----------------------------------------------------------
    "workshops:home": Endpoint(None, GET=everyone(OK), POST=everyone(NA)),
    "workshops:join": Endpoint(None, GET=everyone(OK), POST=everyone(NA)),
    # Anyone who holds the code may join (as a new team's lead, or a member of a team named);
    # people already in the workshop are sent to their page. The world's workshop is a quick-
    # join one: someone not signed in joins on the spot (the e-mail mode's sign-in first is
    # checked in workshops/tests/test_join.py).
    "workshops:join_workshop": Endpoint(
        "join_code",
        GET=row(OK, OK, RE, RE, RE, OK, RE, OK),
        POST=row(RE, RE, RE, RE, RE, RE, RE, RE),
        # A quick-join workshop lists its team names to pick from: anyone with the code may
        # join any of them, so the names are no secret from them (README, "Joining").
        reveals=WORKSHOP_MARKERS | {"our_team.team", "other_team.team"},
        grants=frozenset({"workshop"}),
    ),
    # Anyone signed in who holds the link may join the team, unless already in the workshop
    # in another role or team (403 with the reason); the team's own people are sent to it.
    "workshops:accept_invitation": Endpoint(
        "invite_token",
        GET=row(LOGIN, OK, NO, RE, RE, OK, NO, OK),
        POST=row(LOGIN, RE, NO, RE, RE, RE, NO, RE),
        reveals=frozenset(
            {"workshop.title", "our_team.team", "our_team.lead", "our_team_lead.invitation"}
        ),
        grants=frozenset({"workshop", "our_team"}),
    ),
    # --- workshops: the instructor's pages ----------------------------------------------------
    # Creating a workshop takes the instructor group's permission (superusers have every one).
    "workshops:workshop_create": Endpoint(
        None,
        GET=row(LOGIN, NO, NO, NO, NO, OK, OK, OK),
        POST=row(LOGIN, NO, NO, NO, NO, RE, RE, RE),
    ),
    # A team's people following a workshop link are sent on to their team's page.
    "workshops:workshop_detail": Endpoint(
        "workshop", GET=row(LOGIN, NF, RE, RE, RE, NF, OK, NF), POST=GET_ONLY
    ),
    "workshops:workshop_edit": Endpoint("workshop", GET=WORKSHOP_PAGE, POST=WORKSHOP_DONE),
    "workshops:workshop_status": Endpoint("workshop", GET=POST_ONLY, POST=WORKSHOP_DONE),
    # The projector's join slide and the list of who is in: the workshop's instructor only.
    "workshops:join_slide": Endpoint("workshop", GET=WORKSHOP_PAGE, POST=GET_ONLY),
    "workshops:participants": Endpoint("workshop", GET=WORKSHOP_PAGE, POST=GET_ONLY),
    "workshops:participant_remove": Endpoint("participant", GET=POST_ONLY, POST=WORKSHOP_DONE),
    "workshops:workshop_summary": Endpoint("workshop", GET=WORKSHOP_PAGE, POST=GET_ONLY),
    "workshops:workshop_export": Endpoint(
        "workshop", GET=WORKSHOP_PAGE, POST=GET_ONLY, formats=("xlsx", "csv")
    ),
    # A large workshop's export: its "준비 중" page and, once built, the file.
    "workshops:workshop_export_status": Endpoint("export", GET=WORKSHOP_PAGE, POST=GET_ONLY),
    "workshops:workshop_export_download": Endpoint("export", GET=WORKSHOP_PAGE, POST=GET_ONLY),
    "workshops:workshop_uipath": Endpoint("workshop", GET=WORKSHOP_PAGE, POST=GET_ONLY),
    "workshops:workshop_plans": Endpoint("workshop", GET=WORKSHOP_PAGE, POST=GET_ONLY),
    # --- workshops: a team --------------------------------------------------------------------
    "workshops:team_detail": Endpoint("team", GET=TEAM_READ, POST=GET_ONLY),
    "workshops:team_edit": Endpoint("team", GET=TEAM_MANAGE_PAGE, POST=TEAM_MANAGE_DONE),
    "workshops:task_create": Endpoint("team", GET=POST_ONLY, POST=TEAM_WRITE_DONE),
    "workshops:invitation_create": Endpoint("team", GET=POST_ONLY, POST=TEAM_MANAGE_DONE),
    "workshops:invitation_revoke": Endpoint("invitation", GET=POST_ONLY, POST=TEAM_MANAGE_DONE),
    "workshops:team_report": Endpoint("team", GET=TEAM_READ, POST=GET_ONLY),
    "workshops:team_export": Endpoint(
        "team", GET=TEAM_READ, POST=GET_ONLY, formats=("xlsx", "csv")
    ),
    # The import preview answers the upload with the checked rows (200), not a redirect.
    "workshops:task_import": Endpoint("team", GET=TEAM_MANAGE_PAGE, POST=TEAM_MANAGE_PAGE),
    # With nothing waiting in the session the lead is sent back to the upload page.
    "workshops:task_import_confirm": Endpoint("team", GET=POST_ONLY, POST=TEAM_MANAGE_DONE),
    "workshops:task_import_template": Endpoint(
        "team", GET=TEAM_MANAGE_PAGE, POST=GET_ONLY, formats=("xlsx", "csv")
    ),
    # --- workshops: a task --------------------------------------------------------------------
    "workshops:task_detail": Endpoint("task", GET=TEAM_READ, POST=GET_ONLY),
    "workshops:task_edit": Endpoint("task", GET=TEAM_WRITE_PAGE, POST=TEAM_WRITE_DONE),
    "workshops:task_delete": Endpoint("task", GET=TEAM_WRITE_PAGE, POST=TEAM_WRITE_DONE),
    "workshops:help": Endpoint(None, GET=everyone(OK), POST=everyone(NA)),
    # Priorities: the team's people and its instructors see the tally; its people vote; the
    # lead picks and writes the plans.
    "workshops:team_priorities": Endpoint("team", GET=TEAM_READ, POST=GET_ONLY),
    # 도움 요청: the team's people raise and lower it, the instructor clears it from the board.
    "workshops:help_request": Endpoint(
        "team", GET=POST_ONLY, POST=row(LOGIN, NF, NF, RE, RE, NF, RE, NF)
    ),
    # The 진행 panel (phase, timer, notice, targets, spotlight): the instructor's.
    "workshops:facilitate": Endpoint("workshop", GET=POST_ONLY, POST=WORKSHOP_DONE),
    "workshops:vote": Endpoint("task", GET=POST_ONLY, POST=TEAM_WRITE_DONE),
    "workshops:pick": Endpoint("task", GET=POST_ONLY, POST=TEAM_MANAGE_DONE),
    "workshops:unpick": Endpoint("pick", GET=POST_ONLY, POST=TEAM_MANAGE_DONE),
    "workshops:plan": Endpoint("pick", GET=TEAM_MANAGE_PAGE, POST=TEAM_MANAGE_DONE),
    # The follow-up link a team's lead gets by mail after the course: the token is the whole
    # credential (no sign-in, whoever holds it), for that team's plans alone, open or closed.
    "workshops:follow_up": Endpoint(
        "follow_up_token",
        GET=everyone(OK),
        POST=everyone(RE),
        reveals=frozenset({"workshop.title", "our_team.team", "our_team.task_title"}),
    ),
    # Common work across teams: the instructor's corrections of the groups (also once the
    # workshop is closed: they change no team's tasks, only how the results are read) and the
    # groups as CSV. A split is addressed by its task; the task's team may not (403).
    "workshops:common_work_merge": Endpoint("workshop", GET=POST_ONLY, POST=WORKSHOP_DONE),
    "workshops:common_work_split": Endpoint("task", GET=POST_ONLY, POST=WORKSHOP_DONE),
    "workshops:common_work_reset": Endpoint("workshop", GET=POST_ONLY, POST=WORKSHOP_DONE),
    "workshops:common_work_csv": Endpoint("workshop", GET=WORKSHOP_PAGE, POST=GET_ONLY),
    # The privacy policy (처리방침): public, like the help page.
    "privacy": Endpoint(None, GET=everyone(OK), POST=everyone(NA)),
    # --- ai -----------------------------------------------------------------------------------
    "ai:request": Endpoint("team", GET=POST_ONLY, POST=TEAM_WRITE_DONE),
    "ai:progress": Endpoint("team", GET=TEAM_READ, POST=GET_ONLY),
    "ai:retry": Endpoint("run", GET=POST_ONLY, POST=TEAM_WRITE_DONE),
    "ai:deep": Endpoint("task", GET=POST_ONLY, POST=TEAM_WRITE_DONE),
    "ai:answer": Endpoint("task", GET=POST_ONLY, POST=TEAM_WRITE_DONE),
    "ai:factor": Endpoint("task", GET=POST_ONLY, POST=TEAM_WRITE_DONE),
    "ai:override": Endpoint("task", GET=TEAM_WRITE_PAGE, POST=TEAM_WRITE_DONE),
    "ai:history": Endpoint("task", GET=TEAM_READ, POST=GET_ONLY),
    "ai:economy": Endpoint("workshop", GET=POST_ONLY, POST=WORKSHOP_DONE),
    # --- accounts (ours) ----------------------------------------------------------------------
    # The password login's address leads everyone to the e-mail code form (RedirectView answers
    # every method the same way).
    "login": Endpoint(None, GET=everyone(RE), POST=everyone(RE)),
    "profile": Endpoint(None, GET=signed_in(OK), POST=signed_in(RE)),
    # 다른 기기에서도 쓰기: anyone signed in, for their own account.
    "other_device": Endpoint(None, GET=signed_in(OK), POST=signed_in(OK)),
    # Personal links: the token is the credential; a bad one is refused (403) for everyone.
    "reentry": Endpoint("link_token", GET=everyone(NO), POST=everyone(NO)),
    "email_confirm": Endpoint("link_token", GET=everyone(OK), POST=everyone(NO)),
    # --- health -------------------------------------------------------------------------------
    # The platform's checks: public, and they answer any method.
    "health_live": Endpoint(None, GET=everyone(OK), POST=everyone(OK)),
    "health_deploy": Endpoint(None, GET=everyone(OK), POST=everyone(OK)),
    "health_ready": Endpoint(None, GET=everyone(OK), POST=everyone(OK), outside_transaction=True),
}

# --- The same workshop once it is closed ---------------------------------------------------------
# README: "anyone once a workshop is closed gets 403". Reading (pages, reports, exports) goes on;
# every change to the workshop's teams and tasks is refused, joining too. Rows not listed here
# are the same as for the open workshop.
CLOSED_TEAM_CHANGE = row(LOGIN, NF, NF, NO, NO, NF, NO, NF)
CLOSED_CHANGES: dict[str, dict[str, dict[str, str]]] = {
    # People already in the workshop are still sent to their page; nobody new gets in.
    "workshops:join_workshop": {
        "GET": row(NO, NO, RE, RE, RE, NO, RE, NO),
        "POST": row(NO, NO, RE, RE, RE, NO, RE, NO),
    },
    "workshops:accept_invitation": {
        "GET": row(LOGIN, NO, NO, RE, RE, NO, NO, NO),
        "POST": row(LOGIN, NO, NO, RE, RE, NO, NO, NO),
    },
    # The form still shows (read-only use), saving is refused.
    "workshops:workshop_edit": {"POST": row(LOGIN, NF, NO, NO, NO, NF, NO, NF)},
    "ai:economy": {"POST": row(LOGIN, NF, NO, NO, NO, NF, NO, NF)},
    **{
        name: {"POST": CLOSED_TEAM_CHANGE}
        for name in (
            "workshops:task_create",
            "workshops:invitation_create",
            "workshops:invitation_revoke",
            "workshops:task_import_confirm",
            "ai:request",
            "ai:retry",
            "ai:deep",
            "ai:answer",
            "ai:factor",
            "workshops:vote",
            "workshops:pick",
            "workshops:unpick",
            "workshops:help_request",
        )
    },
    "workshops:facilitate": {"POST": row(LOGIN, NF, NO, NO, NO, NF, NO, NF)},
    # Pages that exist only to change something refuse on GET as well.
    **{
        name: {"GET": CLOSED_TEAM_CHANGE, "POST": CLOSED_TEAM_CHANGE}
        for name in (
            "workshops:team_edit",
            "workshops:task_edit",
            "workshops:task_delete",
            "workshops:task_import",
            "ai:override",
            "workshops:plan",
        )
    },
    # The import template is part of importing, which a closed workshop no longer allows.
    "workshops:task_import_template": {"GET": CLOSED_TEAM_CHANGE},
}


# --- Third-party trees, classified by prefix -----------------------------------------------------

ADMIN_RULE = """\
/admin/: every page is behind admin_view. Checked: the index, each app's index and, generated
from admin.site._registry, every registered model's changelist, plus the no-argument views our
ModelAdmins add (spend, ledger.csv, spend/workshops.csv). Anonymous visitors and signed-in
non-staff (participants, instructors included) are redirected to the admin login; staff get
200, on POST too (a POST without an action re-displays the list). Staff see every workshop's
data there by design, so the leak check does not apply to them in /admin/.
"""
ADMIN = {
    "GET": row(ADMIN_LOGIN, *[ADMIN_LOGIN] * 6, OK),
    "POST": row(ADMIN_LOGIN, *[ADMIN_LOGIN] * 6, OK),
}
# Singletons: the list of one row sends staff straight to that row's page.
ADMIN_STAFF_EXCEPTIONS = {"admin:ai_budgetsettings_changelist": REDIRECT}

ALLAUTH_RULE = """\
/accounts/ (allauth): every allauth route that takes no argument is checked (routes with
arguments need a key from an e-mail or a provider id and are left to allauth's own tests).
Sign-in pages are public and send signed-in people on; account pages send anonymous visitors
to sign in; information pages are public. `account_login` shares /accounts/login/ with our own
`login` redirect, which is listed first and wins, so it answers like `login`. Nothing here may
show workshop data, to anyone. A route allauth adds in an upgrade is checked against the generic
rule only (no 5xx, no leak) until it gets a row.
"""
PAGE = {"GET": everyone(OK), "POST": everyone(NA)}  # a public page that takes no form
ALLAUTH: dict[str, dict[str, dict[str, str]]] = {
    # Sign-in: the code form (which also creates accounts, see accounts.forms).
    "account_request_login_code": {"GET": row(OK, *[RE] * 7), "POST": row(OK, *[RE] * 7)},
    # Without a code requested first there is nothing to confirm: back to the start.
    "account_confirm_login_code": {"GET": everyone(RE), "POST": everyone(RE)},
    "account_login": {"GET": everyone(RE), "POST": everyone(RE)},
    # Sign-up is closed (AccountAdapter.is_open_for_signup): a "closed" page for anonymous.
    "account_signup": {"GET": row(OK, *[RE] * 7), "POST": row(OK, *[RE] * 7)},
    "account_logout": {"GET": row(RE, *[OK] * 7), "POST": everyone(RE)},
    "account_inactive": PAGE,
    "account_email_verification_sent": PAGE,
    "account_reset_password_done": PAGE,
    "account_reset_password_from_key_done": PAGE,
    "socialaccount_login_cancelled": PAGE,
    "socialaccount_login_error": {"GET": everyone(UNAUTHORIZED), "POST": everyone(NA)},
    # Without a pending SSO sign-in there is no sign-up to finish.
    "socialaccount_signup": {"GET": everyone(LOGIN), "POST": everyone(LOGIN)},
    # One's own account: e-mail addresses, SSO connections, password.
    "account_email": {"GET": signed_in(OK), "POST": signed_in(RE)},
    "socialaccount_connections": {"GET": signed_in(OK), "POST": signed_in(OK)},
    # Participants have no password (README); allauth still offers to set one and to reset
    # one by e-mail. Not an authorization leak (only one's own account), reported as a product
    # question; recorded as it behaves.
    "account_set_password": {"GET": signed_in(OK), "POST": signed_in(OK)},
    "account_change_password": {"GET": signed_in(RE), "POST": signed_in(RE)},
    "account_reset_password": {"GET": everyone(OK), "POST": everyone(OK)},
    # Re-authentication needs a password or a pending code: refused (403) for everyone here.
    "account_reauthenticate": {"GET": signed_in(NO), "POST": signed_in(NO)},
    "account_request_reauthentication_code": {"GET": signed_in(NO), "POST": signed_in(NO)},
    "account_confirm_reauthentication_code": {"GET": signed_in(RE), "POST": signed_in(RE)},
}
# allauth's old /accounts/social/... addresses: permanent redirects to /accounts/3rdparty/...
ALLAUTH_LEGACY_REDIRECT = {"GET": everyone(RE), "POST": everyone(RE)}

# (state, url name, format or "", actor, method) -> reason, for cells where the app is wrong
# today: the cell keeps the correct expectation and is marked xfail(strict=True) with the reason.
KNOWN_BUGS: dict[tuple[str, str, str, str, str], str] = {}

# The WebSocket routes: "accepted" (and a snapshot), or refused with the consumer's close code.
ACCEPTED = "accepted"
REFUSED = "refused_4403"
WS_ENDPOINTS = {
    "ws_workshop": {
        "target": "workshop",
        "outcomes": row(REFUSED, REFUSED, ACCEPTED, ACCEPTED, ACCEPTED, REFUSED, ACCEPTED, REFUSED),
    },
}


def expected_outcome(state: str, name: str, method: str, actor: str) -> str:
    if state == "closed":
        changed = CLOSED_CHANGES.get(name, {}).get(method)
        if changed:
            return changed[actor]
    return getattr(ENDPOINTS[name], method)[actor]
