"""Every page, as every role, in French, on a phone (390 px) and a desktop (1366 px).

The pages come from the URL conf (`tests/pagewalk.py`), filled from the demo data and a few
records more; the roles are the demo's users, one per role, and the signed-out visitor. For each
role, each page is shown (200) or refused with our 403/404 page, never a 500; every text of it
comes from the French catalogue or from the data (the marked catalogue: `tests/pagewalk.py`), as
served and once more after its scripts ran in the browser; a page shown has a title of its own
among the role's pages, ending " · DDR Mali", with no id twice. In the browser, at each width,
each page shown must raise no console error, be no wider than the screen (wide tables scroll
inside themselves) and have no axe-core violation of serious or critical impact. A role shown exactly what a role before
it was shown (the same <main>: a detail page in Gao for the national and the Gao officer) is not
looked at again, except its first page (its navigation): that keeps the walk to a few minutes.
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page

from accounts.models import User

from ..pagewalk import (
    MARK,
    NOT_PAGES,
    TEXTS_JS,
    WALKERS,
    data_words,
    filled_urls,
    marked_catalogue,
    routes,
    seed,
    texts_of_html,
    unmarked,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].html.slice(0, 160)}`);
}"""
PHONE, DESKTOP = (390, 844), (1366, 768)
TITLE_END = " · DDR Mali"
ROLES = {**WALKERS, "anonymous": ""}


class Walk:
    """What the walk saw and found: each problem with the places it was found."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = defaultdict(list)  # problem: where
        self.answers: dict[str, dict[str, int]] = defaultdict(dict)  # url: role: status
        self.shown: dict[str, list[str]] = {}  # role: the URLs of the pages it is shown
        self.served: dict[str, set[str]] = defaultdict(set)  # url: texts found as served
        self.content: dict[tuple[str, str], str] = {}  # (role, url): digest of its <main>
        self.looked: set[tuple[str, str, int]] = set()  # (url, digest, width) looked at
        self.looks = 0  # pages loaded and looked at, both widths
        self.spent: dict[str, float] = defaultdict(float)

    def problem(self, what: str, where: str) -> None:
        self.found[what].append(where)

    def report(self) -> str:
        def places(where: list[str]) -> str:
            return ", ".join(where[:6]) + (f" and {len(where) - 6} more" if len(where) > 6 else "")

        return "\n".join(f"{what}\n    at {places(where)}" for what, where in sorted(self.found.items()))


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    return html.unescape(" ".join(found.group(1).split())) if found else ""


def _digest(served: str) -> str:
    """What a page's <main> holds, whoever reads it: the same for two roles, it is looked at once."""
    main = served.replace(MARK, "").partition("<main")[2].partition("</main>")[0]
    return hashlib.sha256(re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main).encode()).hexdigest()


def _ask_every_url(walk: Walk, role: str, client: Client, urls: dict[str, str], data: set[str]) -> None:
    """With the marked catalogue, without a browser: statuses, and the text and title of every page
    shown or refused as served."""
    shown, titles = [], defaultdict(list)
    for url in urls.values():
        where = f"{role} {url}"
        try:
            response = client.get(url)
        except Exception as error:  # a 500: the view raised
            walk.problem(f"raised {type(error).__name__}: {error}", where)
            continue
        status, kind = response.status_code, response.get("Content-Type", "")
        walk.answers[url][role] = status
        if status in (200, 403, 404) and kind.startswith("text/html"):
            served = response.content.decode()
            for text in unmarked(texts_of_html(served), data):
                walk.problem(f"not French: {text}", where)
                walk.served[url].add(text)
            ids = re.findall(r'\sid="([^"]+)"', served)
            for twice in sorted({i for i in ids if ids.count(i) > 1}):
                walk.problem(f"id {twice!r} twice (a label or a link names the wrong element)", where)
            title = _title(served.replace(MARK, ""))
            if not title.endswith(TITLE_END) or not title.removesuffix(TITLE_END).strip():
                walk.problem(f"title {title!r}", where)
            if status == 200:
                shown.append(url)
                walk.content[role, url] = _digest(served)
                titles[title].append(url)
        elif status not in (200, 302, 405):  # downloads, redirects, actions
            walk.problem(f"answered {status}", where)
    walk.shown[role] = shown
    for title, same in titles.items():
        if len(same) > 1:
            walk.problem(f"title {title!r} names {len(same)} pages", f"{role} {', '.join(same)}")


def _context(browser: Browser, args: dict[str, Any], client: Client, live_server: Any) -> BrowserContext:
    """One browser context per role, signed in with the session of the role's test client."""
    context = browser.new_context(**{**args, "viewport": dict(zip(("width", "height"), PHONE, strict=True))})
    if cookie := client.cookies.get(settings.SESSION_COOKIE_NAME):
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
    return context


