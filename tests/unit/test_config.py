"""Settings from the environment, flags winning, mistakes named."""

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.__main__ import build_parser
from bot.platform.config import DEFAULT_API_BASE_URL, Settings
from bot.platform.errors import ConfigError

TOKEN = "123456:ABCdef_ghi-jklMNOpqrSTUvwxYZ0123456789"  # noqa: S105 - made up
SECRET = "topsecret"  # noqa: S105 - made up
DATA = Path("haiquan-data")


def settings(env: dict[str, str], **flags) -> Settings:
    return Settings.from_env(env, default_corpus_dir=Path(__file__).parent,
                             default_data_dir=DATA, **flags)


def test_defaults_and_environment():
    s = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_ADMIN_IDS": " 12, 34 ,,"})
    assert s.token == TOKEN
    assert s.api_base_url == DEFAULT_API_BASE_URL
    assert s.admin_ids == frozenset({12, 34})
    assert s.webhook is None
    assert s.data_dir == DATA


def test_flags_override_the_environment(tmp_path):
    s = settings({"TELEGRAM_BOT_TOKEN": "1:env", "TELEGRAM_API_BASE_URL": "http://env/bot"},
                 token=TOKEN, api_base_url="http://127.0.0.1:8081/bot", data_dir=tmp_path,
                 corpus_dir=tmp_path, poll_timeout=1)
    assert (s.token, s.api_base_url, s.data_dir, s.corpus_dir, s.poll_timeout) == (
        TOKEN, "http://127.0.0.1:8081/bot", tmp_path, tmp_path, 1)


def test_the_token_never_shows_in_repr():
    s = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_WEBHOOK_URL": "https://b.vn/h",
                  "HAIQUAN_WEBHOOK_SECRET": SECRET})
    assert TOKEN not in repr(s) and SECRET not in repr(s)
    assert s.webhook.secret == SECRET and s.webhook.path == "h"


def test_a_webhook_gets_a_random_secret_when_none_is_set():
    one = settings({"TELEGRAM_BOT_TOKEN": TOKEN}, webhook_url="https://b.vn/")
    two = settings({"TELEGRAM_BOT_TOKEN": TOKEN}, webhook_url="https://b.vn/")
    assert one.webhook.secret != two.webhook.secret
    assert (one.webhook.listen, one.webhook.port) == ("127.0.0.1", 8443)


@pytest.mark.parametrize(("env", "message"), [
    ({}, "no bot token"),
    ({"TELEGRAM_BOT_TOKEN": "not a token"}, "does not look like a bot token"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_CORPUS_DIR": "/nonexistent/x"}, "corpus directory"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_ADMIN_IDS": "12,@admin"}, "HAIQUAN_ADMIN_IDS"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "api.telegram.org"},
     "TELEGRAM_API_BASE_URL"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_WEBHOOK_URL": "http://b.vn/h"}, "https://"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_WEBHOOK_URL": "https://b.vn/h",
      "HAIQUAN_WEBHOOK_PORT": "99999"}, "TCP port"),
    ({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_WEBHOOK_URL": "https://b.vn/h",
      "HAIQUAN_WEBHOOK_SECRET": "has spaces"}, "HAIQUAN_WEBHOOK_SECRET"),
])
def test_mistakes_are_named(env, message):
    with pytest.raises(ConfigError, match=message) as raised:
        settings(env)
    assert TOKEN not in str(raised.value)
    assert raised.value.exit_status == 2


def test_a_data_dir_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ConfigError, match="not a directory"):
        settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_DATA_DIR": str(tmp_path / "f")})


def test_automatic_reloads_from_environment_and_flags():
    s = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_WATCH": "yes",
                  "HAIQUAN_RELOAD_EVERY": "30"})
    assert (s.watch, s.reload_every) == (True, 30.0)
    flags = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_WATCH": "0"}, watch=True,
                     reload_every=1.5)
    assert (flags.watch, flags.reload_every) == (True, 1.5)
    off = settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert (off.watch, off.reload_every) == (False, None)
    assert off.pacing.per_second == 25.0 and off.pacing.group_interval == 3.2


@pytest.mark.parametrize(("variable", "value"), [
    ("HAIQUAN_WATCH", "maybe"), ("HAIQUAN_RELOAD_EVERY", "0"),
    ("HAIQUAN_RELOAD_EVERY", "often"), ("HAIQUAN_RELOAD_EVERY", "99999"),
])
def test_bad_reload_settings_are_named(variable, value):
    with pytest.raises(ConfigError, match=variable):
        settings({"TELEGRAM_BOT_TOKEN": TOKEN, variable: value})


