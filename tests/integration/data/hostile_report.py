#!/usr/bin/env python3
# hostile_report.py TEMPLATE OUT: the test template turned into a report
# whose strings try to break out of HTML, SVG, CSV and Prometheus labels
# (<script>, quotes, ampersands, control characters, bidi overrides).  Each
# would-be script sets document.title to PWNED and marks the page: a test
# that finds neither knows none ran.
import json
import sys

EVIL = ('<script>document.title="PWNED";'
        'document.documentElement.setAttribute("data-pwned","1")</script>')

r = json.load(open(sys.argv[1]))
r["report_id"] = "6f1c2b9e-8d4a-4e55-9a7b-0000000000ee"
r["host"]["hostname"] = "evil" + EVIL + "\"'&amp;"
r["host"]["kernel"] = "6.1</td>" + EVIL + "\x1b[31m\x07"
# a live <img> would fetch from 127.0.0.1:9: the test looks for that in the
# browser's network log
r["host"]["dmi"]["product_name"] = ("<img src=http://127.0.0.1:9/pwned.png "
                                    "onerror=alert(1)>\"'")
r["reason"] = "</p>" + EVIL + "\u202e"
r["checks"][0]["summary"] = "<!--" + EVIL
r["checks"][0]["evidence"] = "line1\n</pre>" + EVIL + "\nline3"
dev = r["iommu"]["groups"][-1]["devices"][0]
dev["name"] = "</text></svg>" + EVIL + "\u202e"
dev["driver"] = "\"><svg onload=alert(1)>"
json.dump(r, open(sys.argv[2], "w"), indent=1)
