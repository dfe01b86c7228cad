"""Template helpers: the menu a user sees (by role) and readable process names."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from web.content_i18n import tr
from web.security import current_user
from web.state import state

__all__ = ["install"]


@dataclass(frozen=True)
class Link:
    url: str
    label: str


# (endpoint, label, roles that see it; empty = everyone signed in)
_MENU = [
    ("start.index", _l("Start"), set()),
    ("hr.index", _l("Processes"), {"hr"}),
    ("register.index", _l("Secret register"), {"secrecy_office", "committee", "department_head", "liaison",
                                                "general_manager"}),
    ("carriers.index", _l("Carrier register"), {"secrecy_office", "liaison", "department_head", "committee",
                                                 "general_manager"}),
    ("sign.mine", _l("My agreements"), set()),
    ("carriers.mine", _l("My carriers"), set()),
    ("access.index", _l("Access approvals"), set()),
    ("outbox.index", _l("Outbox"), {"hr", "secrecy_office"}),
    ("organisation.index", _l("Organisation"), {"hr", "secrecy_office"}),
    ("hr.pledges", _l("Annual pledges"), {"hr", "secrecy_office"}),
    ("hr.non_compete", _l("Non-compete monitoring"), {"hr", "secrecy_office"}),
    ("log_review.index", _l("Access log review"), {"secrecy_office"}),
    ("agreement_templates.index", _l("Agreement templates"), {"secrecy_office"}),
    ("incidents.index", _l("Leak incidents"), {"secrecy_office", "committee", "general_manager"}),
    ("verify.index", _l("Verify a PDF"), set()),
]


def nav_links() -> list[Link]:
    user = current_user()
    if user is None:
        return []
    roles = set(user.roles)
    return [Link(url_for(endpoint), str(label)) for endpoint, label, needed in _MENU
            if endpoint in current_app.view_functions and (not needed or needed & roles)]


def process_title(process_id: str) -> str:
    try:
        return str(tr(state().engine.process(process_id).name))
    except Exception:
        return process_id


def install(app: Flask) -> None:
    app.jinja_env.globals.update(nav_links=nav_links, process_title=process_title, get_locale=get_locale)
