#!/usr/bin/env python
"""Bytes a browser downloads for one page on a cold visit: the HTML and every asset it links.

    .venv/bin/python scripts/first_visit.py http://127.0.0.1:8000/          # prints the list and the total

The page is fetched as a browser with an empty cache fetches it: asking for brotli or gzip, then each
stylesheet, script and icon it links (not those inside <noscript>: a browser running scripts skips them),
and each url(...) a stylesheet links (data: URIs are already counted in the stylesheet). Sizes are the
bodies as served (compressed when the server compressed them) plus the response headers. Used by
scripts/benchmark.py; only the given host is contacted.
"""

import argparse
import gzip
import http.client
import re
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import brotli

ACCEPT_ENCODING = "br, gzip"
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class _AssetLinks(HTMLParser):
    """The assets a page makes a browser fetch, in document order."""

    def __init__(self):
        super().__init__()
        self.assets, self._noscript = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "noscript":
            self._noscript += 1
        if self._noscript:
            return
        if tag == "link" and attrs.get("href"):
            rel = set((attrs.get("rel") or "").lower().split())
            if rel & {"stylesheet", "icon", "preload", "modulepreload"}:
                self.assets.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "img" and attrs.get("src"):
            self.assets.append(attrs["src"])

    def handle_endtag(self, tag):
        if tag == "noscript" and self._noscript:
            self._noscript -= 1


def _get(base, url, headers):
    """(status, content encoding, body bytes as served, header bytes, body) for one GET."""
    parts = urlsplit(urljoin(base, url))
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
        response = conn.getresponse()
        body = response.read()
        header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + sum(
            len(f"{name}: {value}\r\n") for name, value in response.getheaders()
        )
        return response.status, response.getheader("Content-Encoding", ""), len(body), header_bytes, body, response
    finally:
        conn.close()


def _decoded(body, encoding):
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    return body


def cold_visit(page_url, cookie=""):
    """Every response of a cold visit to ``page_url``: dicts with url, status, encoding, body and header
    bytes, cache-control; the page first."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING, "User-Agent": "ime-portal-first-visit"}
    if cookie:
        headers["Cookie"] = cookie
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page_url))
    rows, seen = [], set()

    def fetch(url):
        absolute = urljoin(page_url, url)
        if absolute in seen or not absolute.startswith(origin):  # the portal links nothing elsewhere
            return None
        seen.add(absolute)
        status, encoding, size, header_bytes, body, response = _get(page_url, absolute, headers)
        rows.append({
            "url": absolute.removeprefix(origin), "status": status, "encoding": encoding or "identity",
            "body_bytes": size, "header_bytes": header_bytes,
            "cache_control": response.getheader("Cache-Control", ""),
        })  # fmt: skip
        return _decoded(body, encoding)

    html = fetch(page_url)
    links = _AssetLinks()
    links.feed(html.decode("utf-8", "replace"))
    for asset in links.assets:
        content = fetch(asset)
        if content is not None and urlsplit(asset).path.endswith(".css"):
            for ref in CSS_URL.findall(content.decode("utf-8", "replace")):
                if not ref.startswith("data:"):
                    fetch(urljoin(urljoin(page_url, asset), ref))
    return rows


def totals(rows):
    body = sum(row["body_bytes"] for row in rows)
    return body, body + sum(row["header_bytes"] for row in rows)


def describe(rows):
    lines = [f"  {'resource':58} {'status':>6} {'encoding':>8} {'body B':>8} {'headers B':>9}  cache-control"]
    for row in rows:
        lines.append(f"  {row['url'][:58]:58} {row['status']:>6} {row['encoding']:>8} {row['body_bytes']:>8,} "
                     f"{row['header_bytes']:>9,}  {row['cache_control']}")  # fmt: skip
    body, wire = totals(rows)
    lines.append(f"  {len(rows)} responses: {body:,} bytes of bodies, {wire:,} bytes with headers")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--cookie", default="ime_us_hcp=yes", help="sent with every request (the US-HCP gate)")
    args = parser.parse_args()
    print(describe(cold_visit(args.url, args.cookie)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