def test_feeds_and_the_ingest_interval(tmp_path):
    s = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_CORPUS_DIR": str(tmp_path),
                  "HAIQUAN_FEEDS": " https://a.vn/rss, http://b.vn/atom\nhttps://a.vn/rss ",
                  "HAIQUAN_INGEST_EVERY": "30", "HAIQUAN_INGEST_CONTACT": " tin@a.vn "})
    assert s.feeds == ("https://a.vn/rss", "http://b.vn/atom")  # in order, once each
    assert (s.ingest_every, s.ingest_contact) == (30.0, "tin@a.vn")
    assert s.ingest_limits.allow_private is False and s.ingest_limits.min_interval == 1.0
    flags = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_FEEDS": "https://env.vn/rss"},
                     corpus_dir=tmp_path, feeds=["https://c.vn/rss", "https://d.vn/rss"],
                     ingest_every=2.5)
    assert (flags.feeds, flags.ingest_every) == (("https://c.vn/rss", "https://d.vn/rss"), 2.5)
    off = settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert (off.feeds, off.ingest_every, off.ingest_contact) == ((), None, "")
    feeds_only = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_FEEDS": "https://a.vn/rss"},
                          corpus_dir=tmp_path)
    assert feeds_only.ingest_every is None  # /ingest only, no timer


@pytest.mark.parametrize(("env", "message"), [
    ({"HAIQUAN_FEEDS": "ftp://a.vn/rss"}, "http"),
    ({"HAIQUAN_FEEDS": "https://a.vn/rss,a.vn/rss"}, "'a.vn/rss'"),
    ({"HAIQUAN_FEEDS": "https:///rss"}, "http"),
    ({"HAIQUAN_FEEDS": "http://[::1/rss"}, "http"),
    ({"HAIQUAN_FEEDS": "https://a.vn/rss", "HAIQUAN_INGEST_EVERY": "0"}, "HAIQUAN_INGEST_EVERY"),
    ({"HAIQUAN_FEEDS": "https://a.vn/rss", "HAIQUAN_INGEST_EVERY": "-5"},
     "HAIQUAN_INGEST_EVERY"),
    ({"HAIQUAN_FEEDS": "https://a.vn/rss", "HAIQUAN_INGEST_EVERY": "0.5"}, "between 1 and"),
    ({"HAIQUAN_FEEDS": "https://a.vn/rss", "HAIQUAN_INGEST_EVERY": "nan"},
     "HAIQUAN_INGEST_EVERY"),
    ({"HAIQUAN_FEEDS": "https://a.vn/rss", "HAIQUAN_INGEST_EVERY": "hourly"},
     "HAIQUAN_INGEST_EVERY"),
])
def test_bad_ingest_settings_are_named(env, message, tmp_path):
    with pytest.raises(ConfigError, match=re.escape(message)) as raised:
        settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_CORPUS_DIR": str(tmp_path), **env})
    assert raised.value.exit_status == 2


def test_feeds_need_a_corpus_of_ones_own():
    with pytest.raises(ConfigError, match="bundled sample corpus"):
        settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_FEEDS": "https://a.vn/rss"})
    with pytest.raises(ConfigError, match="HAIQUAN_INGEST_EVERY needs HAIQUAN_CORPUS_DIR"):
        settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_INGEST_EVERY": "30"})


def test_the_ingest_timer_needs_no_seed_feed(tmp_path):
    # Feeds may all come from /feeds add or an OPML file, kept in the database.
    timer_only = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_INGEST_EVERY": "30"},
                          corpus_dir=tmp_path)
    assert (timer_only.feeds, timer_only.ingest_every) == ((), 30.0)


def test_run_takes_feed_and_ingest_every_flags():
    args = build_parser().parse_args(["run", "--feed", "https://a.vn/rss", "--feed",
                                      "https://b.vn/rss", "--ingest-every", "15"])
    assert (args.feeds, args.ingest_every) == (["https://a.vn/rss", "https://b.vn/rss"], 15.0)
    bare = build_parser().parse_args(["run"])
    assert (bare.feeds, bare.ingest_every) == (None, None)


def test_start_up_warnings_name_the_sample_corpus_and_missing_admins():
    s = settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert len(s.warnings) == 2
    assert "bundled sample corpus" in s.warnings[0] and "HAIQUAN_CORPUS_DIR" in s.warnings[0]
    assert "no admin ids configured" in s.warnings[1]


def test_a_configured_bot_starts_without_warnings(tmp_path):
    s = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_CORPUS_DIR": str(tmp_path),
                  "HAIQUAN_ADMIN_IDS": "12", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"})
    assert s.warnings == ()


