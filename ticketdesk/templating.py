"""Jinja filters the pages share."""
from datetime import datetime, timezone

from flask import Flask

from .forms import label
from .text import visible


def ago(moment: datetime, now: datetime | None = None) -> str:
    """'3 hours ago': how agents read ticket times at a glance (the exact time is in the title)."""
    seconds = int(((now or datetime.now(timezone.utc)) - moment).total_seconds())
    if seconds < 45:
        return "just now"
    for unit, size in (("year", 31_536_000), ("month", 2_592_000), ("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = max(1, round(seconds / size)) if unit != "minute" else max(1, seconds // 60)
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def exact(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# the languages the pages name in words; any other code py3langid returns is shown as the code itself
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
                  "it": "Italian", "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish",
                  "no": "Norwegian", "fi": "Finnish", "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian",
                  "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "ar": "Arabic", "hi": "Hindi",
                  "und": "Unknown language"}


def language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code, code) if code else "Not yet detected"


def duration(seconds: float | None) -> str:
    """'2 h 5 min', '40 min', '35 s': a response time at a glance; '–' when there is none."""
    if seconds is None:
        return "–"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} d {hours % 24} h"


def init_app(app: Flask) -> None:
    app.add_template_filter(duration)
    app.add_template_filter(language_name)
    app.add_template_filter(ago)
    app.add_template_filter(iso)
    app.add_template_filter(exact)
    app.add_template_filter(label)
    app.add_template_filter(visible)
