"""The web app: HR, staff, the committee and outside parties do their work in the browser.

``create_app(override)`` builds it over the instance folder (``MIBAO_INSTANCE``); views are thin: load,
check access, call one engine or signing service, render.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.datastructures import ImmutableDict
from werkzeug.routing import IntegerConverter, Map

from records.db import database_url, make_engine, make_session_factory
from records.instance import Instance
from records.migrate import upgrade
from web.config import LANGUAGES, make_config
from web.errors import register_error_handlers
from web.security import load_user, security_headers
from web.state import WebState
from workflows import Clock, Services
from workflows.composition import Settings, build_engine
from workflows.jobs import PoolJobs

__all__ = ["create_app", "csrf", "limiter"]

csrf = CSRFProtect()


def _client_key() -> str:
    # Per app as well as per address: tests build several apps in one process, and the limiter's storage is shared.
    return f"{id(current_app._get_current_object())}:{get_remote_address()}"  # type: ignore[attr-defined]


limiter = Limiter(key_func=_client_key, default_limits=[])


@limiter.request_filter
def _limits_off() -> bool:
    # Switched per app (MIBAO_RATE_LIMITS = False in most tests). Flask-Limiter's own RATELIMIT_ENABLED is a
    # property of the one limiter object, so the last app created would decide for all of them.
    return not current_app.config.get("MIBAO_RATE_LIMITS", True)


class RowId(IntegerConverter):
    """``<int:…>`` in every route: a row id, so at most PostgreSQL's INTEGER (2³¹ − 1). A larger number in a URL
    is then "not found" like any other unknown id, instead of an overflow in the database driver (found by the
    web fuzz test: /hr/instances/9223372036854775808 answered 500)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


# Times on the pages are China time (the timezone selector) written the way people here write them, the same in
# both languages: 2026-12-04 14:30, not the English locale's "12/4/26, 2:30 PM" nor an ISO string in UTC.
_DATE_FORMATS = ImmutableDict({**Babel.default_date_formats, "datetime.short": "yyyy-MM-dd HH:mm",
                               "datetime.medium": "yyyy-MM-dd HH:mm:ss", "date.short": "yyyy-MM-dd",
                               "time.short": "HH:mm"})


def _locale() -> str:
    # Chinese unless the user chose English with the switch: the users are Chinese, and a browser's
    # language setting (often English on company machines) is a weaker signal than their choice. The choice is
    # kept with the person (User.language) and put into the session at sign-in (web.security.sign_in).
    chosen = session.get("lang")
    return str(chosen) if chosen in LANGUAGES else "zh"


def create_app(override: dict[str, Any] | None = None, *, clock: Clock | None = None) -> Flask:
    instance = (override or {}).get("MIBAO_INSTANCE") or Instance.from_env()
    app = Flask(__name__)
    app.url_map.converters["int"] = RowId
    app.config.update(make_config(instance, override))
    db = make_engine(app.config.get("DATABASE_URL") or database_url(instance))
    upgrade(db)
    services = Services(instance, warm_converters=int(app.config.get("WARM_CONVERTERS", 1)))
    # Heavy steps: to the broker's workers (BROKER_URL), else on the server's own worker threads (``mibao serve``:
    # JOBS = "pool"; the request returns while the page shows the wait), else at once in the request (tests).
    settings = Settings(public_url=str(app.config["PUBLIC_URL"]),
                        external_link_days=int(app.config.get("EXTERNAL_LINK_DAYS", 7)),
                        broker_url=app.config.get("BROKER_URL"))
    pool = app.config.get("JOBS") == "pool" and not settings.broker_url
    jobs = PoolJobs(threads=int(app.config.get("JOB_THREADS", 2))) if pool else None
    engine = build_engine(make_session_factory(db), services, settings, clock=clock, jobs=jobs)
    app.extensions["mibao"] = WebState(instance=instance, db=db, sessions=engine.sessions, services=services,
                                       engine=engine)
    csrf.init_app(app)
    Babel(app, locale_selector=_locale, timezone_selector=lambda: "Asia/Shanghai", date_formats=_DATE_FORMATS)
    limiter.init_app(app)
    app.before_request(load_user)
    app.after_request(security_headers)
    register_error_handlers(app)
    _register_blueprints(app)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    return app


def _register_blueprints(app: Flask) -> None:
    from web import account, auth, content_i18n, inbox, navigation, uploads

    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(uploads.bp)
    from web import committee, formatting, hr, register, sign

    app.register_blueprint(sign.bp)
    app.register_blueprint(hr.bp)
    app.register_blueprint(committee.bp)
    app.register_blueprint(register.bp)
    from web import access_requests, carriers
    app.register_blueprint(access_requests.bp)
    app.register_blueprint(carriers.bp)
    formatting.install(app)
    from web import api, external, log_review, organisation, outbox, start, verify

    app.register_blueprint(external.bp)
    app.register_blueprint(outbox.bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(log_review.bp)
    app.register_blueprint(organisation.bp)
    app.register_blueprint(start.bp)
    from web import incidents
    app.register_blueprint(incidents.bp)
    from web import agreement_templates
    app.register_blueprint(agreement_templates.bp)
    if app.config.get("OIDC") is not None:      # OpenID Connect sign-in, only where configured (MIBAO_OIDC_*)
        from web import oidc
        oidc.install(app, app.config["OIDC"])
    navigation.install(app)
    content_i18n.install(app)
