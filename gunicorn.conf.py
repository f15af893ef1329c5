"""gunicorn's settings, read from the project folder (where make run, the image and the
compose file start it).

gunicorn believes X-Forwarded-Proto from clients on 127.0.0.1 by default and then marks the
request https itself, before Django's own rule is asked. The app believes that header only
when TRUSTED_PROXY_COUNT says a proxy is in front (config/settings.py): so does gunicorn.
"""

from pathlib import Path

import environ

environ.Env.read_env(Path(__file__).resolve().parent / ".env", overwrite=False)

if environ.Env().int("TRUSTED_PROXY_COUNT", default=0) <= 0:
    secure_scheme_headers: dict[str, str] = {}
