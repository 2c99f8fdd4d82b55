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

from consolidate import webmap
from consolidate.cli.report import report_command
from consolidate.report import write_report
from test_charts import make_plan


@pytest.fixture(scope="module")
def plan_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("plans")
    base = make_plan(root / "region").to_dir(root / "baseline", charts=False)
    cap3 = make_plan(root / "region3", rules__district_cap=3).to_dir(root / "cap-3", charts=False)
    return [base, cap3]


# per plan the zones chart, and the allocation chart where something moves between districts; the comparison
EXPECTED_IMAGES = 4


@pytest.fixture(scope="module")
def page(plan_dirs, tmp_path_factory):
    import pandas as pd

    assert sum(len(pd.read_csv(d / "flows.csv")) > 0 for d in plan_dirs) == 1      # so EXPECTED_IMAGES is 2 + 1 + 1
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
    assert not tags.of("link") and not tags.of("iframe")
    scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert len(scripts) == 1 and scripts[0] == webmap.SCRIPT   # the map's script, and nothing else
    policy = next(m["content"] for m in tags.of("meta") if m.get("http-equiv") == "Content-Security-Policy")
    assert f"script-src {webmap.script_hash()}" in policy and "default-src 'none'" in policy
    assert "unsafe-eval" not in policy and "script-src 'unsafe-inline'" not in policy
    assert len(tags.of("svg")) == 2                           # one interactive map per plan
    images = tags.of("img")
    assert len(images) == EXPECTED_IMAGES                     # zones (and allocation) charts per plan, the comparison
    assert all(i["src"].startswith("data:image/svg+xml;base64,") and i.get("alt") for i in images)
    headers = tags.of("th")
    assert headers and all(h.get("scope") in ("col", "row") for h in headers)
    assert len(tags.of("caption")) == len(tags.of("table")) > 5
    for needed in ("@media print", "已证明最优", "甲一经济技术开发区", "rules.district_cap", "synthetic", "乙港保税区",
                   "fiscal_revenue", "方案比较", "@page { size: A4"):
        assert needed in text, needed
    # the executive summary comes first; plans are named by their scenario and overrides
    assert text.index('id="executive"') < text.index('id="comparison"') < text.index('id="plan-1"') \
        < text.index('id="appendix-keys"')
    assert "baseline · 上限 3" in text                           # the second plan: baseline with cap 3
    assert "各区得失" in text and "归牵头方 ★" in text           # gains and losses, the plan's own rule marked
    assert "entrusted" not in strip_attributes(text.split('id="appendix-keys"')[0])   # modes in Chinese
    assert '@font-face { font-family: "Consolidate Sans SC"' in text     # Chinese renders without system fonts


def strip_attributes(text: str) -> str:
    """The text a reader sees: no tags, attributes, scripts or styles."""
    text = re.sub(r"<(script|style)>.*?</\1>", "", text, flags=re.S)
    return re.sub(r"<[^>]*>", " ", text)


def test_english_report_and_the_command(plan_dirs, tmp_path):
    result = CliRunner().invoke(report_command, [str(plan_dirs[0]), "--out", str(tmp_path / "r.html"),
                                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert parse(text).of("html")[0]["lang"] == "en"
    assert "Comparison" not in text and "proven optimal" in text
    assert "Jia-1 ETDZ" in text and "Yi District" in text     # names in English where the region has them
    assert "乙区" not in strip_attributes(text)


def test_an_english_report_has_no_chinese_district_names_or_units(plan_dirs, tmp_path):
    """The comparison's zones-per-district table, Appendix A's values and the money unit, all in English (#17)."""
    text = strip_attributes(write_report(plan_dirs, tmp_path / "r.html", lang="en").read_text(encoding="utf-8"))
    assert not [word for word in ("甲区", "乙区", "丙区", "亿元") if word in text]
    assert '["Bing District"]' in text.replace("&quot;", '"') and "100 million yuan" in text


def test_a_compare_folder_is_reported_plan_by_plan(plan_dirs, tmp_path):
    from consolidate.compare import compare, plan_outcome, write_comparison

    folder = write_comparison(compare([plan_outcome("one", plan_dirs[0]), plan_outcome("two", plan_dirs[1])]),
                              tmp_path / "cmp")
    text = write_report([folder], tmp_path / "r.html", lang="en").read_text(encoding="utf-8")
    assert text.count('class="plan"') == 2 and 'id="comparison"' in text


def test_the_tianjin_report_is_small(tmp_path):
    from consolidate import load_region, load_scenario, solve

    plan = solve(load_region("tianjin"), load_scenario("cap-2")).to_dir(tmp_path / "cap-2", charts=False)
    out = write_report([plan], tmp_path / "r.html", lang="zh")
    assert out.stat().st_size < 1_500_000


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


def browser_own(name: str) -> bool:
    """Chromium's own update/sign-in traffic, which varies by build; never a font or script CDN."""
    if name.startswith(("fonts.", "ajax.", "cdn")):
        return False
    return name in BROWSER_OWN or name.endswith((".googleapis.com", ".google.com", ".gvt1.com"))


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
        dom = browse(page, tmp_path, "--dump-dom", "--enable-logging=stderr", "--v=0", *route)
        shot = tmp_path / "shot.png"
        browse(page, tmp_path, f"--screenshot={shot}", *route)
        seen_by_report = list(proxy.requests)
        browse(control, tmp_path, "--dump-dom", *route)
    finally:
        proxy.close()
    assert dom.returncode == 0, dom.stderr[-2000:]
    loaded = parse(dom.stdout)
    assert len(loaded.of("img")) == EXPECTED_IMAGES and len(loaded.of("table")) > 5
    assert 'class="view" transform="translate(0 0) scale(1)"' in dom.stdout    # the map's script ran
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line
               or "Content Security Policy" in line or "Refused" in line]
    assert console == [], console
    assert "甲一经济技术开发区" in dom.stdout
    assert shot.is_file() and shot.stat().st_size > 20_000
    assert [r for r in seen_by_report if not browser_own(host(r))] == [], seen_by_report
    assert any("example.invalid" in r for r in proxy.requests), "the proxy did not see the control page's request"


def test_a_chinese_report_uses_the_regions_chinese_title_and_note(plan_dirs):
    """title_zh / data_note_zh of region.yaml in a Chinese report; the English ones in an English report (#17)."""
    from consolidate.plan import read_plan
    from consolidate.report import Report

    plan = read_plan(plan_dirs[0])
    plan.region.title, plan.region.title_zh = "Test region", "测试区域"
    plan.region.data_note, plan.region.data_note_zh = "All made up.", "全部为虚构数据。"
    chinese = Report([plan], ["baseline"], "zh").render()
    assert "<h1>开发区整合方案报告 — 测试区域</h1>" in chinese and "全部为虚构数据。" in chinese
    assert "Test region" not in chinese and "All made up." not in chinese
    english = Report([plan], ["baseline"], "en").render()
    assert "Test region" in english and "All made up." in english and "测试区域" not in english


def test_objective_units_in_chinese():
    from consolidate.problem import part_unit_text

    assert part_unit_text("亿元·km (GDP × km to host)", "zh") == "亿元·km（GDP × 到牵头开发区的距离）"
    assert part_unit_text("亿元 (GDP × (1 − host score))", "en") == "亿元 (GDP × (1 − host score))"
