"""E-mail a built board pack when SMTP settings are present in the secrets file.

Settings live in the ``[smtp]`` table of Streamlit's secrets file (``CX_SECRETS_FILE``, default
``.streamlit/secrets.toml``, git-ignored): ``host``, ``port`` (587), ``starttls`` (true),
``ssl`` (false; port 465 when true), ``user`` and ``password`` (optional), ``sender``, ``to`` (a
list), ``timeout`` (30 s). No table, no e-mail; a table missing ``host``, ``sender`` or ``to``,
or with an unknown key, is an error naming it.
"""

from __future__ import annotations

import smtplib
import ssl
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from dashboard.warehouse import config


class MailError(RuntimeError):
    """Settings that cannot be used, or a server that refused the message."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    sender: str
    to: tuple[str, ...]
    port: int = 587
    starttls: bool = True
    ssl: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0


def smtp_settings(path: Path | str | None = None) -> SmtpSettings | None:
    """The ``[smtp]`` settings of the secrets file, or None when there are none."""
    p = Path(path or config.secrets_path())
    if not p.exists():
        return None
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise MailError(f"secrets file {p.name}: {exc}") from None
    s = doc.get("smtp")
    if not s:
        return None
    missing = [k for k in ("host", "sender", "to") if not s.get(k)]
    if missing:
        raise MailError(f"secrets file {p.name}: [smtp] needs {', '.join(missing)}")
    to = s["to"] if isinstance(s["to"], list) else [s["to"]]
    known = set(SmtpSettings.__dataclass_fields__)
    unknown = sorted(set(s) - known)
    if unknown:
        raise MailError(f"secrets file {p.name}: [smtp] has unknown key(s) "
                        f"{', '.join(unknown)}; known are {', '.join(sorted(known))}")
    extra = {k: v for k, v in s.items() if k in known and k not in ("host", "sender", "to")}
    if extra.get("ssl") and "port" not in extra:
        extra["port"] = 465  # SMTP over TLS from the first byte
    return SmtpSettings(host=str(s["host"]), sender=str(s["sender"]),
                        to=tuple(str(t) for t in to), **extra)


def send(settings: SmtpSettings, subject: str, body: str,
         attachments: list[tuple[str, bytes, str]]) -> None:
    """Send one message with attachments (name, bytes, mime type)."""
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, settings.sender, ", ".join(settings.to)
    msg.set_content(body)
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    cls = smtplib.SMTP_SSL if settings.ssl else smtplib.SMTP
    try:
        with cls(settings.host, settings.port, timeout=settings.timeout) as server:
            if settings.starttls and not settings.ssl:
                server.starttls(context=ssl.create_default_context())
            if settings.user:
                server.login(settings.user, settings.password or "")
            server.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"e-mail to {', '.join(settings.to)} via {settings.host}:"
                        f"{settings.port} failed: {exc}") from None
