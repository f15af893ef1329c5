"""Settings for benchmark servers: the real settings plus a one-query baseline view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