def _new(walk: Walk, role: str, url: str, width: int) -> bool:
    """Whether this role's page holds what no role before it was shown at this width; a role's
    first page is always looked at (the navigation is the role's own)."""
    seen = (url, walk.content[role, url], width)
    if seen in walk.looked and url != walk.shown[role][0]:
        return False
    walk.looked.add(seen)
    return True


def _read_in_the_browser(
    walk: Walk, role: str, context: BrowserContext, live_server: Any, data: set[str]
) -> None:
    """With the marked catalogue: the text once the page's scripts ran (htmx fragments, the map's
    controls)."""
    page = context.new_page()
    for url in walk.shown[role]:
        if _new(walk, role, url, 0):
            page.goto(live_server.url + url)
            for text in set(unmarked(page.evaluate(TEXTS_JS), data)) - walk.served[url]:
                walk.problem(f"not French: {text}", f"{role} {url} (once its scripts ran)")
    page.close()


def _look(walk: Walk, role: str, context: BrowserContext, live_server: Any) -> None:
    """In French as served, on a phone and on a desktop: console, width and axe."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    for width, height in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": height})
        for url in walk.shown[role]:
            if not _new(walk, role, url, width):
                continue
            where = f"{role} {url} @{width}"
            walk.looks += 1
            errors.clear()
            at = time.monotonic()
            response = page.goto(live_server.url + url)
            if response is None or response.status != 200:
                walk.problem(f"answered {response and response.status} in the browser", where)
                continue
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                walk.problem(f"scrolls sideways: {scroll} px wide", where)
            walk.spent["load"] += time.monotonic() - at
            at = time.monotonic()
            page.evaluate(AXE)  # evaluated, not a <script>: the CSP allows no inline script
            walk.spent["axe load"] += time.monotonic() - at
            at = time.monotonic()
            for violation in page.evaluate(SERIOUS):
                walk.problem(f"axe: {violation}", where)
            walk.spent["axe run"] += time.monotonic() - at
            for error in errors:
                walk.problem(f"console: {error}", where)
    page.close()


def test_every_page_as_every_role_in_french_on_a_phone_and_a_desktop(
    browser: Browser, browser_context_args: dict[str, Any], live_server: Any
) -> None:
    started = time.monotonic()
    seed()
    urls = filled_urls(route for route in routes() if route.name not in NOT_PAGES)
    data = data_words()
    walk = Walk()
    walk.spent["seed"] = time.monotonic() - started
    for role, username in ROLES.items():
        client = Client(HTTP_ACCEPT_LANGUAGE="fr")
        if username:
            client.force_login(User.objects.get(username=username))
        context = _context(browser, browser_context_args, client, live_server)
        with marked_catalogue():
            at = time.monotonic()
            _ask_every_url(walk, role, client, urls, data)
            walk.spent["served text"] += time.monotonic() - at
            at = time.monotonic()
            _read_in_the_browser(walk, role, context, live_server, data)
            walk.spent["browser text"] += time.monotonic() - at
        at = time.monotonic()
        _look(walk, role, context, live_server)
        walk.spent["browser look"] += time.monotonic() - at
        context.close()
    for url, answers in walk.answers.items():
        if 200 not in answers.values() and 405 not in answers.values():  # 405: an action
            walk.problem("shown to no role: fill it with an object someone may open", url)
    pages = sum(len(urls) for urls in walk.shown.values())
    print(
        f"\nwalked {len(urls)} routes as {len(ROLES)} roles: {pages} (role, page) shown, "
        f"{pages * 2} (role, page, width) of which {walk.looks} held content new at their width; "
        + ", ".join(f"{phase} {seconds:.0f} s" for phase, seconds in walk.spent.items())
    )
    assert not walk.found, f"{len(walk.found)} problems:\n{walk.report()}"


@pytest.mark.parametrize("english", [False, True])
def test_the_browser_reads_a_page_as_the_detector_expects(page: Page, english: bool) -> None:
    """The text read in the browser (TEXTS_JS) is what `texts_of_html` reads from the served page:
    text nodes, the title and spoken attributes, not scripts nor text said to be in another
    language; the English phrase is caught there too."""
    from django.template import Context

    from ..test_page_walk import SAMPLE

    with marked_catalogue():
        served = SAMPLE.render(Context({"name": "Mohamed Ag Intallah", "english": english}))
    page.set_content(served)
    read = page.evaluate(TEXTS_JS)
    assert sorted(t.strip() for t in read) == sorted(t.strip() for t in texts_of_html(served))
    data = {"mohamed", "ag", "intallah"}
    assert unmarked(read, data) == (["[No] [records] [match] [this] [search]."] if english else [])