@pytest.mark.parametrize(("given", "used"), [
    ("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot"),
    ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot"),
])
def test_a_base_url_without_path_gets_bot_and_a_warning(given, used):
    s = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": given,
                  "TELEGRAM_API_FILE_URL": given})
    assert s.api_base_url == used
    assert s.api_file_url == used.replace("/bot", "/file/bot")
    assert sum("has no path" in w for w in s.warnings) == 2


def test_a_base_url_with_another_path_is_kept_but_warned_about():
    s = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "http://h:8081/api"})
    assert s.api_base_url == "http://h:8081/api"
    assert any("does not end in /bot" in w for w in s.warnings)


def test_the_share_link_age():
    assert settings({"TELEGRAM_BOT_TOKEN": TOKEN}).share_link_age == dt.timedelta(days=7)
    s = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_SHARE_LINK_DAYS": "1.5"})
    assert s.share_link_age == dt.timedelta(days=1.5)
    for bad in ("0", "31", "nan", "week"):
        with pytest.raises(ConfigError, match="HAIQUAN_SHARE_LINK_DAYS"):
            settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_SHARE_LINK_DAYS": bad})


def test_the_retention_bounds_the_share_link_age():
    assert settings({"TELEGRAM_BOT_TOKEN": TOKEN}).retention == dt.timedelta(days=30)
    long = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_RETENTION_DAYS": "90",
                     "HAIQUAN_SHARE_LINK_DAYS": "60"})
    assert (long.retention, long.share_link_age) == (dt.timedelta(days=90),
                                                     dt.timedelta(days=60))
    short = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_RETENTION_DAYS": "3"})
    assert short.share_link_age == dt.timedelta(days=3)  # the default 7 would outlive it
    with pytest.raises(ConfigError, match=r"between 0\.01 and 3 "):
        settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_RETENTION_DAYS": "3",
                  "HAIQUAN_SHARE_LINK_DAYS": "5"})
    for bad in ("0", "3651", "1.5", "-1", "month"):
        with pytest.raises(ConfigError, match="HAIQUAN_RETENTION_DAYS"):
            settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_RETENTION_DAYS": bad})


def test_a_postgres_url_is_taken_and_kept_out_of_repr():
    url = "postgresql://bot:pa55word@db.internal:5432/haiquan"
    s = settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_DATABASE_URL": url})
    assert s.database_url == url
    assert "pa55word" not in repr(s)
    assert settings({"TELEGRAM_BOT_TOKEN": TOKEN}).database_url is None


def test_a_database_url_that_is_not_postgres_is_refused_without_echoing_it():
    with pytest.raises(ConfigError, match="postgresql://") as raised:
        settings({"TELEGRAM_BOT_TOKEN": TOKEN,
                  "HAIQUAN_DATABASE_URL": "mysql://bot:pa55word@db/haiquan"})
    assert "pa55word" not in str(raised.value)


@pytest.mark.parametrize(("value", "rate"), [(None, 25.0), ("12.5", 12.5), ("30", 30.0)])
def test_the_broadcast_rate_is_this_processs_share(value, rate):
    env = {"TELEGRAM_BOT_TOKEN": TOKEN}
    if value is not None:
        env["HAIQUAN_BROADCAST_RATE"] = value
    assert settings(env).pacing.per_second == rate


@pytest.mark.parametrize("value", ["0", "31", "fast", "nan", "-3"])
def test_a_broadcast_rate_past_telegrams_limit_is_refused(value):
    with pytest.raises(ConfigError, match="HAIQUAN_BROADCAST_RATE"):
        settings({"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_BROADCAST_RATE": value})


def test_sharing_a_database_warns_about_polling_and_a_random_secret():
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "HAIQUAN_ADMIN_IDS": "1",
           "HAIQUAN_DATABASE_URL": "postgresql://bot@db/haiquan"}
    assert any("409 Conflict" in w for w in settings(env).warnings)
    hook = {**env, "HAIQUAN_WEBHOOK_URL": "https://bot.example/hook"}
    assert any("HAIQUAN_WEBHOOK_SECRET" in w for w in settings(hook).warnings)
    assert not any("HAIQUAN_DATABASE_URL" in w for w in settings(
        {**hook, "HAIQUAN_WEBHOOK_SECRET": SECRET}).warnings)


def test_the_database_password_is_found_for_redaction_and_hidden_in_labels():
    from bot.store.postgres import safe_url, url_password

    assert url_password("postgresql://bot:p%40ss@db/haiquan") == "p%40ss"
    assert url_password("postgresql://db/haiquan?sslmode=require&password=x1") == "x1"
    assert url_password("postgresql://bot@db/haiquan") is None
    assert safe_url("postgresql://bot:p%40ss@db:5432/haiquan") == \
        "postgresql://bot:***@db:5432/haiquan"
