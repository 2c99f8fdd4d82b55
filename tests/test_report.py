"""The HTML report: one self-contained file, accessible markup, and in a real browser it loads its charts
and tables without a single network request."""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from consolidate.cli.report import report_command
from consolidate.report import write_report
from test_charts import make_plan


@pytest.fixture(scope="module")
def plan_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("plans")
    base = make_plan(root / "region").to_dir(root / "baseline", charts=False)
    cap3 = make_plan(root / "region3", rules__district_cap=3).to_dir(root / "cap-3", charts=False)
    return [base, cap3]


@pytest.fixture(scope="module")
def page(plan_dirs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    out = write_report(plan_dirs, folder / "report.html")
    assert [p.name for p in folder.iterdir()] == ["report.html"]     # written atomically: no temporary file left
    return out


class Tags(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def of(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.tags if tag == name]


def parse(text: str) -> Tags:
    tags = Tags()
    tags.feed(text)
    return tags


OUTSIDE = re.compile(r"""(?:src|href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//"""
                     r"""|@import""", re.IGNORECASE)


def test_the_report_is_one_self_contained_accessible_file(page):
    text = page.read_text(encoding="utf-8")
    tags = parse(text)
    assert tags.of("html")[0]["lang"] == "zh-CN"
    assert not OUTSIDE.search(text), OUTSIDE.search(text).group(0)
    assert not tags.of("script") and not tags.of("link") and not tags.of("iframe")
    images = tags.of("img")
    assert len(images) == 2 * 3 + 1                           # three charts per plan and the comparison
    assert all(i["src"].startswith("data:image/svg+xml;base64,") and i.get("alt") for i in images)
    headers = tags.of("th")
    assert headers and all(h.get("scope") in ("col", "row") for h in headers)
    assert len(tags.of("caption")) == len(tags.of("table")) > 5
    for needed in ("@media print", "optimal", "甲一经济技术开发区", "rules.district_cap", "synthetic", "乙港保税区",
                   "fiscal_revenue", "方案比较"):
        assert needed in text, needed
    assert '@font-face { font-family: "Consolidate Sans SC"' in text     # Chinese renders without system fonts


def test_english_report_and_the_command(plan_dirs, tmp_path):
    result = CliRunner().invoke(report_command, [str(plan_dirs[0]), "--out", str(tmp_path / "r.html"),
                                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert parse(text).of("html")[0]["lang"] == "en"
    assert "Comparison" not in text and "proven optimal" in text


# --- in a real browser --------------------------------------------------------------------------------


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium not installed: apt-get install -y chromium (Debian) to run the browser test")


class Proxy:
    """A listener on the loopback that every request of the browser is sent to; it records and refuses them."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.requests: list[str] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.requests.append(conn.recv(4096).decode("latin-1").split("\r\n", 1)[0])
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    self.requests.append("(connection)")

    def close(self):
        self.stopping.set()
        self.thread.join(2)
        self.server.close()


# What Chromium itself asks for whatever the page (its updater and sign-in, which Debian's build keeps on even
# with the flags below): these are the browser's requests, not the page's. Anything else is the page's.
BROWSER_OWN = {"update.googleapis.com", "accounts.google.com", "clients2.google.com"}


def host(request_line: str) -> str:
    target = request_line.split(" ")[1] if " " in request_line else request_line
    return re.sub(r"^[a-z]+://", "", target).split("/", 1)[0].split(":", 1)[0]


def browse(page, tmp_path, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions", "--no-pings",
               "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--disable-default-apps",
               "--safebrowsing-disable-auto-update", "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,"
               "MediaRouter,Translate,AutofillServerCommunication", f"--user-data-dir={profile}",
               "--window-size=1280,2000", "--virtual-time-budget=3000", *extra, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=90)


def test_the_report_loads_in_chromium_without_any_network_request(page, tmp_path):
    # a control page that does ask the network, to show the proxy would see a request
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><html lang="en"><body><img src="http://example.invalid/x.png" alt="x">'
                       "</body></html>", encoding="utf-8")
    proxy = Proxy()
    try:
        route = [f"--proxy-server=http://127.0.0.1:{proxy.port}", "--proxy-bypass-list=<-loopback>"]
        dom = browse(page, tmp_path, "--dump-dom", *route)
        shot = tmp_path / "shot.png"
        browse(page, tmp_path, f"--screenshot={shot}", *route)
        seen_by_report = list(proxy.requests)
        browse(control, tmp_path, "--dump-dom", *route)
    finally:
        proxy.close()
    assert dom.returncode == 0, dom.stderr[-2000:]
    loaded = parse(dom.stdout)
    assert len(loaded.of("img")) == 7 and len(loaded.of("table")) > 5
    assert "甲一经济技术开发区" in dom.stdout
    assert shot.is_file() and shot.stat().st_size > 20_000
    assert [r for r in seen_by_report if host(r) not in BROWSER_OWN] == [], seen_by_report
    assert any("example.invalid" in r for r in proxy.requests), "the proxy did not see the control page's request"
